package org.genai4j.vae;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A hand-written forward and backward pass of the MLP VAE's training loss, in plain ND4J (gemm
 * into preallocated buffers, in-place elementwise ops). It computes exactly what {@link VaeGraph}
 * defines for {@link VaeConfig.Arch#MLP} (same parameters, ReLU hidden layers, same likelihoods,
 * same softplus guard), without SameDiff's per-op session bookkeeping, which dominates the step
 * time of this small model.
 *
 * <p>Loss = reconSum / N + klCoef * klTermSum (klCoef = klWeight / (2N)); the caller adds the
 * constant -klWeight * L / 2. Buffers are kept per batch size, so a smaller last batch costs one
 * allocation per epoch, not per step. Not thread-safe.
 */
final class MlpVaeKernel {

  private static final double SOFTPLUS_LINEAR_FROM = 30;

  /** One {@code x @ W + b} layer with its gradient arrays (W is [in, out], b is [out]). */
  private record Dense(String name, INDArray w, INDArray b, INDArray dw, INDArray db, boolean relu) {}

  /** Activations and their gradients for one batch size. */
  private static final class Buffers {
    final INDArray[] encIn; // encIn[i]: input of encoder layer i (encIn[0] is the batch itself)
    final INDArray[] encGrad; // gradient w.r.t. encoder layer i's output (pre-ReLU after masking)
    final INDArray[] decIn; // decIn[0] = z
    final INDArray[] decGrad; // decGrad[k]: gradient w.r.t. decoder layer k's output
    final INDArray[] encMask; // encMask[i] has encIn[i]'s shape: ReLU derivative scratch
    final INDArray[] decMask;
    final INDArray mu, logvar, sigma, expLogvar, z, dz, dmu, dlogvar, tmpL;
    final INDArray out, dOut, tmpD, tmpD2;

    Buffers(DataType t, long n, List<Dense> enc, List<Dense> dec, long d, long l) {
      int e = enc.size();
      encIn = new INDArray[e + 1];
      encGrad = new INDArray[e + 1];
      encMask = new INDArray[e + 1];
      for (int i = 1; i <= e; i++) {
        encIn[i] = Nd4j.create(t, n, enc.get(i - 1).w().size(1));
        encGrad[i] = Nd4j.create(t, n, enc.get(i - 1).w().size(1));
        encMask[i] = Nd4j.create(t, n, enc.get(i - 1).w().size(1));
      }
      decIn = new INDArray[dec.size()];
      decGrad = new INDArray[dec.size()];
      decMask = new INDArray[dec.size()];
      for (int k = 0; k < dec.size(); k++) {
        decIn[k] = Nd4j.create(t, n, dec.get(k).w().size(0));
        decGrad[k] = Nd4j.create(t, n, dec.get(k).w().size(0));
        decMask[k] = Nd4j.create(t, n, dec.get(k).w().size(0));
      }
      mu = Nd4j.create(t, n, l);
      logvar = Nd4j.create(t, n, l);
      sigma = Nd4j.create(t, n, l);
      expLogvar = Nd4j.create(t, n, l);
      z = decIn[0];
      dz = decGrad[0];
      dmu = Nd4j.create(t, n, l);
      dlogvar = Nd4j.create(t, n, l);
      tmpL = Nd4j.create(t, n, l);
      long outWidth = dec.get(dec.size() - 1).w().size(1);
      out = Nd4j.create(t, n, outWidth);
      dOut = Nd4j.create(t, n, outWidth);
      tmpD = Nd4j.create(t, n, d);
      tmpD2 = Nd4j.create(t, n, d);
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
    Dense d = new Dense(name, w, b, Nd4j.create(dtype, w.shape()), Nd4j.create(dtype, b.shape()), relu);
    gradients.put(name + "/w", d.dw());
    gradients.put(name + "/b", d.db());
    return d;
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
    Buffers b = buffers.computeIfAbsent(n, k -> new Buffers(dtype, k, encoder, decoder, config.inputSize(), config.latent()));
    double invN = 1.0 / n;
    double klCoef = klWeight / (2.0 * n);

    // Encoder.
    b.encIn[0] = x;
    for (int i = 0; i < encoder.size(); i++) {
      linear(encoder.get(i), b.encIn[i], b.encIn[i + 1]);
    }
    INDArray h = b.encIn[encoder.size()];
    linear(muLayer, h, b.mu);
    linear(logvarLayer, h, b.logvar);
    b.sigma.assign(b.logvar).muli(0.5);
    Transforms.exp(b.sigma, false);
    b.z.assign(b.sigma).muli(eps).addi(b.mu);
    b.expLogvar.assign(b.logvar);
    Transforms.exp(b.expLogvar, false);
    double klTerms = b.tmpL.assign(b.mu).muli(b.mu).sumNumber().doubleValue()
        + b.expLogvar.sumNumber().doubleValue() - b.logvar.sumNumber().doubleValue();

    // Decoder.
    for (int k = 0; k < decoder.size(); k++) {
      INDArray target = k + 1 < decoder.size() ? b.decIn[k + 1] : b.out;
      linear(decoder.get(k), b.decIn[k], target);
    }
    double recon = likelihood(x, b, invN);

    // Decoder backward: b.dOut holds dLoss/dOut.
    for (int k = decoder.size() - 1; k >= 0; k--) {
      INDArray grad = k + 1 < decoder.size() ? b.decGrad[k + 1] : b.dOut;
      if (decoder.get(k).relu()) {
        reluBackward(b.decIn[k + 1], grad, b.decMask[k + 1]);
      }
      backward(decoder.get(k), b.decIn[k], grad, b.decGrad[k]);
    }
    // Reparameterization and KL: z = mu + sigma * eps, sigma = exp(logvar / 2).
    b.dmu.assign(b.mu).muli(2 * klCoef).addi(b.dz);
    b.dlogvar.assign(b.dz).muli(eps).muli(b.sigma).muli(0.5);
    b.dlogvar.addi(b.tmpL.assign(b.expLogvar).subi(1.0).muli(klCoef));
    int e = encoder.size();
    INDArray dh = e > 0 ? b.encGrad[e] : null;
    backward(muLayer, h, b.dmu, dh);
    backwardAccumulate(logvarLayer, h, b.dlogvar, dh);
    for (int i = e - 1; i >= 0; i--) {
      reluBackward(b.encIn[i + 1], b.encGrad[i + 1], b.encMask[i + 1]);
      backward(encoder.get(i), b.encIn[i], b.encGrad[i + 1], i > 0 ? b.encGrad[i] : null);
    }
    return new Sums(recon, klTerms);
  }

