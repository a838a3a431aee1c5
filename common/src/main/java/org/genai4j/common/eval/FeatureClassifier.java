package org.genai4j.common.eval;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.MultiLayerNetworkGroup;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.ParameterGroup;
import org.genai4j.common.train.Trainable;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.genai4j.common.train.TrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.genai4j.common.util.AtomicFile;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A small CNN image classifier (conv-pool-conv-pool-dense-softmax, DL4J layers) used as the
 * feature extractor for Frechet distances of generated images (Inception weights are not
 * available offline) and to score which classes a generator produces. It is trained once per
 * dataset through the genai4j {@link Trainer} and cached on disk, keyed by the dataset name, the
 * configuration and a hash of the training data.
 *
 * <p>Images are {@code [N, C, H, W]} with pixels in [0, 1].
 */
public final class FeatureClassifier {

  /** The cache folder when none is given: {@code genai4j.classifiers} property, else {@code ~/.genai4j/classifiers}. */
  public static Path defaultCacheDir() {
    String p = System.getProperty("genai4j.classifiers");
    if (p == null || p.isBlank()) {
      p = System.getenv("GENAI4J_CLASSIFIERS");
    }
    return p == null || p.isBlank()
        ? Path.of(System.getProperty("user.home"), ".genai4j", "classifiers")
        : Path.of(p);
  }

  /**
   * The classifier's shape and training settings.
   *
   * @param conv1 filters of the first 3x3 convolution (then 2x2 max-pooling)
   * @param conv2 filters of the second 3x3 convolution (then 2x2 max-pooling)
   * @param hidden width of the dense layer whose activations are the features
   * @param epochs passes over the training set (as steps of random mini-batches)
   */
  public record Config(int channels, int height, int width, int classes, int conv1, int conv2, int hidden,
      int epochs, int batchSize, double learningRate, long seed) {

    public Config {
      if (channels < 1 || height < 4 || width < 4) {
        throw new IllegalArgumentException("images must be at least 1x4x4, got " + channels + "x" + height + "x" + width);
      }
      if (classes < 2) throw new IllegalArgumentException("classes must be >= 2, got " + classes);
      if (conv1 < 1 || conv2 < 1 || hidden < 1) {
        throw new IllegalArgumentException("conv1, conv2 and hidden must be >= 1");
      }
      if (epochs < 1 || batchSize < 1) throw new IllegalArgumentException("epochs and batchSize must be >= 1");
      if (!(learningRate > 0)) throw new IllegalArgumentException("learningRate must be > 0, got " + learningRate);
    }

    /** The defaults that reach 0.90+ test accuracy on Fashion-MNIST (28x28x1, 10 classes). */
    public static Config defaults(int channels, int height, int width, int classes) {
      return new Config(channels, height, width, classes, 16, 32, 128, 3, 64, 2e-3, 1234);
    }

    String key() {
      return String.format("c%d-h%d-w%d-k%d-conv%d-%d-hid%d-ep%d-b%d-lr%s-s%d", channels, height, width, classes,
          conv1, conv2, hidden, epochs, batchSize, learningRate, seed);
    }
  }

  private final MultiLayerNetwork net;
  private final Config config;

  private FeatureClassifier(MultiLayerNetwork net, Config config) {
    this.net = net;
    this.config = config;
  }

