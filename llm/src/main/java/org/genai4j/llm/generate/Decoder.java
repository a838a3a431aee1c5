package org.genai4j.llm.generate;

/** Produces next-token logits as a sequence grows one token at a time. */
public interface Decoder {

  /** Starts a new sequence with {@code prompt}; returns the logits for the token after it. */
  float[] start(int[] prompt);

  /** Appends {@code token}; returns the logits for the token after it. */
  float[] append(int token);
}
