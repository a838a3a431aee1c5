package org.genai4j.vae;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A hand-written forward and backward pass of the MLP VAE's training loss. It computes exactly
 * what {@link VaeGraph} defines for {@link VaeConfig.Arch#MLP} (same parameters, ReLU hidden
 * layers, same likelihoods), without SameDiff's per-op session bookkeeping, which dominates the
 * step time of this small model. The matrix products are ND4J gemms into preallocated buffers;
 * everything elementwise (bias and ReLU, the reparameterization and KL, the likelihood and its
 * gradient, ReLU masks, bias gradients) is fused into a few Java loops over the arrays' memory
 * ({@link DenseView}), because at these sizes the ~50 small ND4J ops they replace cost more in
 * per-call overhead and extra passes than the arithmetic.
 *
 * <p>Loss = reconSum / N + klCoef * klTermSum (klCoef = klWeight / (2N)); the caller adds the
 * constant -klWeight * L / 2. Buffers are kept per batch size, so a smaller last batch costs one
 * allocation per epoch, not per step. Not thread-safe.
 */
final class MlpVaeKernel {

  /** One {@code x @ W + b} layer with its gradient arrays (W is [in, out], b is [out]). */
  private static final class Dense {
    final INDArray w;
    final INDArray dw;
    final DenseView b;
    final DenseView db;
    final boolean relu;
    /** Column sums of the output gradient, accumulated in double before they are written to db. */
    final double[] colSums;

    Dense(INDArray w, INDArray b, INDArray dw, INDArray db, boolean relu) {
      this.w = w;
      this.dw = dw;
      this.b = DenseView.of(b);
      this.db = DenseView.of(db);
      this.relu = relu;
      this.colSums = new double[(int) b.length()];
    }

    int out() {
      return (int) w.size(1);
    }
  }

  /** An activation array with its gradient, as INDArrays (for gemm) and views (for loops). */
  private static final class Act {
    final INDArray a;
    final INDArray grad;
    final DenseView av;
    final DenseView gv;

    Act(DataType t, long n, long width) {
      a = Nd4j.create(t, n, width);
      grad = Nd4j.create(t, n, width);
      av = DenseView.of(a);
      gv = DenseView.of(grad);
    }
  }

  /** Activations and their gradients for one batch size. */
  private static final class Buffers {
    final Act[] enc; // enc[i]: output of encoder layer i
    final Act[] dec; // dec[k]: output of decoder layer k; the last holds the likelihood's parameters
    final Act mu;
    final Act logvar;
    final Act z;
    final DenseView sigma; // exp(logvar / 2), kept for the backward pass

    Buffers(DataType t, long n, List<Dense> encoder, List<Dense> decoder, long latent) {
      enc = new Act[encoder.size()];
      for (int i = 0; i < enc.length; i++) {
        enc[i] = new Act(t, n, encoder.get(i).out());
      }
      dec = new Act[decoder.size()];
      for (int k = 0; k < dec.length; k++) {
        dec[k] = new Act(t, n, decoder.get(k).out());
      }
      mu = new Act(t, n, latent);
      logvar = new Act(t, n, latent);
      z = new Act(t, n, latent);
      sigma = DenseView.of(Nd4j.create(t, n, latent));
    }
  }

  /** The two sums the loss and metrics are made of. */
  record Sums(double recon, double klTerms) {}

  private final VaeConfig config;
  private final DataType dtype;
  private final List<Dense> encoder = new ArrayList<>();
  private final Dense muLayer;
  private final Dense logvarLayer;
  /** Decoder layers in order; the first takes z, the last gives the likelihood's parameters. */
  private final List<Dense> decoder = new ArrayList<>();
  private final Map<String, INDArray> gradients = new LinkedHashMap<>();
  private final Map<Long, Buffers> buffers = new HashMap<>();

  /** Binds to the live parameter arrays {@code params} (names as in {@link VaeGraph}). */
  MlpVaeKernel(VaeConfig config, Map<String, INDArray> params, DataType dtype) {
    if (config.arch() != VaeConfig.Arch.MLP) {
      throw new IllegalArgumentException("MlpVaeKernel needs an MLP config, got " + config.arch());
    }
    this.config = config;
    this.dtype = dtype;
    List<Integer> hidden = config.hidden();
    for (int i = 0; i < hidden.size(); i++) {
      encoder.add(dense(params, "enc/" + i, true));
    }
    muLayer = dense(params, "enc/mu", false);
    logvarLayer = dense(params, "enc/logvar", false);
    for (int k = 0; k < hidden.size(); k++) {
      decoder.add(dense(params, "dec/" + k, true));
    }
    decoder.add(dense(params, "dec/out", false));
    for (String p : params.keySet()) {
      if (!gradients.containsKey(p)) {
        throw new IllegalStateException("MlpVaeKernel does not know parameter " + p);
      }
    }
  }

  private Dense dense(Map<String, INDArray> params, String name, boolean relu) {
    INDArray w = params.get(name + "/w");
    INDArray b = params.get(name + "/b");
    if (w == null || b == null) {
      throw new IllegalStateException("MLP VAE parameters " + name + "/w and /b are missing");
    }
    if (!DenseView.isDense(b) || b.dataType() != dtype) {
      throw new IllegalStateException("MLP VAE bias " + name + "/b must be a dense " + dtype + " array");
    }
    INDArray dw = Nd4j.create(dtype, w.shape());
    INDArray db = Nd4j.create(dtype, b.shape());
    gradients.put(name + "/w", dw);
    gradients.put(name + "/b", db);
    return new Dense(w, b, dw, db, relu);
  }