  static MultiLayerNetwork build(Config c) {
    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
        .seed(c.seed())
        .dataType(DataType.FLOAT)
        .updater(new NoOp()) // the genai4j Trainer updates the parameters
        .weightInit(WeightInit.RELU)
        .convolutionMode(ConvolutionMode.Same)
        .list()
        .layer(new ConvolutionLayer.Builder(3, 3).nOut(c.conv1()).activation(Activation.RELU).build())
        .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
        .layer(new ConvolutionLayer.Builder(3, 3).nOut(c.conv2()).activation(Activation.RELU).build())
        .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
        .layer(new DenseLayer.Builder().nOut(c.hidden()).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(c.classes())
            .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER).build())
        .setInputType(InputType.convolutional(c.height(), c.width(), c.channels()))
        .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  /**
   * Trains a classifier on {@code images} ({@code [N, C, H, W]} in [0, 1]) and {@code labels}
   * (class per image) with Adam; {@code listeners} see the training records (progress bar,
   * metrics log).
   */
  public static FeatureClassifier train(Config c, INDArray images, int[] labels, TrainingListener... listeners) {
    checkImages(c, images, "training images");
    if (labels.length != images.size(0)) {
      throw new IllegalArgumentException("got " + images.size(0) + " training images but " + labels.length + " labels");
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= c.classes()) {
        throw new IllegalArgumentException("label " + labels[i] + " of image " + i + " is outside [0, " + c.classes() + ")");
      }
    }
    Nd4j.getRandom().setSeed(c.seed());
    MultiLayerNetwork net = build(c);
    INDArray x = images.castTo(DataType.FLOAT);
    INDArray y = Nd4j.zeros(DataType.FLOAT, labels.length, c.classes());
    for (int i = 0; i < labels.length; i++) {
      y.putScalar(i, labels[i], 1);
    }
    int n = labels.length;
    int batch = Math.min(c.batchSize(), n);
    long steps = Math.max(1, (long) c.epochs() * n / batch);
    MultiLayerNetworkGroup group = new MultiLayerNetworkGroup("classifier", net, "x", "y");
    Trainable model = new Trainable() {
      @Override public List<ParameterGroup> parameterGroups() { return List.of(group); }
      @Override public String configJson() { return "{\"classifier\":\"" + c.key() + "\"}"; }
    };
    // Adam with a cosine decay to 1/20 of the rate over the run: the decay is worth most of a point of accuracy.
    LrSchedule lr = LrSchedule.warmupCosine(c.learningRate(), c.learningRate() / 20, 0, steps);
    Trainer trainer = new Trainer(model, OptimizerConfig.adam(lr, 0.9, 0.999),
        TrainerConfig.of(steps, c.seed()).withLogEvery((int) Math.max(1, Math.min(100, steps / 20))));
    for (TrainingListener l : listeners) {
      trainer.addListener(l);
    }
    INDArray rows = x.dup('c').reshape(n, (long) c.channels() * c.height() * c.width());
    trainer.fit(rng -> {
      int[] idx = rng.ints(batch, 0, n).toArray();
      INDArray bx = Nd4j.pullRows(rows, 1, idx).reshape(batch, c.channels(), c.height(), c.width());
      return Batch.of(Map.of("x", bx, "y", Nd4j.pullRows(y, 1, idx)), batch);
    });
    return new FeatureClassifier(net, c);
  }

  /**
   * The cached classifier for {@code dataset} trained on exactly these images, labels and
   * config, training (and caching) it first if needed. The cache file is {@code
   * <cacheDir>/<dataset>-<hash>.zip}.
   */
  public static FeatureClassifier loadOrTrain(String dataset, Config c, INDArray images, int[] labels, Path cacheDir,
      TrainingListener... listeners) {
    Path file = cacheFile(dataset, c, images, labels, cacheDir);
    if (Files.isRegularFile(file)) {
      return load(file, c);
    }
    FeatureClassifier fc = train(c, images, labels, listeners);
    fc.save(file);
    return fc;
  }

  /** As {@link #loadOrTrain(String, Config, INDArray, int[], Path, TrainingListener...)} in {@link #defaultCacheDir()}. */
  public static FeatureClassifier loadOrTrain(String dataset, Config c, INDArray images, int[] labels,
      TrainingListener... listeners) {
    return loadOrTrain(dataset, c, images, labels, defaultCacheDir(), listeners);
  }

  /** Where {@link #loadOrTrain} caches the classifier for this dataset, config and data. */
  public static Path cacheFile(String dataset, Config c, INDArray images, int[] labels, Path cacheDir) {
    if (dataset == null || !dataset.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("dataset name must be letters, digits, '.', '_' or '-', got '" + dataset + "'");
    }
    Hasher h = Hashing.sha256().newHasher();
    h.putString(c.key(), java.nio.charset.StandardCharsets.UTF_8);
    for (long d : images.shape()) {
      h.putLong(d);
    }
    INDArray flat = images.castTo(DataType.FLOAT).dup('c');
    ByteBuffer buf = flat.data().asNio();
    buf.limit((int) (flat.length() * 4));
    h.putBytes(buf);
    for (int l : labels) {
      h.putInt(l);
    }
    return cacheDir.resolve(dataset + "-" + h.hash().toString().substring(0, 16) + ".zip");
  }

  /** Saves the network atomically (temporary file, then move). */
  public void save(Path file) {
    AtomicFile.write(file, "classifier", tmp -> ModelSerializer.writeModel(net, tmp.toFile(), false));
  }


  /** Loads a classifier saved by {@link #save}; {@code c} must be the config it was trained with. */
  public static FeatureClassifier load(Path file, Config c) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("classifier file not found: " + file.toAbsolutePath());
    }
    MultiLayerNetwork net;
    try {
      net = ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a readable classifier file " + file + ": " + e.getMessage(), e);
    }
    if (net.getnLayers() != 6 || net.layerSize(4) != c.hidden() || net.layerSize(5) != c.classes()) {
      throw new IllegalArgumentException("classifier " + file + " does not match the config " + c.key());
    }
    return new FeatureClassifier(net, c);
  }

  public Config config() {
    return config;
  }

  public MultiLayerNetwork network() {
    return net;
  }

  /** The width of {@link #features}. */
  public int featureWidth() {
    return config.hidden();
  }

  /** The dense layer's activations (penultimate layer), {@code [N, hidden]}. */
  public INDArray features(INDArray images) {
    return inBatches(images, x -> {
      List<INDArray> acts = net.feedForwardToLayer(4, x, false);
      return acts.get(acts.size() - 1);
    }, config.hidden());
  }

  /** Class probabilities, {@code [N, classes]}. */
  public INDArray probabilities(INDArray images) {
    return inBatches(images, x -> net.output(x, false), config.classes());
  }

  /** The most probable class of each image. */
  public int[] predict(INDArray images) {
    return probabilities(images).argMax(1).toIntVector();
  }

  /** The fraction of images whose predicted class equals the label. */
  public double accuracy(INDArray images, int[] labels) {
    if (labels.length != images.size(0)) {
      throw new IllegalArgumentException("got " + images.size(0) + " images but " + labels.length + " labels");
    }
    int[] p = predict(images);
    int right = 0;
    for (int i = 0; i < p.length; i++) {
      right += p[i] == labels[i] ? 1 : 0;
    }
    return (double) right / p.length;
  }

  private INDArray inBatches(INDArray images, java.util.function.UnaryOperator<INDArray> f, int width) {
    checkImages(config, images, "images");
    long n = images.size(0);
    INDArray out = Nd4j.create(DataType.FLOAT, n, width);
    int step = 500;
    for (long s = 0; s < n; s += step) {
      long e = Math.min(n, s + step);
      INDArray x = images.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(s, e)).castTo(DataType.FLOAT);
      out.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(s, e)).assign(f.apply(x));
    }
    return out;
  }

  private static void checkImages(Config c, INDArray images, String what) {
    long[] expected = {c.channels(), c.height(), c.width()};
    if (images == null || images.rank() != 4 || images.size(1) != expected[0] || images.size(2) != expected[1]
        || images.size(3) != expected[2]) {
      throw new IllegalArgumentException(what + " must be [N, " + c.channels() + ", " + c.height() + ", "
          + c.width() + "], got " + (images == null ? "null" : java.util.Arrays.toString(images.shape())));
    }
    if (images.size(0) == 0) {
      throw new IllegalArgumentException(what + " are empty");
    }
  }
}
