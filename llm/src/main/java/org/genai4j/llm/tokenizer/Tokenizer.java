package org.genai4j.llm.tokenizer;

import java.nio.file.Path;

/**
 * Turns text into token ids and back. A tokenizer is saved with its model (as {@code
 * tokenizer.json} in the model directory) so that generation and evaluation encode text exactly as
 * training did; {@link Tokenizers#load(Path)} reads any kind back.
 */
public interface Tokenizer {

  /** The kind written to {@code tokenizer.json}: {@code char}, {@code bpe}, {@code gpt2}, {@code vocab-merges} or {@code ids}. */
  String kind();

  /** The token ids of {@code text}; a clear error if the text cannot be encoded. */
  int[] encode(String text);

  /**
   * The ids of {@code text} leaving out what the vocabulary cannot express (a character a char
   * vocabulary never saw), for reading texts a model must take as they come (a classifier's
   * input); byte-level tokenizers express every text, so this is {@link #encode}.
   */
  default int[] encodeKnown(String text) {
    return encode(text);
  }

  /** The text of {@code tokens}; byte-level tokenizers replace incomplete UTF-8 with U+FFFD. */
  String decode(int[] tokens);

  /** The UTF-8 bytes one token stands for (used to stream text and to count characters). */
  byte[] tokenBytes(int token);

  /** Number of distinct token ids: ids are {@code 0 .. vocabSize()-1}. */
  int vocabSize();

  /** Writes {@code tokenizer.json} into {@code dir}. */
  void save(Path dir);

  /** How many characters (Unicode code points) start inside {@code token}'s bytes. */
  default int charCount(int token) {
    int n = 0;
    for (byte b : tokenBytes(token)) {
      if ((b & 0xC0) != 0x80) {
        n++;
      }
    }
    return n;
  }
}
