package org.genai4j.llm.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Creates tokenizers by kind and reads a saved one back from a model directory. */
public final class Tokenizers {
  private Tokenizers() {}

  /** The file a tokenizer is saved as inside a model directory. */
  public static final String FILE = "tokenizer.json";

  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Builds a tokenizer of {@code kind} for {@code corpus}: {@code char} (the corpus' characters),
   * {@code bpe} (byte-level BPE trained on the corpus to {@code bpeVocabSize} tokens) or {@code
   * gpt2} (the fixed GPT-2 r50k_base vocabulary; the corpus is not used).
   */
  public static Tokenizer create(String kind, String corpus, int bpeVocabSize) {
    return switch (kind) {
      case CharTokenizer.KIND -> CharTokenizer.fromCorpus(corpus);
      case BytePairTokenizer.KIND -> BytePairTokenizer.train(corpus, bpeVocabSize);
      case Gpt2Tokenizer.KIND -> new Gpt2Tokenizer();
      default -> throw new IllegalArgumentException(
          "unknown tokenizer '" + kind + "'; expected one of: char, bpe, gpt2");
    };
  }

  /** Reads the tokenizer saved in {@code dir} (its {@code tokenizer.json}). */
  public static Tokenizer load(Path dir) {
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no tokenizer in model directory " + dir.toAbsolutePath()
          + " (expected " + FILE + ")");
    }
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + file + ": " + e.getMessage(), e);
    }
    String kind = root.path("kind").asText("");
    return switch (kind) {
      case CharTokenizer.KIND -> CharTokenizer.fromJson(root);
      case BytePairTokenizer.KIND -> BytePairTokenizer.fromJson(root);
      case Gpt2Tokenizer.KIND -> new Gpt2Tokenizer();
      case VocabMergesTokenizer.KIND -> VocabMergesTokenizer.load(dir);
      case IdTokenizer.KIND -> IdTokenizer.fromJson(root);
      default -> throw new IllegalArgumentException(
          file + " has unknown tokenizer kind '" + kind + "'; expected char, bpe, gpt2, vocab-merges or ids");
    };
  }

  static void write(Path dir, Object json) {
    try {
      Files.createDirectories(dir);
      JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(FILE).toFile(), json);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write tokenizer to " + dir + ": " + e.getMessage(), e);
    }
  }
}
