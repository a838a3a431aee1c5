package org.genai4j.llm.finetune;

/**
 * The Alpaca prompt template, as LLMs-from-scratch chapter 7 uses it: a fixed preamble, the
 * instruction, the input when there is one, and a "### Response:" header after which the model
 * writes. The training text is {@link #prompt} followed by {@link #response}; the loss covers the
 * response only.
 */
public final class AlpacaPrompt {

  private static final String PREAMBLE = "Below is an instruction that describes a task. "
      + "Write a response that appropriately completes the request.";

  private AlpacaPrompt() {}

  /** @return the prompt of a record: preamble, instruction, input (if any) and the response header */
  public static String prompt(InstructionRecord record) {
    StringBuilder text = new StringBuilder(PREAMBLE).append("\n\n### Instruction:\n").append(record.instruction());
    if (!record.input().isEmpty()) {
      text.append("\n\n### Input:\n").append(record.input());
    }
    return text.append("\n\n### Response:\n").toString();
  }

  /** @return the text the model is trained to write after the prompt: {@code response} itself */
  public static String response(String response) {
    return response;
  }

  /** @return prompt and desired output as one training text */
  public static String full(InstructionRecord record) {
    return prompt(record) + response(record.output());
  }
}
