package org.genai4j.common.ops;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Single-precision products through libnd4j's {@code matmul} op, which runs oneDNN's JIT gemm: on
 * the AVX-512 machines it uses AVX-512 kernels, where the OpenBLAS that ND4J ships (0.3.19) runs
 * its AVX2 ones. Measured on a 2-core AMD EPYC (Zen 4), one thread, microseconds per product,
 * OpenBLAS vs this route (which costs about 40 us of op dispatch):
 *
 * <pre>
 *   m x n x k (op)          OpenBLAS   oneDNN
 *   64 x 512 x 784 (NT)        789       555     VAE encoder, a 64-row shard
 *   64 x 512 x 784 (NN)        780       513     VAE decoder input gradient
 *   64 x 784 x 512 (NT)        762       667
 *   128 x 384 x 384 (TN)       523       345     GPT weight gradient, a 384-row shard
 *   384 x 128 x 384 (NN)       427       362
 *   384 x 384 x 128 (NT)       394       471     inner dimension 128: OpenBLAS wins
 *   512 x 784 x 64 (TN)        602       590     inner dimension 64: no gain
 * </pre>
 *
 * So products with an inner dimension of at least {@value #MIN_INNER} and at least {@value
 * #MIN_VOLUME} multiply-adds come here. The choice depends only on the shape, so a given model
 * always takes the same route: results are as reproducible as before (both are deterministic on
 * one thread), and differ from OpenBLAS's in float rounding only.
 */
final class OneDnnGemm {
  private OneDnnGemm() {}

  /** The smallest inner dimension that gains (128 loses, 384 gains). */
  static final int MIN_INNER = 256;

  /** The smallest {@code m n k} that gains after the op's dispatch cost. */
  static final long MIN_VOLUME = 1L << 23;

  /** One op and context per thread, reused: building them per call costs more than the dispatch. */
  private static final ThreadLocal<Call> CALLS = ThreadLocal.withInitial(Call::new);

  /** Whether a product of this shape goes to oneDNN. */
  static boolean suits(int m, int n, int k) {
    return m > 1 && n > 1 && k >= MIN_INNER && (long) m * n * k >= MIN_VOLUME;
  }

  /**
   * {@code c = alpha * op(a) @ op(b) + beta * c} for c-order matrices: {@code a} stored {@code [m,
   * k]} ({@code [k, m]} when transposed), {@code b} {@code [k, n]} ({@code [n, k]}), {@code c} {@code
   * [m, n]}.
   */
  static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, INDArray a, INDArray b,
      float beta, INDArray c) {
    CALLS.get().run(transA, transB, alpha, a, b, beta, c);
  }

  private static final class Call {
    private final DynamicCustomOp op = DynamicCustomOp.builder("matmul").build();
    private final OpContext context = Nd4j.getExecutioner().buildContext();

    void run(boolean transA, boolean transB, float alpha, INDArray a, INDArray b, float beta, INDArray c) {
      context.setInputArrays(a, b);
      context.setOutputArrays(c);
      // matmul's arguments: alpha, beta; transpose a, transpose b, transpose the result.
      context.setTArguments(alpha, beta);
      context.setIArguments(transA ? 1 : 0, transB ? 1 : 0, 0);
      Nd4j.getExecutioner().exec(op, context);
    }
  }
}
