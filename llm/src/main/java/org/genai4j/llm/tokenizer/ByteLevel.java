package org.genai4j.llm.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * GPT-2's byte-level alphabet: every byte stands for one printable Unicode character, so that a
 * byte-level BPE vocabulary can be written as JSON strings ({@code vocab.json}, {@code
 * merges.txt}). The printable Latin-1 bytes ({@code !..~}, {@code ¡..¬}, {@code ®..ÿ}) stand for
 * themselves; the other 68 take the characters from U+0100 on, in byte order (a space is {@code Ġ}).
 */
final class ByteLevel {
  private ByteLevel() {}

  private static final char[] CHAR_OF_BYTE = new char[256];
  private static final int[] BYTE_OF_CHAR = new int[512];

  static {
    java.util.Arrays.fill(BYTE_OF_CHAR, -1);
    int next = 256;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      char c = (char) (printable ? b : next++);
      CHAR_OF_BYTE[b] = c;
      BYTE_OF_CHAR[c] = b;
    }
  }

  /** The byte-level string of {@code bytes}. */
  static String encode(byte[] bytes) {
    StringBuilder s = new StringBuilder(bytes.length);
    for (byte b : bytes) {
      s.append(CHAR_OF_BYTE[b & 0xFF]);
    }
    return s.toString();
  }

  /** The character that stands for byte {@code b}. */
  static char charOf(int b) {
    return CHAR_OF_BYTE[b & 0xFF];
  }

  /**
   * The ids of {@code text}: GPT-2's words ({@link BytePairTokenizer#split}), each encoded by {@code
   * encodeWord} once and remembered in {@code cache}.
   */
  static int[] encodeWords(String text, java.util.Map<String, int[]> cache,
      java.util.function.Function<String, int[]> encodeWord) {
    int[] out = new int[Math.max(16, text.length())];
    int n = 0;
    for (String w : BytePairTokenizer.split(text)) {
      int[] t = cache.computeIfAbsent(w, encodeWord);
      if (n + t.length > out.length) {
        out = java.util.Arrays.copyOf(out, Math.max(out.length * 2, n + t.length));
      }
      System.arraycopy(t, 0, out, n, t.length);
      n += t.length;
    }
    return java.util.Arrays.copyOf(out, n);
  }

  /** The text of {@code tokens}, whose bytes {@code table} holds; incomplete UTF-8 becomes U+FFFD. */
  static String decode(byte[][] table, int[] tokens) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(tokens.length * 4);
    for (int t : tokens) {
      out.writeBytes(bytesOf(table, t));
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Token {@code token}'s bytes in {@code table}; a one-line error outside the vocabulary. */
  static byte[] bytesOf(byte[][] table, int token) {
    if (token < 0 || token >= table.length) {
      throw new IllegalArgumentException("token " + token + " is outside the vocabulary 0.." + (table.length - 1));
    }
    return table[token];
  }

  /**
   * The bytes a byte-level string stands for; a character outside the alphabet (a special token
   * such as {@code <|endoftext|>}) stands for its own UTF-8 bytes.
   */
  static byte[] decode(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      int b = c < BYTE_OF_CHAR.length ? BYTE_OF_CHAR[c] : -1;
      if (b >= 0) {
        out.write(b);
      } else {
        out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toByteArray();
  }
}
