package org.genai4j.samples.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that knows which command-line flag sets which field of a library options record,
 * so that a record's own validation ({@code "nEmbd must be >= 1"}, written for library users) reaches
 * a CLI user as {@code "--embd must be >= 1"}. Only messages thrown by a record's constructor are
 * translated: a field named in a message about a file (a checkpoint's configuration) stays a field.
 */
final class FlagNames {
  private FlagNames() {}

  /** Record simple name -> (field -> flag). */
  private static final Map<String, Map<String, String>> FLAGS = Map.of(
      "GptConfig", flags("nLayer", "--layers", "nHead", "--heads", "nEmbd", "--embd", "blockSize", "--block",
          "dropout", "--dropout", "mlpHidden", "--mlp-hidden", "positional", "--positions", "norm", "--norm",
          "mlp", "--mlp", "nKvHead", "--kv-heads"),
      "GptTrainOptions", flags("tokenizer", "--tokenizer", "bpeVocabSize", "--bpe-vocab", "batchSize", "--batch",
          "accumulation", "--accum", "lrDecayIters", "--iters", "iters", "--iters", "minLr", "--min-lr", "lr", "--lr",
          "warmup", "--warmup", "beta1", "--beta1", "beta2", "--beta2", "weightDecay", "--weight-decay",
          "evalEvery", "--eval-every", "evalBatches", "--eval-batches", "threads", "--shards", "outDir", "--out",
          "resume", "--resume"),
      "GenerationOptions", flags("maxTokens", "--tokens", "temperature", "--temperature", "topK", "--top-k",
          "topP", "--top-p"),
      "DcganConfig", flags("latentSize", "--latent", "baseFeatures", "--features", "learningRate", "--lr",
          "realLabel", "--label-smoothing"),
      "GanTrainOptions", flags("epochs", "--epochs", "batchSize", "--batch", "threads", "--shards", "outDir", "--out"),
      "VaeConfig", flags("arch", "--arch", "likelihood", "--likelihood", "hidden", "--hidden", "latent", "--latent",
          "gaussianStd", "--gaussian-std", "beta", "--beta", "klWarmupSteps", "--kl-warmup"),
      "VaeTrainOptions", flags("epochs", "--epochs", "batchSize", "--batch", "learningRate", "--lr",
          "threads", "--shards", "outDir", "--out"),
      "TrainerConfig", flags("accumulation", "--accum", "threads", "--shards"),
      "OptimizerConfig", flags("weightDecay", "--weight-decay"));

  /** The message of {@code ex}, with record fields replaced by their flags when a record's validation threw it. */
  static String translate(Throwable ex) {
    String message = String.valueOf(ex.getMessage());
    StackTraceElement[] trace = ex.getStackTrace();
    if (trace.length == 0 || !trace[0].getMethodName().equals("<init>")) {
      return message;
    }
    String className = trace[0].getClassName();
    String record = className.substring(className.lastIndexOf('.') + 1);
    Map<String, String> fields = FLAGS.get(record);
    return fields == null ? message : translate(message, record, fields);
  }

  static String translate(String message, String record, Map<String, String> fields) {
    String out = message;
    for (var e : fields.entrySet()) {
      // A whole word, optionally qualified by the record ("DcganConfig.latentSize"), not part of a flag or path.
      Pattern word = Pattern.compile("(?<![\\w./-])(?:" + record + "\\.)?" + Pattern.quote(e.getKey()) + "(?![\\w/-])");
      out = word.matcher(out).replaceAll(Matcher.quoteReplacement(e.getValue()));
    }
    return out;
  }

  /** Flags of the records a command builds, for tests. */
  static Map<String, Map<String, String>> all() {
    return FLAGS;
  }

  private static Map<String, String> flags(String... fieldFlag) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < fieldFlag.length; i += 2) {
      m.put(fieldFlag[i], fieldFlag[i + 1]);
    }
    return m;
  }
}
