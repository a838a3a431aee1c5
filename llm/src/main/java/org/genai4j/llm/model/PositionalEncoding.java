package org.genai4j.llm.model;

/**
 * How a GPT tells positions apart: a learned table added to the embeddings (GPT-2), fixed
 * sinusoids added to them (Vaswani et al.), or queries and keys rotated by their positions in
 * every attention layer (RoPE, Llama; no parameters).
 */
public enum PositionalEncoding {
  LEARNED,
  SINUSOIDAL,
  ROTARY
}