  /** Sum of -log p(x|z) over the batch; writes dLoss/dOut (the 1/N of the mean included) to b.dOut. */
  private double likelihood(INDArray x, Buffers b, double invN) {
    long n = x.size(0);
    long d = config.inputSize();
    switch (config.likelihood()) {
      case BERNOULLI: {
        // softplus(l) - x*l, softplus(l) = softplus(min(l, 30)) + relu(l - 30), as VaeGraph.
        INDArray t = b.tmpD;
        Transforms.min(t.assign(b.out), SOFTPLUS_LINEAR_FROM, false);
        double sum = Transforms.softPlus(t, false).sumNumber().doubleValue();
        sum += Transforms.relu(t.assign(b.out).subi(SOFTPLUS_LINEAR_FROM), false).sumNumber().doubleValue();
        sum -= t.assign(b.out).muli(x).sumNumber().doubleValue();
        Transforms.sigmoid(b.dOut.assign(b.out), false).subi(x).muli(invN);
        return sum;
      }
      case GAUSSIAN_FIXED: {
        double var = config.gaussianStd() * config.gaussianStd();
        double c = 0.5 * Math.log(2 * Math.PI * var);
        INDArray diff = b.tmpD.assign(b.out).subi(x);
        b.dOut.assign(diff).muli(invN / var);
        return diff.muli(diff).sumNumber().doubleValue() * (0.5 / var) + c * n * d;
      }
      case GAUSSIAN_LEARNED: {
        INDArray mean = b.out.get(NDArrayIndex.all(), NDArrayIndex.interval(0, d));
        INDArray lv = b.out.get(NDArrayIndex.all(), NDArrayIndex.interval(d, 2 * d));
        INDArray dMean = b.dOut.get(NDArrayIndex.all(), NDArrayIndex.interval(0, d));
        INDArray dLv = b.dOut.get(NDArrayIndex.all(), NDArrayIndex.interval(d, 2 * d));
        INDArray diff = b.tmpD.assign(mean).subi(x);
        INDArray precision = Transforms.exp(b.tmpD2.assign(lv).negi(), false);
        dMean.assign(diff).muli(precision).muli(invN);
        INDArray scaledSq = diff.muli(diff).muli(precision);
        double sum = 0.5 * (scaledSq.sumNumber().doubleValue() + lv.sumNumber().doubleValue()
            + Math.log(2 * Math.PI) * n * d);
        dLv.assign(scaledSq).rsubi(1.0).muli(0.5 * invN);
        return sum;
      }
      default:
        throw new IllegalStateException("unknown likelihood " + config.likelihood());
    }
  }

  /** out = act(in @ W + b). */
  private static void linear(Dense l, INDArray in, INDArray out) {
    Nd4j.gemm(in, l.w(), out, false, false, 1.0, 0.0);
    out.addiRowVector(l.b());
    if (l.relu()) {
      Transforms.relu(out, false);
    }
  }

  /** grad *= (activation > 0): ReLU's derivative, from its output. */
  private static void reluBackward(INDArray activation, INDArray grad, INDArray mask) {
    Transforms.step(mask.assign(activation), false);
    grad.muli(mask);
  }

  /** dW = in^T @ grad, db = column sums of grad, dIn = grad @ W^T (skipped when dIn is null). */
  private static void backward(Dense l, INDArray in, INDArray grad, INDArray dIn) {
    Nd4j.gemm(in, grad, l.dw(), true, false, 1.0, 0.0);
    grad.sum(l.db(), 0);
    if (dIn != null) {
      Nd4j.gemm(grad, l.w(), dIn, false, true, 1.0, 0.0);
    }
  }

  /** As {@link #backward} but adds to dIn instead of overwriting it. */
  private static void backwardAccumulate(Dense l, INDArray in, INDArray grad, INDArray dIn) {
    Nd4j.gemm(in, grad, l.dw(), true, false, 1.0, 0.0);
    grad.sum(l.db(), 0);
    if (dIn != null) {
      Nd4j.gemm(grad, l.w(), dIn, false, true, 1.0, 1.0);
    }
  }
}
