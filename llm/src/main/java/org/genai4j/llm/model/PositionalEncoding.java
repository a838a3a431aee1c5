package org.genai4j.llm.model;

/** How a GPT tells positions apart: a learned table (GPT-2) or fixed sinusoids (Vaswani et al.). */
public enum PositionalEncoding {
  LEARNED,
  SINUSOIDAL
}
