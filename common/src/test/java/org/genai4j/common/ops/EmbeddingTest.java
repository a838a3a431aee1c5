package org.genai4j.common.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.genai4j.common.testing.OpCheck;
import org.junit.jupiter.api.Test;

class EmbeddingTest {

  /** The embedding as a {@link Layer} for {@link OpCheck}: the input tensor holds the ids as floats (no input gradient). */
  static Layer asLayer(Embedding e, int... shape) {
    return new Layer() {
      @Override
      public Tensor forward(StepContext ctx, Tensor x) {
        int[] ids = new int[x.length()];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = Math.round(x.get(i));
        }
        return e.forward(ctx, ids, 0, shape);
      }

      @Override
      public Tensor backward(StepContext ctx, Tensor dy) {
        e.backward(ctx, dy);
        return null;
      }

      @Override
      public List<Param> params() {
        return e.params();
      }
    };
  }

  /** y[n] = table[ids[n]], in double. */
  static double[] reference(double[] ids, double[] table, int width) {
    double[] y = new double[ids.length * width];
    for (int n = 0; n < ids.length; n++) {
      int id = (int) Math.round(ids[n]);
      System.arraycopy(table, id * width, y, n * width, width);
    }
    return y;
  }

  static Tensor ids(int... ids) {
    Tensor t = Tensor.zeros(ids.length);
    for (int i = 0; i < ids.length; i++) {
      t.set(i, ids[i]);
    }
    return t;
  }

  @Test
  void matchesReferenceAndScatterAddsRepeatedIds() {
    Embedding e = new Embedding(Params.init(1), "wte", 7, 5, Init.normal(0.5));
    // Ids 3 and 0 repeat: their rows' gradients must add.
    Tensor x = ids(3, 0, 6, 3, 3, 0).reshape(2, 3);
    OpCheck.of(asLayer(e, 2, 3), x, (in, p) -> reference(in, p.get("wte.weight"), 5)).inputGradient(false)
        .samplesPerTensor(35).assertCorrect();
    assertArrayEquals(new int[] {2, 3, 5}, e.forward(StepContext.inference(), new int[] {1, 2, 3, 4, 5, 6}, 0, 2, 3)
        .shape());
  }

  @Test
  void gradientIsTheSumOfTheRowsOfEachId() {
    Embedding e = new Embedding(Params.init(1), "wte", 4, 3);
    StepContext ctx = StepContext.training(1, 0);
    e.forward(ctx, new int[] {2, 0, 2});
    Tensor dy = LinearTest.random(5, 3, 3);
    e.backward(ctx, dy);
    float[] g = e.weight().grad().toArray();
    float[] d = dy.toArray();
    for (int c = 0; c < 3; c++) {
      assertEquals(d[3 + c], g[c], 0f, "row 0 gets the second row");
      assertEquals(0f, g[3 + c], "row 1 is not looked up");
      assertEquals(d[c] + d[6 + c], g[6 + c], 1e-6f, "row 2 gets the first and third rows");
      assertEquals(0f, g[9 + c], "row 3 is not looked up");
    }
    // Accumulates: a second backward pass adds the same again.
    e.backward(ctx, dy);
    assertEquals(2 * (d[0] + d[6]), e.weight().grad().get(6), 1e-6f);
  }

  @Test
  void readsASliceOfTheIds() {
    Embedding e = new Embedding(Params.init(2), "wte", 10, 4);
    StepContext ctx = StepContext.inference();
    int[] all = {9, 8, 7, 6, 5, 4, 3, 2};
    float[] slice = e.forward(ctx, all, 4, 2, 2).toArray();
    float[] direct = e.forward(ctx, new int[] {5, 4, 3, 2}).toArray();
    assertArrayEquals(direct, slice);
  }

  @Test
  void positionsLookUpTheRowsFromStartForEachSequence() {
    Embedding wpe = new Embedding(Params.init(3), "wpe", 8, 4);
    StepContext ctx = StepContext.training(1, 0);
    Tensor y = wpe.forwardPositions(ctx, 2, 3, 4);
    assertArrayEquals(new int[] {2, 3, 4}, y.shape());
    float[] table = wpe.weight().value().toArray();
    float[] out = y.toArray();
    for (int b = 0; b < 2; b++) {
      for (int t = 0; t < 3; t++) {
        for (int c = 0; c < 4; c++) {
          assertEquals(table[(4 + t) * 4 + c], out[(b * 3 + t) * 4 + c]);
        }
      }
    }
    Tensor dy = LinearTest.random(4, 2, 3, 4);
    wpe.backward(ctx, dy);
    float[] d = dy.toArray();
    float[] g = wpe.weight().grad().toArray();
    for (int t = 0; t < 3; t++) {
      for (int c = 0; c < 4; c++) {
        assertEquals(d[t * 4 + c] + d[(3 + t) * 4 + c], g[(4 + t) * 4 + c], 1e-6f);
      }
    }
    assertEquals(0f, g[0]);
    var ex = assertThrows(IllegalArgumentException.class, () -> wpe.forwardPositions(ctx, 1, 5, 4));
    assertTrue(ex.getMessage().contains("wpe.weight") && ex.getMessage().contains("8 positions"), ex.getMessage());
  }

  @Test
  void frozenTableGetsNoGradient() {
    Embedding e = new Embedding(Params.init(1), "wte", 4, 3);
    e.weight().setRequiresGrad(false);
    StepContext ctx = StepContext.training(1, 0);
    e.forward(ctx, new int[] {1, 2});
    e.backward(ctx, LinearTest.random(5, 2, 3));
    assertArrayEquals(new float[12], e.weight().grad().toArray());
  }

  @Test
  void idsOutsideTheVocabularyAreNamed() {
    Embedding e = new Embedding(Params.init(1), "transformer.wte", 5, 3);
    StepContext ctx = StepContext.inference();
    var ex = assertThrows(IllegalArgumentException.class, () -> e.forward(ctx, new int[] {1, 5}));
    assertTrue(ex.getMessage().contains("transformer.wte.weight") && ex.getMessage().contains("id 5")
        && ex.getMessage().contains("0..4"), ex.getMessage());
    assertThrows(IllegalArgumentException.class, () -> e.forward(ctx, new int[] {-1}));
    assertThrows(IllegalArgumentException.class, () -> e.forward(ctx, new int[] {1, 2, 3}, 2, 2));
    e.forward(ctx, new int[] {1, 2});
    assertThrows(IllegalArgumentException.class, () -> e.backward(ctx, LinearTest.random(1, 3, 3)));
  }
}
