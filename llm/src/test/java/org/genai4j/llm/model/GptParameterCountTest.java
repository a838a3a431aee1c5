package org.genai4j.llm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.genai4j.common.ops.Params;
import org.genai4j.common.util.ModelMemory;
import org.junit.jupiter.api.Test;

/** The parameter count from the shape alone matches the built model, and refuses a model too large. */
class GptParameterCountTest {

  private static void matchesBuiltModel(GptConfig c) {
    assertEquals(new Gpt(c, Params.init(1)).params().count(), c.parameterCount(), c.toString());
  }

  @Test
  void countFromShapeEqualsBuiltModel() {
    GptConfig base = GptConfig.reference().withVocabSize(37).withShape(2, 2, 16, 8);
    matchesBuiltModel(base);
    matchesBuiltModel(base.withPositional(PositionalEncoding.SINUSOIDAL));
    matchesBuiltModel(base.withNorm(GptConfig.Norm.RMS).withMlp(GptConfig.Mlp.SWIGLU, 0));
    matchesBuiltModel(base.withMlp(GptConfig.Mlp.SWIGLU, 24));
    matchesBuiltModel(base.withBias(false).withTieWeights(false));
    matchesBuiltModel(base.withShape(2, 4, 16, 8).withKvHeads(2));
    matchesBuiltModel(GptConfig.llama(37, 2, 4, 2, 16, 8));
  }

  @Test
  void aMillionWideGptIsRefusedWithTheEstimateAndTheLimit() {
    GptConfig huge = GptConfig.reference().withVocabSize(65).withShape(4, 4, 1_000_000, 64);
    assertTrue(huge.parameterCount() > 48_000_000_000_000L, "12 x 4 x 10^12: " + huge.parameterCount());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelMemory.checkTraining("the GPT", huge.parameterCount()));
    assertTrue(e.getMessage().matches("the GPT has [0-9,]+ parameters and needs at least [0-9.]+ [KMGTPE]B to train .*"
        + "the memory limit is [0-9.]+ [KMGTPE]B .*"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
    ModelMemory.checkTraining("the reference GPT", GptConfig.reference().withVocabSize(65).parameterCount());
  }
}
