package org.genai4j.llm.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * One token per character (Unicode code point) of the corpus it was built from, in code point
 * order, as nanoGPT's shakespeare_char. Text with a character the corpus lacks cannot be encoded.
 */
public final class CharTokenizer implements Tokenizer {

  static final String KIND = "char";

  private final int[] codePoints;
  private final Map<Integer, Integer> ids = new HashMap<>();

  /** A tokenizer over exactly these code points (distinct, in id order). */
  public CharTokenizer(int[] codePoints) {
    if (codePoints.length == 0) {
      throw new IllegalArgumentException("a character tokenizer needs at least one character");
    }
    this.codePoints = codePoints.clone();
    for (int i = 0; i < codePoints.length; i++) {
      if (ids.put(codePoints[i], i) != null) {
        throw new IllegalArgumentException("character " + describe(codePoints[i]) + " appears twice in the vocabulary");
      }
    }
  }

  /** The sorted distinct characters of {@code corpus}. */
  public static CharTokenizer fromCorpus(String corpus) {
    if (corpus == null || corpus.isEmpty()) {
      throw new IllegalArgumentException("cannot build a character tokenizer from an empty corpus");
    }
    TreeSet<Integer> set = new TreeSet<>();
    corpus.codePoints().forEach(set::add);
    return new CharTokenizer(set.stream().mapToInt(Integer::intValue).toArray());
  }

  static CharTokenizer fromJson(JsonNode root) {
    String chars = root.path("chars").asText("");
    return new CharTokenizer(chars.codePoints().toArray());
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public int[] encode(String text) {
    int[] out = new int[text.codePointCount(0, text.length())];
    int n = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      Integer id = ids.get(cp);
      if (id == null) {
        throw new IllegalArgumentException("character " + describe(cp) + " at position " + n
            + " is not in the character vocabulary (" + codePoints.length
            + " characters of the training text); remove or replace it");
      }
      out[n++] = id;
      i += Character.charCount(cp);
    }
    return out;
  }

  /** The ids of the characters of {@code text} that the vocabulary has; the others are left out. */
  @Override
  public int[] encodeKnown(String text) {
    int[] out = new int[text.codePointCount(0, text.length())];
    int n = 0;
    for (int i = 0; i < text.length(); i += Character.charCount(text.codePointAt(i))) {
      Integer id = ids.get(text.codePointAt(i));
      if (id != null) {
        out[n++] = id;
      }
    }
    return java.util.Arrays.copyOf(out, n);
  }

  @Override
  public String decode(int[] tokens) {
    StringBuilder sb = new StringBuilder(tokens.length);
    for (int t : tokens) {
      sb.appendCodePoint(codePoints[check(t)]);
    }
    return sb.toString();
  }

  @Override
  public byte[] tokenBytes(int token) {
    return new String(Character.toChars(codePoints[check(token)])).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public int charCount(int token) {
    check(token);
    return 1;
  }

  @Override
  public int vocabSize() {
    return codePoints.length;
  }

  @Override
  public void save(Path dir) {
    ObjectNode o = Tokenizers.JSON.createObjectNode();
    o.put("kind", KIND);
    o.put("chars", new String(codePoints, 0, codePoints.length));
    Tokenizers.write(dir, o);
  }

  private int check(int token) {
    if (token < 0 || token >= codePoints.length) {
      throw new IllegalArgumentException("token " + token + " is outside the vocabulary 0.." + (codePoints.length - 1));
    }
    return token;
  }

  private static String describe(int cp) {
    String shown = Character.isISOControl(cp) ? "" : "'" + new String(Character.toChars(cp)) + "' ";
    return shown + String.format("(U+%04X)", cp);
  }
}
