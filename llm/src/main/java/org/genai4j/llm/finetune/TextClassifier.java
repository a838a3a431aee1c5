package org.genai4j.llm.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.genai4j.common.ops.Param;
import org.genai4j.common.ops.Params;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;
import org.genai4j.common.train.RunDir;
import org.genai4j.common.util.AtomicFile;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.tokenizer.Tokenizer;
import org.genai4j.llm.tokenizer.Tokenizers;

/**
 * A fine-tuned text classifier ready to use: the model, its tokenizer, the class names and how
 * texts are cut. Saved in a run folder as {@code config.json} (the GPT), {@code classifier.json}
 * (classes, maximum length, padding id), {@code tokenizer.json} and {@code model.safetensors} (every
 * weight, the head as {@code score.*}); a LoRA classifier saves instead {@code lora.json} (the
 * adapters' settings and the base model's path and SHA-256, {@link LoraRun}) and {@code
 * adapter_model.safetensors} (the adapters and the head only), and loads by opening its base.
 * Not thread-safe.
 *
 * @param model the classifier
 * @param tokenizer the tokenizer of its base model
 * @param classes the class names in index order
 * @param maxLength texts are cut to their first {@code maxLength} tokens
 * @param pad the id that pads a batch (never read: the head reads the last real token)
 * @param lora the model's LoRA adapters and the base they adapt, or null
 */
public record TextClassifier(GptClassifier model, Tokenizer tokenizer, List<String> classes, int maxLength, int pad,
    LoraRun lora) {
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

  /**
   * Writes the classifier into run folder {@code dir} (its files replaced atomically): every weight,
   * or with LoRA only the adapters and the head, beside the base's reference.
   */
  public void save(Path dir) {
    if (lora != null && lora.base() == null) {
      throw new IllegalArgumentException("a LoRA classifier saves only its adapters and needs its base model's"
          + " reference (train it from a model folder or file); merge it first with withLoraMerged() to save it whole");
    }
    RunDir.write(dir, RunDir.CONFIG, model.gpt().config().toJson());
    ObjectNode o = JSON.createObjectNode();
    o.putArray("classes").addAll(classes.stream().map(JSON.getNodeFactory()::textNode).toList());
    o.put("maxLength", maxLength);
    o.put("pad", pad);
    AtomicFile.write(dir.resolve(FILE), "classifier", f -> JSON.writerWithDefaultPrettyPrinter().writeValue(f.toFile(), o));
    tokenizer.save(dir);
    if (lora != null) {
      RunDir.write(dir, LoraRun.FILE, lora.toJson(dir));
      LoraRun.writeTrained(dir.resolve(LoraRun.ADAPTERS), model.params(), TextClassifier::loraTrained);
    } else {
      LoraRun.writeTrained(dir.resolve(WEIGHTS), model.params(), name -> true);
    }
  }

  /** What a LoRA classifier trains and saves: the adapters and the new head. */
  static boolean loraTrained(String name) {
    return LoraConfig.isAdapter(name) || name.startsWith("score.");
  }

  /**
   * Reads the classifier saved in {@code dir} (for a LoRA classifier: its base, checked against the
   * SHA-256 it was trained on, then the adapters); a one-line error naming a missing or bad file.
   */
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
    if (o.has("lora")) {
      throw new IllegalArgumentException(file + " was written by an earlier genai4j (LoRA settings in it, not in "
          + LoraRun.FILE + "); train the classifier again");
    }
    GptConfig config = GptConfig.fromJson(RunDir.read(dir, RunDir.CONFIG));
    LoraRun lora = LoraRun.isIn(dir) ? LoraRun.read(dir) : null;
    GptClassifier model = new GptClassifier(config, classes.size(), Params.forLoading(),
        lora == null ? null : lora.config());
    if (lora == null) {
      LoraRun.readTrained(dir.resolve(WEIGHTS), model.params(), name -> true);
    } else {
      LoraRun.copyBase(lora.base().open(dir).weights(), model.params(), dir);
      LoraRun.readTrained(dir.resolve(LoraRun.ADAPTERS), model.params(), TextClassifier::loraTrained);
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
    GptClassifier plain = new GptClassifier(model.gpt().config(), classes.size(), Params.forLoading());
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
