package org.genai4j.common.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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
import org.genai4j.common.io.Safetensors;
import org.genai4j.common.io.SafetensorsFile;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.MultiLayerNetworkGroup;
import org.genai4j.common.train.OptimizerConfig;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small CNN image classifier (conv-pool-conv-pool-dense-softmax, DL4J layers) used as the
 * feature extractor for Frechet distances of generated images (Inception weights are not
 * available offline) and to score which classes a generator produces. It is trained once per
 * dataset through the genai4j {@link Trainer} and cached on disk, keyed by the dataset name, the
 * configuration and a hash of the training data. The cache is data only: the weights in safetensors and a
 * JSON description with their SHA-256 (never Java serialization, which would run code from the file).
 *
 * <p>Images are {@code [N, C, H, W]} with pixels in [0, 1].
 */
public final class FeatureClassifier {
  private static final Logger LOG = LoggerFactory.getLogger(FeatureClassifier.class);

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
    Trainable model = Trainable.of("{\"classifier\":\"" + c.key() + "\"}", group);
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
   * config, training (and caching) it first if needed. The cache is {@code <cacheDir>/<dataset>-<hash>.json}
   * (a description holding the weights' SHA-256) next to {@code <dataset>-<hash>.safetensors} (the weights);
   * a cache whose checksum, config or shapes do not match is logged in one line and rebuilt, never trusted.
   */
  public static FeatureClassifier loadOrTrain(String dataset, Config c, INDArray images, int[] labels, Path cacheDir,
      TrainingListener... listeners) {
    Path file = cacheFile(dataset, c, images, labels, cacheDir);
    if (Files.isRegularFile(file)) {
      try {
        return load(file, c);
      } catch (IllegalArgumentException e) {
        LOG.warn("Cached classifier not used, training a new one: {}", e.getMessage());
      }
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

  /** Where {@link #loadOrTrain} caches the classifier's description for this dataset, config and data. */
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
    return cacheDir.resolve(dataset + "-" + h.hash().toString().substring(0, 16) + ".json");
  }

  /**
   * What the cache's JSON file says: the format, the config the weights were trained with, the
   * weights file next to it, its SHA-256, and each parameter's shape.
   */
  record Description(String format, int version, String config, String weights, String sha256,
      Map<String, long[]> parameters) {
    static final String FORMAT = "genai4j-feature-classifier";
    static final int VERSION = 1;
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  /** A description is a few hundred bytes; anything much larger is not one. */
  private static final long MAX_DESCRIPTION_BYTES = 1 << 20;

  /**
   * Saves the weights as safetensors ({@code <name>.safetensors}) and then the JSON description
   * {@code file} with their SHA-256, each atomically: the description appears last, so a cache
   * interrupted halfway has none and is rebuilt.
   */
  public void save(Path file) {
    String base = file.getFileName().toString().replaceFirst("\\.json$", "");
    Path weights = file.resolveSibling(base + ".safetensors");
    Map<String, INDArray> tensors = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    net.paramTable().forEach((name, value) -> {
      tensors.put(name, value.castTo(DataType.FLOAT));
      shapes.put(name, value.shape());
    });
    Safetensors.write(weights, tensors, Map.of("config", config.key()));
    Description d = new Description(Description.FORMAT, Description.VERSION, config.key(),
        weights.getFileName().toString(), sha256(weights), shapes);
    AtomicFile.write(file, "classifier description", tmp -> JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), d));
  }

  /**
   * Loads a classifier saved by {@link #save}; {@code c} must be the config it was trained with. A
   * one-line {@link IllegalArgumentException} when the description is unreadable, was written for
   * another config, or its weights' SHA-256 or shapes do not match.
   */
  public static FeatureClassifier load(Path file, Config c) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("classifier file not found: " + file.toAbsolutePath());
    }
    Description d;
    try {
      long size = Files.size(file);
      if (size > MAX_DESCRIPTION_BYTES) {
        throw new IllegalArgumentException("classifier description " + file + " is " + size
            + " bytes; expected a small JSON file");
      }
      d = JSON.readValue(file.toFile(), Description.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("classifier description " + file + " is not readable JSON of the expected"
          + " fields: " + e.getOriginalMessage().lines().findFirst().orElse(""), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("could not read classifier description " + file + ": " + e.getMessage(), e);
    }
    if (!Description.FORMAT.equals(d.format()) || d.version() != Description.VERSION) {
      throw new IllegalArgumentException("classifier description " + file + " has format " + d.format() + " "
          + d.version() + "; expected " + Description.FORMAT + " " + Description.VERSION);
    }
    if (!c.key().equals(d.config())) {
      throw new IllegalArgumentException("classifier " + file + " was trained with config " + d.config()
          + "; expected " + c.key());
    }
    if (d.weights() == null || !d.weights().matches("[A-Za-z0-9._-]+\\.safetensors") || d.sha256() == null
        || d.parameters() == null) {
      throw new IllegalArgumentException("classifier description " + file + " must name a .safetensors file in its"
          + " own folder, its sha256 and the parameters' shapes");
    }
    Path weights = file.resolveSibling(d.weights());
    if (!Files.isRegularFile(weights)) {
      throw new IllegalArgumentException("classifier weights " + weights + " named by " + file + " are missing");
    }
    String actual = sha256(weights);
    if (!actual.equals(d.sha256())) {
      throw new IllegalArgumentException("classifier weights " + weights + " have SHA-256 " + actual + " but "
          + file + " records " + d.sha256());
    }
    MultiLayerNetwork net = build(c);
    SafetensorsFile st = SafetensorsFile.open(weights);
    Map<String, INDArray> params = net.paramTable();
    if (!st.entries().keySet().equals(params.keySet()) || !d.parameters().keySet().equals(params.keySet())) {
      throw new IllegalArgumentException("classifier weights " + weights + " hold " + st.entries().keySet()
          + "; expected " + params.keySet());
    }
    for (Map.Entry<String, INDArray> p : params.entrySet()) {
      long[] expected = p.getValue().shape();
      long[] stored = java.util.Arrays.stream(st.entries().get(p.getKey()).shape()).asLongStream().toArray();
      if (!java.util.Arrays.equals(expected, stored) || !java.util.Arrays.equals(expected, d.parameters().get(p.getKey()))) {
        throw new IllegalArgumentException("classifier weights " + weights + ": parameter " + p.getKey() + " has shape "
            + java.util.Arrays.toString(stored) + "; expected " + java.util.Arrays.toString(expected));
      }
      net.setParam(p.getKey(), st.readArray(p.getKey()).castTo(DataType.FLOAT));
    }
    return new FeatureClassifier(net, c);
  }

  private static String sha256(Path file) {
    try {
      return com.google.common.io.Files.asByteSource(file.toFile()).hash(Hashing.sha256()).toString();
    } catch (IOException e) {
      throw new IllegalArgumentException("could not read classifier weights " + file + ": " + e.getMessage(), e);
    }
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
