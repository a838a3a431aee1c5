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
 * ({@link HostMirror}), because at these sizes the ~50 small ND4J ops they replace cost more in
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
    final INDArray b;
    final INDArray dw;
    final INDArray db;
    final boolean relu;
    /** Holds b in the forward pass, db's column sums in the backward pass. */
    final HostMirror bias;

    Dense(INDArray w, INDArray b, INDArray dw, INDArray db, boolean relu) {
      this.w = w;
      this.b = b;
      this.dw = dw;
      this.db = db;
      this.relu = relu;
      this.bias = new HostMirror(b.length());
    }
  }

  /** An activation array and its gradient, with their Java mirrors. */
  private static final class Act {
    final INDArray a;
    final INDArray grad;
    final HostMirror am;
    final HostMirror gm;

    Act(DataType t, long n, long width) {
      a = Nd4j.create(t, n, width);
      grad = Nd4j.create(t, n, width);
      am = new HostMirror(n * width);
      gm = new HostMirror(n * width);
    }
  }

  /** Activations and their gradients for one batch size. */
  private static final class Buffers {
    final Act[] enc; // enc[i]: output of encoder layer i
    final Act[] dec; // dec[k]: output of decoder layer k; the last holds the likelihood's parameters
    final Act mu;
    final Act logvar;
    final Act z;
    final HostMirror x;
    final HostMirror eps;
    final double[] sigma; // exp(logvar / 2), kept for the backward pass

    Buffers(DataType t, long n, List<Dense> encoder, List<Dense> decoder, long inputSize, long latent) {
      enc = new Act[encoder.size()];
      for (int i = 0; i < enc.length; i++) {
        enc[i] = new Act(t, n, encoder.get(i).w.size(1));
      }
      dec = new Act[decoder.size()];
      for (int k = 0; k < dec.length; k++) {
        dec[k] = new Act(t, n, decoder.get(k).w.size(1));
      }
      mu = new Act(t, n, latent);
      logvar = new Act(t, n, latent);
      z = new Act(t, n, latent);
      x = new HostMirror(n * inputSize);
      eps = new HostMirror(n * latent);
      sigma = new double[Math.toIntExact(n * latent)];
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
    if (!HostMirror.isDense(b) || b.dataType() != dtype) {
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
    Buffers b = buffers.computeIfAbsent(n,
        k -> new Buffers(dtype, k, encoder, decoder, config.inputSize(), config.latent()));
    x = dense(x);
    double[] xs = b.x.load(x);
    double[] es = b.eps.load(dense(eps));
    double klCoef = klWeight / (2.0 * n);

    // Encoder.
    INDArray h = x;
    for (int i = 0; i < encoder.size(); i++) {
      linear(encoder.get(i), h, b.enc[i]);
      h = b.enc[i].a;
    }
    linear(muLayer, h, b.mu);
    linear(logvarLayer, h, b.logvar);
    double klTerms = reparameterize(b, es);

    // Decoder.
    INDArray in = b.z.a;
    for (int k = 0; k < decoder.size(); k++) {
      linear(decoder.get(k), in, b.dec[k]);
      in = b.dec[k].a;
    }
    Act out = b.dec[decoder.size() - 1];
    double recon = Likelihoods.sumAndGradient(config, xs, out.am.values, out.gm.values, (int) n, 1.0 / n);
    out.gm.store(out.grad);

    // Decoder backward: out.grad holds dLoss/dOut.
    for (int k = decoder.size() - 1; k >= 0; k--) {
      INDArray input = k == 0 ? b.z.a : b.dec[k - 1].a;
      backward(decoder.get(k), b.dec[k], input, k == 0 ? b.z.grad : b.dec[k - 1].grad, false);
    }
    reparameterizeBackward(b, es, klCoef);
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
    return HostMirror.isDense(a) && a.dataType() == dtype ? a : a.castTo(dtype).dup('c');
  }

  /**
   * z = mu + sigma * eps with sigma = exp(logvar / 2), from the mu and logvar mirrors {@link
   * #linear} left; returns the KL terms' sum over the batch, sum(mu^2 + exp(logvar) - logvar).
   */
  private static double reparameterize(Buffers b, double[] eps) {
    double[] mu = b.mu.am.values;
    double[] lv = b.logvar.am.values;
    double[] z = b.z.am.values;
    double kl = 0;
    for (int i = 0; i < mu.length; i++) {
      double s = Math.exp(0.5 * lv[i]);
      b.sigma[i] = s;
      z[i] = mu[i] + s * eps[i];
      kl += mu[i] * mu[i] + s * s - lv[i];
    }
    b.z.am.store(b.z.a);
    return kl;
  }

  /**
   * From dLoss/dz to dLoss/dmu = dz + 2 klCoef mu and dLoss/dlogvar = dz eps sigma / 2 + klCoef
   * (exp(logvar) - 1).
   */
  private static void reparameterizeBackward(Buffers b, double[] eps, double klCoef) {
    double[] dz = b.z.gm.load(b.z.grad);
    double[] mu = b.mu.am.values;
    double[] dmu = b.mu.gm.values;
    double[] dlv = b.logvar.gm.values;
    for (int i = 0; i < dz.length; i++) {
      double s = b.sigma[i];
      dmu[i] = dz[i] + 2 * klCoef * mu[i];
      dlv[i] = 0.5 * dz[i] * eps[i] * s + klCoef * (s * s - 1);
    }
    b.mu.gm.store(b.mu.grad);
    b.logvar.gm.store(b.logvar.grad);
  }

  /** out = act(in @ W + b): the gemm, then bias and ReLU in one pass; out.am keeps the result. */
  private static void linear(Dense l, INDArray in, Act out) {
    Nd4j.gemm(in, l.w, out.a, false, false, 1.0, 0.0);
    double[] o = out.am.load(out.a);
    double[] bias = l.bias.load(l.b);
    int width = bias.length;
    for (int row = 0; row < o.length; row += width) {
      for (int c = 0; c < width; c++) {
        double v = o[row + c] + bias[c];
        o[row + c] = l.relu && v < 0 ? 0 : v;
      }
    }
    out.am.store(out.a);
  }

  /**
   * Backward through one layer given dLoss/d(output) in {@code out.grad}: applies ReLU's
   * derivative (from the output, which out.am still holds from {@link #linear}) in place, then db
   * = column sums (same pass), dW = in^T @ grad and dIn = grad @ W^T (added to dIn when {@code
   * accumulate}, skipped when dIn is null).
   */
  private static void backward(Dense l, Act out, INDArray in, INDArray dIn, boolean accumulate) {
    double[] g = out.gm.load(out.grad);
    double[] sums = l.bias.values;
    java.util.Arrays.fill(sums, 0);
    int width = sums.length;
    if (l.relu) {
      double[] a = out.am.values;
      for (int i = 0; i < g.length; i++) {
        if (a[i] <= 0) {
          g[i] = 0;
        }
      }
      out.gm.store(out.grad);
    }
    for (int row = 0; row < g.length; row += width) {
      for (int c = 0; c < width; c++) {
        sums[c] += g[row + c];
      }
    }
    l.bias.store(l.db);
    Nd4j.gemm(in, out.grad, l.dw, true, false, 1.0, 0.0);
    if (dIn != null) {
      Nd4j.gemm(out.grad, l.w, dIn, false, true, 1.0, accumulate ? 1.0 : 0.0);
    }
  }
}
