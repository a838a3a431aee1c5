package org.genai4j.llm.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.genai4j.common.util.AtomicFile;

/**
 * A byte-level BPE tokenizer read from a Hugging Face GPT-2 style folder: {@code vocab.json}
 * (token string to id, in GPT-2's byte-level alphabet) and {@code merges.txt} (one merge per line,
 * {@code "a b"}, highest priority first). Text is split into words by GPT-2's pattern, each word's
 * bytes become byte-level characters, and the merges of lowest rank are applied first, as
 * Hugging Face's {@code GPT2Tokenizer} does. Special tokens ({@code <|endoftext|>}) are encoded as
 * ordinary text.
 *
 * <p>A run saves it as {@code tokenizer.json} (kind {@code vocab-merges}) beside the two files;
 * {@link #of} derives the two files from any tokenizer whose tokens are merges of bytes in rank
 * order (GPT-2's r50k through jtokkit, genai4j's own BPE), so an exported GPT-2 model carries the
 * files {@code transformers} reads.
 */
public final class VocabMergesTokenizer implements Tokenizer {

  static final String KIND = "vocab-merges";
  public static final String VOCAB = "vocab.json";
  public static final String MERGES = "merges.txt";
  /** Larger files are not tokenizer files (GPT-2's are 1.0 MB and 456 KB). */
  private static final long MAX_FILE = 64L << 20;

  private final String[] tokens;
  private final Map<String, Integer> ids;
  private final List<String[]> merges;
  private final Map<String, Integer> rank = new HashMap<>();
  private final byte[][] bytes;
  private final Map<String, int[]> cache = new ConcurrentHashMap<>();

