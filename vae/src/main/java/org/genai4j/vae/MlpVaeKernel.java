package org.genai4j.vae;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.genai4j.common.nn.NativeFloats;
import org.genai4j.common.nn.Sgemm;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A hand-written forward and backward pass of the MLP VAE's training loss, in plain ND4J (gemm
 * into preallocated buffers, in-place elementwise ops). It computes exactly what {@link VaeGraph}
 * defines for {@link VaeConfig.Arch#MLP} (same parameters, ReLU hidden layers, same likelihoods,
 * same softplus guard), without SameDiff's per-op session bookkeeping, which dominates the step
 * time of this small model. FLOAT goes further: its products call OpenBLAS directly ({@link
 * Sgemm}) and the elementwise work runs as Java loops over float[] mirrors, leaving one ND4J op
 * (the Bernoulli sigmoid); DOUBLE keeps the ND4J ops.
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
    /** Java mirrors of the FLOAT path, null on the ND4J path. */
    final FloatMirrors j;
    /** FLOAT path: a dense copy of the images when the batch's own array is not dense. */
    final INDArray xDense;

    Buffers(DataType t, long n, List<Dense> enc, List<Dense> dec, long d, long l, boolean direct) {
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
      xDense = direct ? Nd4j.create(t, n, d) : null;
      j = direct ? new FloatMirrors(n, enc, dec, d, l, outWidth) : null;
    }
  }

  /** Java copies of the activations and gradients the FLOAT path loops over. */
  private static final class FloatMirrors {
    final float[][] enc; // enc[i] mirrors encIn[i] (i >= 1: after bias and ReLU)
    final float[][] encGrad;
    final float[][] dec; // dec[k] mirrors decIn[k] (dec[0] is z)
    final float[][] decGrad;
    final float[] x, out, dOut, tmp, mu, logvar, sigma, eps, bias, db;

    FloatMirrors(long n, List<Dense> encL, List<Dense> decL, long d, long l, long outWidth) {
      int e = encL.size();
      enc = new float[e + 1][];
      encGrad = new float[e + 1][];
      int widest = (int) Math.max(outWidth, l);
      for (int i = 1; i <= e; i++) {
        int w = (int) encL.get(i - 1).w().size(1);
        enc[i] = new float[(int) n * w];
        encGrad[i] = new float[(int) n * w];
        widest = Math.max(widest, w);
      }
      dec = new float[decL.size()][];
      decGrad = new float[decL.size()][];
      for (int k = 0; k < decL.size(); k++) {
        int w = (int) decL.get(k).w().size(0);
        dec[k] = new float[(int) n * w];
        decGrad[k] = new float[(int) n * w];
        widest = Math.max(widest, w);
      }
      x = new float[(int) (n * d)];
      out = new float[(int) (n * outWidth)];
      dOut = new float[(int) (n * outWidth)];
      tmp = new float[(int) (n * outWidth)];
      mu = new float[(int) (n * l)];
      logvar = new float[(int) (n * l)];
      sigma = new float[(int) (n * l)];
      eps = new float[(int) (n * l)];
      bias = new float[widest];
      db = new float[widest];
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
  /** FLOAT: gemms straight into OpenBLAS and the cheap elementwise work fused in Java loops. */
  private final boolean direct;

  /**
   * Set to true (system property) to keep FLOAT on the plain ND4J path too: for measuring the two
   * paths against each other. Read when a kernel is built.
   */
  static final String ND4J_PATH_PROPERTY = "genai4j.vae.nd4jKernel";

  /** Binds to the live parameter arrays {@code params} (names as in {@link VaeGraph}). */
  MlpVaeKernel(VaeConfig config, Map<String, INDArray> params, DataType dtype) {
    if (config.arch() != VaeConfig.Arch.MLP) {
      throw new IllegalArgumentException("MlpVaeKernel needs an MLP config, got " + config.arch());
    }
    this.config = config;
    this.dtype = dtype;
    this.direct = dtype == DataType.FLOAT && !Boolean.getBoolean(ND4J_PATH_PROPERTY);
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
   * the kernel's data type, that are one shard of a batch of {@code wholeBatch} images (all of it
   * when N equals it); fills {@link #gradients()} for the loss with KL weight {@code klWeight}. The
   * gradients are those of the whole batch's mean loss (divided by {@code wholeBatch}), so the
   * shards' gradients add up to the batch's; the sums are this shard's.
   */
  Sums forwardBackward(INDArray x, INDArray eps, double klWeight, long wholeBatch) {
    long n = x.size(0);
    if (wholeBatch < n) {
      throw new IllegalArgumentException("a shard of " + n + " images cannot belong to a batch of " + wholeBatch);
    }
    Buffers b = buffers.computeIfAbsent(n, k -> new Buffers(dtype, k, encoder, decoder, config.inputSize(), config.latent(), direct));
    if (direct) {
      return forwardBackwardFloat(x, eps, klWeight, wholeBatch, b);
    }
    double invN = 1.0 / wholeBatch;
    double klCoef = klWeight / (2.0 * wholeBatch);

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

  // ---- FLOAT path: 14 direct cblas_sgemm calls and Java loops; ND4J only for the sigmoid ----

  private Sums forwardBackwardFloat(INDArray xIn, INDArray epsIn, double klWeight, long wholeBatch, Buffers b) {
    FloatMirrors m = b.j;
    int n = (int) xIn.size(0);
    int latent = (int) config.latent();
    float invN = (float) (1.0 / wholeBatch);
    double klCoef = klWeight / (2.0 * wholeBatch);
    INDArray x = dense(xIn, b.xDense);
    NativeFloats.read(x, m.x, 0);
    NativeFloats.read(dense(epsIn, b.tmpL), m.eps, 0);

    // Encoder.
    b.encIn[0] = x;
    m.enc[0] = m.x;
    for (int i = 0; i < encoder.size(); i++) {
      linearFloat(encoder.get(i), b.encIn[i], b.encIn[i + 1], m.enc[i + 1], m, n);
    }
    int e = encoder.size();
    INDArray h = b.encIn[e];
    linearFloat(muLayer, h, b.mu, m.mu, m, n);
    linearFloat(logvarLayer, h, b.logvar, m.logvar, m, n);
    float[] z = m.dec[0];
    double klTerms = 0;
    for (int q = 0; q < n * latent; q++) {
      double lv = m.logvar[q];
      double sigma = Math.exp(0.5 * lv);
      m.sigma[q] = (float) sigma;
      z[q] = (float) (m.mu[q] + sigma * m.eps[q]);
      klTerms += (double) m.mu[q] * m.mu[q] + sigma * sigma - lv;
    }
    NativeFloats.write(z, 0, b.z);

    // Decoder.
    for (int k = 0; k < decoder.size(); k++) {
      boolean last = k + 1 == decoder.size();
      linearFloat(decoder.get(k), b.decIn[k], last ? b.out : b.decIn[k + 1], last ? m.out : m.dec[k + 1], m, n);
    }
    double recon;
    if (config.likelihood() == VaeConfig.Likelihood.BERNOULLI) {
      recon = bernoulliFloat(b, m, n * (int) config.inputSize(), invN);
    } else {
      recon = likelihood(x, b, invN);
      NativeFloats.read(b.dOut, m.dOut, 0);
    }

    // Decoder backward: m.dOut / b.dOut hold dLoss/dOut.
    for (int k = decoder.size() - 1; k >= 0; k--) {
      boolean last = k + 1 == decoder.size();
      INDArray grad = last ? b.dOut : b.decGrad[k + 1];
      float[] gradJ = last ? m.dOut : m.decGrad[k + 1];
      if (decoder.get(k).relu()) {
        reluBackward(m.dec[k + 1], gradJ, grad);
      }
      backwardFloat(decoder.get(k), b.decIn[k], grad, gradJ, b.decGrad[k], m.decGrad[k], false, m, n);
    }
    // Reparameterization and KL: z = mu + sigma * eps, sigma = exp(logvar / 2).
    float[] dz = m.decGrad[0];
    float[] dmu = m.mu; // both overwritten in place: mu and sigma are not needed afterwards
    float[] dlogvar = m.sigma;
    for (int q = 0; q < n * latent; q++) {
      float s = m.sigma[q];
      dmu[q] = (float) (2 * klCoef * dmu[q] + dz[q]);
      dlogvar[q] = (float) (0.5 * dz[q] * m.eps[q] * s + klCoef * ((double) s * s - 1.0));
    }
    NativeFloats.write(dmu, 0, b.dmu);
    NativeFloats.write(dlogvar, 0, b.dlogvar);
    INDArray dh = e > 0 ? b.encGrad[e] : null;
    float[] dhJ = e > 0 ? m.encGrad[e] : null;
    backwardFloat(muLayer, h, b.dmu, dmu, dh, null, false, m, n);
    backwardFloat(logvarLayer, h, b.dlogvar, dlogvar, dh, dhJ, true, m, n);
    for (int i = e - 1; i >= 0; i--) {
      reluBackward(m.enc[i + 1], m.encGrad[i + 1], b.encGrad[i + 1]);
      backwardFloat(encoder.get(i), b.encIn[i], b.encGrad[i + 1], m.encGrad[i + 1],
          i > 0 ? b.encGrad[i] : null, i > 0 ? m.encGrad[i] : null, false, m, n);
    }
    return new Sums(recon, klTerms);
  }

  /** {@code a} itself when gemm can address it (dense c-ordered, not a view), else a copy in {@code spare}. */
  private static INDArray dense(INDArray a, INDArray spare) {
    try {
      Sgemm.pointer(a);
      return a;
    } catch (IllegalArgumentException notDense) {
      return spare.assign(a);
    }
  }

  /** out = act(in @ W + b), in native memory and in the Java mirror outJ. */
  private static void linearFloat(Dense l, INDArray in, INDArray out, float[] outJ, FloatMirrors m, int n) {
    int k = (int) l.w().size(0);
    int w = (int) l.w().size(1);
    Sgemm.gemm(false, false, n, w, k, 1f, Sgemm.pointer(in), 0, k, Sgemm.pointer(l.w()), 0, w, 0f,
        Sgemm.pointer(out), 0, w);
    NativeFloats.read(out, outJ, 0);
    float[] bias = NativeFloats.read(l.b(), m.bias, 0);
    // Separate branch-free loops so C2 vectorizes them (a conditional per element does not).
    for (int r = 0; r < n; r++) {
      int row = r * w;
      if (l.relu()) {
        for (int c = 0; c < w; c++) {
          outJ[row + c] = Math.max(outJ[row + c] + bias[c], 0f);
        }
      } else {
        for (int c = 0; c < w; c++) {
          outJ[row + c] += bias[c];
        }
      }
    }
    NativeFloats.write(outJ, 0, out);
  }

  /** grad *= (activation > 0), in the mirror and in native memory. */
  private static void reluBackward(float[] activation, float[] gradJ, INDArray grad) {
    int len = (int) grad.length();
    // activation >= 0 (a ReLU output): its bits minus one are negative exactly for +0, so the
    // sign-extended shift gives an all-ones mask there; grad keeps its bits where activation > 0.
    for (int q = 0; q < len; q++) {
      int zero = (Float.floatToRawIntBits(activation[q]) - 1) >> 31;
      gradJ[q] = Float.intBitsToFloat(Float.floatToRawIntBits(gradJ[q]) & ~zero);
    }
    NativeFloats.write(gradJ, 0, grad);
  }

  /**
   * dW = in^T @ grad, db = column sums of grad (from its mirror), dIn = grad @ W^T (+= when
   * accumulate; skipped when dIn is null), read into dInJ when that is not null.
   */
  private static void backwardFloat(Dense l, INDArray in, INDArray grad, float[] gradJ, INDArray dIn,
      float[] dInJ, boolean accumulate, FloatMirrors m, int n) {
    int k = (int) l.w().size(0);
    int w = (int) l.w().size(1);
    Sgemm.gemm(true, false, k, w, n, 1f, Sgemm.pointer(in), 0, k, Sgemm.pointer(grad), 0, w, 0f,
        Sgemm.pointer(l.dw()), 0, w);
    float[] db = m.db;
    java.util.Arrays.fill(db, 0, w, 0f);
    for (int r = 0; r < n; r++) {
      int row = r * w;
      for (int c = 0; c < w; c++) {
        db[c] += gradJ[row + c];
      }
    }
    NativeFloats.write(db, 0, l.db());
    if (dIn != null) {
      Sgemm.gemm(false, true, n, k, w, 1f, Sgemm.pointer(grad), 0, w, Sgemm.pointer(l.w()), 0, w,
          accumulate ? 1f : 0f, Sgemm.pointer(dIn), 0, k);
      if (dInJ != null) {
        NativeFloats.read(dIn, dInJ, 0);
      }
    }
  }

  /**
   * Bernoulli NLL sum, softplus(l) - x*l, and dLoss/dOut = (sigmoid(l) - x) / N into b.dOut and
   * m.dOut, from one ND4J sigmoid op (Java's exp per pixel costs more). The softplus comes from the
   * same sigmoid: softplus(l) = max(l, 0) - log(sigmoid(|l|)), with sigmoid(|l|) = 0.5 + |p - 0.5|
   * in [0.5, 1], so the logs of a block of pixels are one log of their product. This never
   * overflows (VaeGraph's guard at 30 is the same function); float rounding of p costs at most
   * ~3e-8 per pixel.
   */
  private static double bernoulliFloat(Buffers b, FloatMirrors m, int len, float invN) {
    float[] out = m.out;
    float[] x = m.x;
    float[] d = m.dOut;
    Nd4j.exec(new Sigmoid(b.out, b.dOut));
    NativeFloats.read(b.dOut, d, 0);
    // Four independent chains each for the products and the sums (one chain is latency-bound);
    // 256 pixels per log keep the product above 2^-256.
    double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    double logSum = 0;
    int q = 0;
    while (q + 3 < len) {
      double p0 = 1, p1 = 1, p2 = 1, p3 = 1;
      int end = Math.min(len - 3, q + 256);
      for (; q < end; q += 4) {
        p0 *= 0.5f + Math.abs(d[q] - 0.5f);
        p1 *= 0.5f + Math.abs(d[q + 1] - 0.5f);
        p2 *= 0.5f + Math.abs(d[q + 2] - 0.5f);
        p3 *= 0.5f + Math.abs(d[q + 3] - 0.5f);
        a0 += Math.max(out[q], 0f) - (double) x[q] * out[q];
        a1 += Math.max(out[q + 1], 0f) - (double) x[q + 1] * out[q + 1];
        a2 += Math.max(out[q + 2], 0f) - (double) x[q + 2] * out[q + 2];
        a3 += Math.max(out[q + 3], 0f) - (double) x[q + 3] * out[q + 3];
      }
      logSum += Math.log((p0 * p1) * (p2 * p3));
    }
    for (; q < len; q++) {
      logSum += Math.log(0.5f + Math.abs(d[q] - 0.5f));
      a0 += Math.max(out[q], 0f) - (double) x[q] * out[q];
    }
    for (int i = 0; i < len; i++) {
      d[i] = (d[i] - x[i]) * invN;
    }
    NativeFloats.write(d, 0, b.dOut);
    return (a0 + a1) + (a2 + a3) - logSum;
  }

}
