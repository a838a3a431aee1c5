package org.genai4j.common.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.genai4j.common.ops.Init;
import org.genai4j.common.ops.Params;
import org.junit.jupiter.api.Test;

/** A parameter that would take the model past the memory limit is refused before ND4J allocates it. */
class ModelMemoryTest {

  @Test
  void aTrillionWeightMatrixIsRefusedWithItsNameTheEstimateAndTheLimit() {
    Params params = Params.init(1);
    params.create("small", Init.zeros(), 4, 4);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> params.create("huge.weight", Init.zeros(), 1_000_000, 1_000_000));
    assertTrue(e.getMessage().startsWith("parameter 'huge.weight' [1000000, 1000000] brings the model to"
        + " 1,000,000,000,016 parameters, which need at least 14.6 TB (16 bytes per parameter in training"), e.getMessage());
    assertTrue(e.getMessage().contains("the memory limit is " + ModelMemory.bytes(ModelMemory.limitBytes())),
        e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
    assertEquals(16, params.count(), "nothing was added");
  }

  @Test
  void loadingCountsTheWeightsOnly() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Params.forLoading().create("w", Init.zeros(), 1_000_000, 1_000_000));
    assertTrue(e.getMessage().contains("at least 3.6 TB (4 bytes per parameter)"), e.getMessage());
  }

  @Test
  void limitIsTheSmallestCapAndSizesRead() {
    assertTrue(ModelMemory.limitBytes() > 0 && ModelMemory.limitBytes() <= org.bytedeco.javacpp.Pointer.maxBytes()
        || org.bytedeco.javacpp.Pointer.maxBytes() == 0);
    assertEquals("512 bytes", ModelMemory.bytes(512));
    assertEquals("4.0 GB", ModelMemory.bytes(4L << 30));
    assertEquals(16L * 1000, ModelMemory.trainingBytes(1000));
    assertEquals(Long.MAX_VALUE, ModelMemory.trainingBytes(Long.MAX_VALUE / 2));
  }
}
