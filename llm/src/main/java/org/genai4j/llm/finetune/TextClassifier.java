package org.genai4j.llm.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.genai4j.common.io.Safetensors;
import org.genai4j.common.io.SafetensorsFile;
import org.genai4j.common.ops.Param;
import org.genai4j.common.ops.Params;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;
import org.genai4j.common.train.RunDir;
import org.genai4j.common.util.AtomicFile;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.tokenizer.Tokenizer;
import org.genai4j.llm.tokenizer.Tokenizers;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A fine-tuned text classifier ready to use: the model, its tokenizer, the class names and how
 * texts are cut. Saved in a run folder as {@code config.json} (the GPT), {@code classifier.json}
 * (classes, maximum length, padding id), {@code tokenizer.json} and {@code model.safetensors} (every
 * weight, the head as {@code score.*}). Not thread-safe.
 *
 * @param model the classifier
 * @param tokenizer the tokenizer of its base model
 * @param classes the class names in index order
 * @param maxLength texts are cut to their first {@code maxLength} tokens
 * @param pad the id that pads a batch (never read: the head reads the last real token)
 * @param lora the model's LoRA adapters, or null
 */
public record TextClassifier(GptClassifier model, Tokenizer tokenizer, List<String> classes, int maxLength, int pad,
    ClassifierOptions.Lora lora) {
  public static final String FILE = "classifier.json";
  public static final String WEIGHTS = "model.safetensors";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A prediction: the class, its probability, and every class's probability. */
  public record Prediction(String label, double probability, double[] probabilities) {}

  /** The class probabilities of {@code text}. */
  public Prediction classify(String text) {
    return classify(List.of(text)).get(0);
  }

  /** The predictions of {@code texts}, in batches of 16. */
  public List<Prediction> classify(List<String> texts) {
    List<Prediction> out = new ArrayList<>(texts.size());
    int[][] seqs = ClassificationBatches.encode(texts, tokenizer::encodeKnown, maxLength, pad);
    StepContext ctx = StepContext.inference();
    for (int from = 0; from < seqs.length; from += 16) {
      int n = Math.min(16, seqs.length - from);
      int length = 1;
      for (int i = 0; i < n; i++) {
        length = Math.max(length, seqs[from + i].length);
      }
      int[] ids = new int[n * length];
      java.util.Arrays.fill(ids, pad);
      int[] last = new int[n];
      for (int i = 0; i < n; i++) {
        System.arraycopy(seqs[from + i], 0, ids, i * length, seqs[from + i].length);
        last[i] = seqs[from + i].length - 1;
      }
      float[] logits = model.forward(ctx, ids, last, n, length).toArray();
      int k = classes.size();
      for (int i = 0; i < n; i++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
          max = Math.max(max, logits[i * k + c]);
        }
        double[] p = new double[k];
        double sum = 0;
        for (int c = 0; c < k; c++) {
          p[c] = Math.exp(logits[i * k + c] - max);
          sum += p[c];
        }
        int best = 0;
        for (int c = 0; c < k; c++) {
          p[c] /= sum;
          if (p[c] > p[best]) {
            best = c;
          }
        }
        out.add(new Prediction(classes.get(best), p[best], p));
      }
    }
    return out;
  }

  /** Writes the classifier into run folder {@code dir} (its files replaced atomically). */
  public void save(Path dir) {
    RunDir.write(dir, RunDir.CONFIG, model.gpt().config().toJson());
    ObjectNode o = JSON.createObjectNode();
    o.putArray("classes").addAll(classes.stream().map(JSON.getNodeFactory()::textNode).toList());
    o.put("maxLength", maxLength);
    o.put("pad", pad);
    if (lora != null) {
      ObjectNode l = o.putObject("lora");
      l.put("rank", lora.rank());
      l.put("alpha", lora.alpha());
      l.put("targets", String.join(",", lora.targets().stream().map(t -> t.name().toLowerCase()).sorted().toList()));
    }
    AtomicFile.write(dir.resolve(FILE), "classifier", f -> JSON.writerWithDefaultPrettyPrinter().writeValue(f.toFile(), o));
    tokenizer.save(dir);
    Map<String, INDArray> weights = new LinkedHashMap<>();
    for (Param p : model.params().list()) {
      weights.put(p.name(), p.value().array());
    }
    Safetensors.write(dir.resolve(WEIGHTS), weights, Map.of("format", "pt"));
  }

  /** Reads the classifier saved in {@code dir}; a one-line error naming a missing or bad file. */
  public static TextClassifier load(Path dir) {
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(dir + " is not a classifier run (no " + FILE + "; make one with"
          + " 'llm finetune classify')");
    }
    JsonNode o;
    try {
      o = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(file + " is not valid JSON: " + String.valueOf(e.getMessage()).lines()
          .findFirst().orElse(""));
    }
    List<String> classes = new ArrayList<>();
    o.path("classes").forEach(c -> classes.add(c.asText()));
    int maxLength = o.path("maxLength").asInt(0);
    if (classes.size() < 2 || maxLength < 1) {
      throw new IllegalArgumentException(file + " needs \"classes\" (two or more) and \"maxLength\" (>= 1)");
    }
    GptConfig config = GptConfig.fromJson(RunDir.read(dir, RunDir.CONFIG));
    JsonNode l = o.get("lora");
    ClassifierOptions.Lora lora = l == null || l.isNull() ? null : new ClassifierOptions.Lora(l.path("rank").asInt(0),
        l.path("alpha").asDouble(0), ClassifierOptions.Lora.parseTargets(l.path("targets").asText("")));
    GptClassifier model = new GptClassifier(config, classes.size(), Params.forLoading(), lora);
    SafetensorsFile weights = SafetensorsFile.open(dir.resolve(WEIGHTS));
    for (Param p : model.params().list()) {
      weights.readInto(p.name(), p.value());
    }
    return new TextClassifier(model, Tokenizers.load(dir), classes, maxLength, o.path("pad").asInt(0), lora);
  }

  /**
   * The same classifier without adapters: each LoRA adapter folded into its weight ({@code W +=
   * (alpha / r) B A}), as {@code llm merge-lora} writes it. This classifier's weights are changed
   * in the process: use the returned one.
   */
  public TextClassifier withLoraMerged() {
    if (lora == null) {
      throw new IllegalArgumentException("this classifier has no LoRA adapters to merge");
    }
    model.gpt().mergeLowRank();
    GptClassifier plain = new GptClassifier(model.gpt().config(), classes.size(), Params.forLoading(), null);
    copyShared(model.params(), plain.params());
    return new TextClassifier(plain, tokenizer, classes, maxLength, pad, null);
  }

  /** Copies every weight of {@code from} whose name {@code to} also has (a pretrained GPT into a classifier). */
  static int copyShared(Params from, Params to) {
    int n = 0;
    for (Param p : to.list()) {
      if (from.byName().containsKey(p.name())) {
        Tensor src = from.get(p.name()).value();
        p.value().copyFrom(src);
        n++;
      }
    }
    return n;
  }
}
