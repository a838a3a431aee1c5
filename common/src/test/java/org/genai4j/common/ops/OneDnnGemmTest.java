package org.genai4j.common.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Products routed to oneDNN against a plain double-precision product, in every transpose. */
class OneDnnGemmTest {

  @Test
  void largeProductsMatchAPlainProductInEveryLayout() {
    int m = 40;
    int n = 72;
    int k = 300;
    Random rng = new Random(3);
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        float[] a = random(rng, m * k);
        float[] b = random(rng, k * n);
        float[] c0 = random(rng, m * n);
        // Offsets into larger tensors, as Linear's views of a batch are.
        Tensor at = Tensor.of(pad(a, 5), 5 + m * k);
        Tensor bt = Tensor.of(pad(b, 3), 3 + k * n);
        Tensor ct = Tensor.of(pad(c0, 7), 7 + m * n);
        OneDnnGemm.gemm(ta, tb, m, n, k, 0.5f, at.matrix(5, ta ? k : m, ta ? m : k),
            bt.matrix(3, tb ? n : k, tb ? k : n), 1f, ct.matrix(7, m, n));
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            double s = 0;
            for (int q = 0; q < k; q++) {
              s += (double) a[ta ? q * m + i : i * k + q] * b[tb ? j * k + q : q * n + j];
            }
            double want = 0.5 * s + c0[i * n + j];
            assertEquals(want, ct.get(7 + i * n + j), 1e-4 * Math.max(1, Math.abs(want)),
                "ta " + ta + " tb " + tb + " at " + i + "," + j);
          }
        }
        assertEquals(0f, ct.get(0), "elements before the view are untouched");
      }
    }
  }

  @Test
  void onlyLongInnerDimensionsAndLargeProductsGoToOneDnn() {
    assertTrue(OneDnnGemm.suits(64, 512, 784));
    assertFalse(OneDnnGemm.suits(384, 384, 128), "inner dimension 128 stays with OpenBLAS");
    assertFalse(OneDnnGemm.suits(1, 4096, 4096), "a vector product stays a gemv");
    assertFalse(OneDnnGemm.suits(8, 8, 512), "too small to pay the op's dispatch");
  }

  private static float[] random(Random rng, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    return x;
  }

  private static float[] pad(float[] x, int before) {
    float[] y = new float[before + x.length];
    System.arraycopy(x, 0, y, before, x.length);
    return y;
  }
}
