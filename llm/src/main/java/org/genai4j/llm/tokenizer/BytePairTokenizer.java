package org.genai4j.llm.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A byte-level BPE tokenizer in the style of GPT-2: the 256 byte values are the base tokens (so
 * any UTF-8 text round-trips), text is first split into words by GPT-2's pattern, and merges
 * learned on a corpus join the most frequent adjacent pair of tokens into a new token (ids 256,
 * 257, ... in the order learned).
 */
public final class BytePairTokenizer implements Tokenizer {

  static final String KIND = "bpe";

  /** GPT-2's pre-tokenization: contractions, letters, digits, other symbols, whitespace. */
  private static final Pattern WORDS = Pattern.compile(
      "'(?:[sdmt]|ll|ve|re)| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

  private final int[][] merges;
  private final Map<Long, Integer> rank = new HashMap<>();
  private final byte[][] bytes;
  private final Map<String, int[]> cache = new ConcurrentHashMap<>();

  /** A tokenizer with these merges: {@code merges[i]} = the pair of ids merged into id 256 + i. */
  public BytePairTokenizer(int[][] merges) {
    this.merges = merges.clone();
    bytes = new byte[256 + merges.length][];
    for (int b = 0; b < 256; b++) {
      bytes[b] = new byte[] {(byte) b};
    }
    for (int i = 0; i < merges.length; i++) {
      int a = merges[i][0];
      int b = merges[i][1];
      if (a < 0 || b < 0 || a >= 256 + i || b >= 256 + i) {
        throw new IllegalArgumentException("merge " + i + " (" + a + ", " + b + ") refers to a token not yet defined");
      }
      byte[] x = new byte[bytes[a].length + bytes[b].length];
      System.arraycopy(bytes[a], 0, x, 0, bytes[a].length);
      System.arraycopy(bytes[b], 0, x, bytes[a].length, bytes[b].length);
      bytes[256 + i] = x;
      rank.put(key(a, b), i);
    }
  }

  /**
   * Learns merges on {@code corpus} until the vocabulary has {@code vocabSize} tokens (or no pair
   * occurs twice). Pair counts are updated incrementally, only for the words a merge touches.
   */
  public static BytePairTokenizer train(String corpus, int vocabSize) {
    if (vocabSize < 256) {
      throw new IllegalArgumentException("a byte-level BPE vocabulary needs at least 256 tokens, got " + vocabSize);
    }
    if (corpus == null || corpus.isEmpty()) {
      throw new IllegalArgumentException("cannot train BPE merges on an empty corpus");
    }
    Map<String, Integer> wordCounts = new HashMap<>();
    for (String w : split(corpus)) {
      wordCounts.merge(w, 1, Integer::sum);
    }
    return new BytePairTokenizer(new MergeLearner(wordCounts).learn(vocabSize - 256));
  }

  static BytePairTokenizer fromJson(JsonNode root) {
    JsonNode m = root.path("merges");
    int[][] merges = new int[m.size()][];
    for (int i = 0; i < merges.length; i++) {
      merges[i] = new int[] {m.get(i).get(0).asInt(), m.get(i).get(1).asInt()};
    }
    return new BytePairTokenizer(merges);
  }

  /** The text split into GPT-2 style words; their concatenation is the text. */
  static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = WORDS.matcher(text);
    int end = 0;
    while (m.find()) {
      if (m.start() > end) {
        out.add(text.substring(end, m.start()));
      }
      out.add(m.group());
      end = m.end();
    }
    if (end < text.length()) {
      out.add(text.substring(end));
    }
    return out;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public int[] encode(String text) {
    return ByteLevel.encodeWords(text, cache, this::encodeWord);
  }

  /** Applies the merges to one word, lowest rank first, as GPT-2 does. */
  private int[] encodeWord(String word) {
    byte[] b = word.getBytes(StandardCharsets.UTF_8);
    int[] s = new int[b.length];
    for (int i = 0; i < b.length; i++) {
      s[i] = b[i] & 0xFF;
    }
    int len = s.length;
    while (len > 1) {
      int best = Integer.MAX_VALUE;
      for (int i = 0; i + 1 < len; i++) {
        Integer r = rank.get(key(s[i], s[i + 1]));
        if (r != null && r < best) {
          best = r;
        }
      }
      if (best == Integer.MAX_VALUE) {
        break;
      }
      len = MergeLearner.replace(s, len, merges[best][0], merges[best][1], 256 + best);
    }
    return java.util.Arrays.copyOf(s, len);
  }

  @Override
  public String decode(int[] tokens) {
    return ByteLevel.decode(bytes, tokens);
  }

  @Override
  public byte[] tokenBytes(int token) {
    return ByteLevel.bytesOf(bytes, token);
  }

  @Override
  public int vocabSize() {
    return bytes.length;
  }

  /** The learned merges, in order. */
  public int[][] merges() {
    return merges.clone();
  }

  @Override
  public void save(Path dir) {
    ObjectNode o = Tokenizers.JSON.createObjectNode();
    o.put("kind", KIND);
    ArrayNode m = o.putArray("merges");
    for (int[] p : merges) {
      m.addArray().add(p[0]).add(p[1]);
    }
    Tokenizers.write(dir, o);
  }

  static long key(int a, int b) {
    return ((long) a << 32) | (b & 0xFFFFFFFFL);
  }
}
