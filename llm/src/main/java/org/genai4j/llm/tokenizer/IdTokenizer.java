package org.genai4j.llm.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Token ids without text, for a checkpoint that comes without its tokenizer (a llama2.c {@code
 * .bin}, whose sentencepiece vocabulary is a separate file, or a Hugging Face folder without
 * tokenizer files): a token prints as {@code <id>}, and text cannot be encoded, so prompts are
 * given as ids ({@code --prompt-ids}).
 */
public final class IdTokenizer implements Tokenizer {
  static final String KIND = "ids";

  private final int vocabSize;

  public IdTokenizer(int vocabSize) {
    if (vocabSize < 1) {
      throw new IllegalArgumentException("a vocabulary needs at least one token, got " + vocabSize);
    }
    this.vocabSize = vocabSize;
  }

  static IdTokenizer fromJson(JsonNode root) {
    return new IdTokenizer(root.path("vocabSize").asInt(0));
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public int[] encode(String text) {
    throw new IllegalArgumentException("this model has no tokenizer (only token ids), so it cannot read text;"
        + " to generate, give the prompt as ids (--prompt-ids 1,2,3)");
  }

  @Override
  public String decode(int[] tokens) {
    StringBuilder s = new StringBuilder();
    for (int t : tokens) {
      s.append(new String(tokenBytes(t), StandardCharsets.UTF_8));
    }
    return s.toString();
  }

  @Override
  public byte[] tokenBytes(int token) {
    if (token < 0 || token >= vocabSize) {
      throw new IllegalArgumentException("token " + token + " is outside the vocabulary 0.." + (vocabSize - 1));
    }
    return ("<" + token + ">").getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public void save(Path dir) {
    ObjectNode o = Tokenizers.JSON.createObjectNode();
    o.put("kind", KIND);
    o.put("vocabSize", vocabSize);
    Tokenizers.write(dir, o);
  }
}