  /** The gradient arrays by parameter name; overwritten by every {@link #forwardBackward} call. */
  Map<String, INDArray> gradients() {
    return gradients;
  }

  /**
   * Forward and backward pass for images {@code x} [N, D] and noise {@code eps} [N, L], both of
   * the kernel's data type; fills {@link #gradients()} for the loss with KL weight {@code klWeight}.
   */
  Sums forwardBackward(INDArray x, INDArray eps, double klWeight) {
    long n = x.size(0);
    Buffers b = buffers.computeIfAbsent(n, k -> new Buffers(dtype, k, encoder, decoder, config.latent()));
    x = dense(x);
    eps = dense(eps);
    DenseView xv = DenseView.of(x);
    double klCoef = klWeight / (2.0 * n);

    // Encoder.
    INDArray h = x;
    for (int i = 0; i < encoder.size(); i++) {
      linear(encoder.get(i), h, b.enc[i]);
      h = b.enc[i].a;
    }
    linear(muLayer, h, b.mu);
    linear(logvarLayer, h, b.logvar);
    double klTerms = reparameterize(b, DenseView.of(eps));

    // Decoder.
    INDArray in = b.z.a;
    for (int k = 0; k < decoder.size(); k++) {
      linear(decoder.get(k), in, b.dec[k]);
      in = b.dec[k].a;
    }
    Act out = b.dec[decoder.size() - 1];
    double recon = Likelihoods.sumAndGradient(config, xv, out.av, out.gv, (int) n, 1.0 / n);

    // Decoder backward: out.grad holds dLoss/dOut.
    for (int k = decoder.size() - 1; k >= 0; k--) {
      INDArray input = k == 0 ? b.z.a : b.dec[k - 1].a;
      backward(decoder.get(k), b.dec[k], input, k == 0 ? b.z.grad : b.dec[k - 1].grad, false);
    }
    reparameterizeBackward(b, DenseView.of(eps), klCoef);
    int e = encoder.size();
    INDArray dh = e > 0 ? b.enc[e - 1].grad : null;
    backward(muLayer, b.mu, h, dh, false);
    backward(logvarLayer, b.logvar, h, dh, true);
    for (int i = e - 1; i >= 0; i--) {
      backward(encoder.get(i), b.enc[i], i > 0 ? b.enc[i - 1].a : x, i > 0 ? b.enc[i - 1].grad : null, false);
    }
    return new Sums(recon, klTerms);
  }

  private INDArray dense(INDArray a) {
    return DenseView.isDense(a) && a.dataType() == dtype ? a : a.castTo(dtype).dup('c');
  }

  /**
   * z = mu + sigma * eps with sigma = exp(logvar / 2); returns the KL terms' sum over the batch,
   * sum(mu^2 + exp(logvar) - logvar).
   */
  private static double reparameterize(Buffers b, DenseView eps) {
    DenseView mu = b.mu.av;
    DenseView lv = b.logvar.av;
    DenseView z = b.z.av;
    double kl = 0;
    for (int i = 0; i < mu.length; i++) {
      double m = mu.get(i);
      double l = lv.get(i);
      double s = Math.exp(0.5 * l);
      b.sigma.set(i, s);
      z.set(i, m + s * eps.get(i));
      kl += m * m + s * s - l;
    }
    return kl;
  }

  /**
   * From dLoss/dz to dLoss/dmu = dz + 2 klCoef mu and dLoss/dlogvar = dz eps sigma / 2 + klCoef
   * (exp(logvar) - 1).
   */
  private static void reparameterizeBackward(Buffers b, DenseView eps, double klCoef) {
    DenseView dz = b.z.gv;
    for (int i = 0; i < dz.length; i++) {
      double g = dz.get(i);
      double s = b.sigma.get(i);
      b.mu.gv.set(i, g + 2 * klCoef * b.mu.av.get(i));
      b.logvar.gv.set(i, 0.5 * g * eps.get(i) * s + klCoef * (s * s - 1));
    }
  }

  /** out = act(in @ W + b): the gemm, then bias and ReLU in one pass. */
  private static void linear(Dense l, INDArray in, Act out) {
    Nd4j.gemm(in, l.w, out.a, false, false, 1.0, 0.0);
    DenseView o = out.av;
    int width = l.out();
    for (int i = 0; i < o.length; ) {
      for (int c = 0; c < width; c++, i++) {
        double v = o.get(i) + l.b.get(c);
        o.set(i, l.relu && v < 0 ? 0 : v);
      }
    }
  }

  /**
   * Backward through one layer given dLoss/d(output) in {@code out.grad}: applies ReLU's
   * derivative (from the output) in place, then db = column sums (same pass), dW = in^T @ grad and
   * dIn = grad @ W^T (added to dIn when {@code accumulate}, skipped when dIn is null).
   */
  private static void backward(Dense l, Act out, INDArray in, INDArray dIn, boolean accumulate) {
    DenseView g = out.gv;
    DenseView a = out.av;
    double[] sums = l.colSums;
    java.util.Arrays.fill(sums, 0);
    int width = sums.length;
    for (int i = 0; i < g.length; ) {
      for (int c = 0; c < width; c++, i++) {
        double v = g.get(i);
        if (l.relu && a.get(i) <= 0) {
          v = 0;
          g.set(i, 0);
        }
        sums[c] += v;
      }
    }
    for (int c = 0; c < width; c++) {
      l.db.set(c, sums[c]);
    }
    Nd4j.gemm(in, out.grad, l.dw, true, false, 1.0, 0.0);
    if (dIn != null) {
      Nd4j.gemm(out.grad, l.w, dIn, false, true, 1.0, accumulate ? 1.0 : 0.0);
    }
  }
}
