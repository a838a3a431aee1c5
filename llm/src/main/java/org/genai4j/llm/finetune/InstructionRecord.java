package org.genai4j.llm.finetune;

/**
 * One Alpaca-style example: a task, its optional input, the desired response and, for preference
 * tuning, a preferred ({@code chosen}) and a dispreferred ({@code rejected}) response.
 *
 * @param instruction the task, never empty
 * @param input the task's input, empty when it has none
 * @param output the desired response
 * @param chosen the preferred response, or {@code null} outside preference data
 * @param rejected the dispreferred response, or {@code null} outside preference data
 */
public record InstructionRecord(String instruction, String input, String output, String chosen, String rejected) {

  public InstructionRecord {
    if (instruction == null || instruction.isBlank()) {
      throw new IllegalArgumentException("an instruction record needs a non-empty \"instruction\"");
    }
    if (output == null) {
      throw new IllegalArgumentException("an instruction record needs an \"output\"");
    }
    input = input == null ? "" : input;
    if ((chosen == null) != (rejected == null)) {
      throw new IllegalArgumentException("a preference record needs both \"chosen\" and \"rejected\"");
    }
  }

  /** An instruction example without preferences. */
  public static InstructionRecord of(String instruction, String input, String output) {
    return new InstructionRecord(instruction, input, output, null, null);
  }

  /** @return true when the record has a chosen and a rejected response */
  public boolean hasPreference() {
    return chosen != null;
  }
}