  /** A tokenizer with token strings {@code tokens} (id i is {@code tokens[i]}) and merges in priority order. */
  public VocabMergesTokenizer(String[] tokens, List<String[]> merges) {
    this.tokens = tokens.clone();
    this.merges = List.copyOf(merges);
    ids = new HashMap<>(tokens.length * 2);
    bytes = new byte[tokens.length][];
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i] == null) {
        throw new IllegalArgumentException("vocabulary has no token with id " + i + " (ids must be 0.."
            + (tokens.length - 1) + ")");
      }
      if (ids.put(tokens[i], i) != null) {
        throw new IllegalArgumentException("vocabulary lists token '" + tokens[i] + "' twice");
      }
      bytes[i] = ByteLevel.decode(tokens[i]);
    }
    for (int b = 0; b < 256; b++) {
      if (!ids.containsKey(String.valueOf(ByteLevel.charOf(b)))) {
        throw new IllegalArgumentException("vocabulary lacks the token of byte " + b + " ('" + ByteLevel.charOf(b)
            + "'), so some text could not be encoded");
      }
    }
    for (int r = 0; r < this.merges.size(); r++) {
      String[] m = this.merges.get(r);
      rank.putIfAbsent(m[0] + " " + m[1], r);
    }
  }

  /** Whether {@code dir} holds {@code vocab.json} and {@code merges.txt}. */
  public static boolean isIn(Path dir) {
    return Files.isRegularFile(dir.resolve(VOCAB)) && Files.isRegularFile(dir.resolve(MERGES));
  }

  /** Reads {@code vocab.json} and {@code merges.txt} from {@code dir}; a one-line error naming the file otherwise. */
  public static VocabMergesTokenizer load(Path dir) {
    Path vocabFile = dir.resolve(VOCAB);
    Path mergesFile = dir.resolve(MERGES);
    JsonNode vocab;
    try {
      checkSize(vocabFile);
      vocab = Tokenizers.JSON.readTree(vocabFile.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(vocabFile + " is not valid JSON: " + firstLine(e.getMessage()));
    }
    if (vocab == null || !vocab.isObject() || vocab.isEmpty()) {
      throw new IllegalArgumentException(vocabFile + " must be a JSON object of token strings to ids");
    }
    if (vocab.size() > 10_000_000) {
      throw new IllegalArgumentException(vocabFile + " lists " + vocab.size() + " tokens, more than any vocabulary");
    }
    String[] tokens = new String[vocab.size()];
    for (var it = vocab.fields(); it.hasNext(); ) {
      var e = it.next();
      JsonNode id = e.getValue();
      if (!id.canConvertToInt() || !id.isIntegralNumber() || id.asInt() < 0 || id.asInt() >= tokens.length) {
        throw new IllegalArgumentException(vocabFile + ": token '" + e.getKey() + "' has id " + id + "; expected 0.."
            + (tokens.length - 1) + " (one id per token)");
      }
      if (tokens[id.asInt()] != null) {
        throw new IllegalArgumentException(vocabFile + ": id " + id + " is given to '" + tokens[id.asInt()]
            + "' and '" + e.getKey() + "'");
      }
      tokens[id.asInt()] = e.getKey();
    }
    List<String[]> merges = new ArrayList<>();
    try {
      checkSize(mergesFile);
      List<String> lines = Files.readAllLines(mergesFile, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if ((i == 0 && line.startsWith("#version")) || line.isEmpty()) {
          continue;
        }
        String[] parts = line.split(" ");
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
          throw new IllegalArgumentException(mergesFile + " line " + (i + 1) + ": expected two tokens separated by"
              + " one space, got '" + line + "'");
        }
        merges.add(parts);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + mergesFile + ": " + e.getMessage(), e);
    }
    try {
      return new VocabMergesTokenizer(tokens, merges);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(vocabFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * The vocabulary and merges of {@code t}, a byte-level BPE whose tokens are ranked by id: ids
   * whose bytes are one byte are the alphabet, and each longer token is the merge of the two
   * tokens that BPE with the lower-ranked tokens leaves of its bytes (how Hugging Face converts
   * tiktoken's ranks); a longer token that no merge makes is a special token, kept in the
   * vocabulary only. A tokenizer without the 256 byte tokens gets a one-line error.
   */
  public static VocabMergesTokenizer of(Tokenizer t) {
    if (t instanceof VocabMergesTokenizer v) {
      return v;
    }
    int n = t.vocabSize();
    String[] tokens = new String[n];
    Map<String, Integer> rankOf = new HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      tokens[i] = ByteLevel.encode(t.tokenBytes(i));
      rankOf.putIfAbsent(tokens[i], i);
    }
    List<String[]> merges = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (tokens[i].length() < 2) {
        continue;
      }
      List<String> parts = mergeByRank(tokens[i], rankOf, i);
      if (parts.size() == 2) {
        merges.add(new String[] {parts.get(0), parts.get(1)});
      }
      // else a special token (GPT-2's <|endoftext|>): in the vocabulary, made by no merge.
    }
    return new VocabMergesTokenizer(tokens, merges);
  }

  /** BPE on the characters of {@code token} with the tokens of rank below {@code maxRank}, by rank. */
  private static List<String> mergeByRank(String token, Map<String, Integer> rankOf, int maxRank) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < token.length(); i++) {
      parts.add(String.valueOf(token.charAt(i)));
    }
    while (parts.size() > 1) {
      int best = -1;
      int bestRank = Integer.MAX_VALUE;
      for (int i = 0; i + 1 < parts.size(); i++) {
        Integer r = rankOf.get(parts.get(i) + parts.get(i + 1));
        if (r != null && r < maxRank && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) {
        break;
      }
      parts.set(best, parts.get(best) + parts.remove(best + 1));
    }
    return parts;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public int[] encode(String text) {
    return ByteLevel.encodeWords(text, cache, this::encodeWord);
  }

  /** The word's byte-level characters, merged pair by pair, lowest rank first. */
  private int[] encodeWord(String word) {
    String s = ByteLevel.encode(word.getBytes(StandardCharsets.UTF_8));
    List<String> parts = new ArrayList<>(s.length());
    for (int i = 0; i < s.length(); i++) {
      parts.add(String.valueOf(s.charAt(i)));
    }
    while (parts.size() > 1) {
      int bestRank = Integer.MAX_VALUE;
      for (int i = 0; i + 1 < parts.size(); i++) {
        Integer r = rank.get(parts.get(i) + " " + parts.get(i + 1));
        if (r != null && r < bestRank) {
          bestRank = r;
        }
      }
      if (bestRank == Integer.MAX_VALUE) {
        break;
      }
      String a = merges.get(bestRank)[0];
      String b = merges.get(bestRank)[1];
      List<String> next = new ArrayList<>(parts.size());
      for (int i = 0; i < parts.size(); i++) {
        if (i + 1 < parts.size() && parts.get(i).equals(a) && parts.get(i + 1).equals(b)) {
          next.add(a + b);
          i++;
        } else {
          next.add(parts.get(i));
        }
      }
      parts = next;
    }
    int[] out = new int[parts.size()];
    for (int i = 0; i < out.length; i++) {
      Integer id = ids.get(parts.get(i));
      if (id == null) {
        throw new IllegalArgumentException("the vocabulary has no token '" + parts.get(i) + "' that its merges make");
      }
      out[i] = id;
    }
    return out;
  }

  @Override
  public String decode(int[] ids) {
    return ByteLevel.decode(bytes, ids);
  }

  @Override
  public byte[] tokenBytes(int token) {
    return ByteLevel.bytesOf(bytes, token);
  }

  @Override
  public int vocabSize() {
    return tokens.length;
  }

  /** Writes {@code vocab.json} and {@code merges.txt} into {@code dir} (Hugging Face's form). */
  public void saveFiles(Path dir) {
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (int i = 0; i < tokens.length; i++) {
      vocab.put(tokens[i], i);
    }
    StringBuilder m = new StringBuilder("#version: 0.2\n");
    for (String[] p : merges) {
      m.append(p[0]).append(' ').append(p[1]).append('\n');
    }
    AtomicFile.write(dir.resolve(VOCAB), "vocabulary", f -> Tokenizers.JSON.writeValue(f.toFile(), vocab));
    AtomicFile.write(dir.resolve(MERGES), "merges", f -> Files.writeString(f, m));
  }

  /** Writes {@code tokenizer.json} (kind {@code vocab-merges}) and the two files into {@code dir}. */
  @Override
  public void save(Path dir) {
    saveFiles(dir);
    ObjectNode o = Tokenizers.JSON.createObjectNode();
    o.put("kind", KIND);
    o.put("vocab", VOCAB);
    o.put("merges", MERGES);
    Tokenizers.write(dir, o);
  }

  private static void checkSize(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("tokenizer file not found: " + file);
    }
    if (Files.size(file) > MAX_FILE) {
      throw new IllegalArgumentException(file + " is " + Files.size(file) + " bytes, more than a tokenizer file needs");
    }
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }
}
