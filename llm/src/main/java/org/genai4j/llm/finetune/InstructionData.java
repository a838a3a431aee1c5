package org.genai4j.llm.finetune;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.genai4j.common.util.JsonProblem;

/**
 * A list of instruction records read from a JSON array (LLMs-from-scratch's {@code
 * instruction-data.json} and {@code instruction-data-with-preference.json}), and its
 * train/validation/test split.
 *
 * @param records the records, in file order
 */
public record InstructionData(List<InstructionRecord> records) {

  /** Files above this size are refused before reading: the shipped ones are 0.2 and 0.4 MB. */
  static final long MAX_FILE_BYTES = 256L << 20;

  private static final Set<String> FIELDS = Set.of("instruction", "input", "output", "chosen", "rejected");

  public InstructionData {
    records = List.copyOf(records);
  }

  public int size() {
    return records.size();
  }

  /** The train, validation and test parts. */
  public record Splits(InstructionData train, InstructionData validation, InstructionData test) {}

  /**
   * Reads a JSON array of objects with string fields {@code instruction}, {@code input} (optional),
   * {@code output} and, when {@code needPreference}, {@code chosen} and {@code rejected}. Any other
   * shape is an {@link IllegalArgumentException} naming the file, the record's index and the field.
   */
  public static InstructionData readJson(Path file, boolean needPreference) {
    JsonNode root;
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new IllegalArgumentException(file + " is " + size + " bytes; an instruction file above "
            + (MAX_FILE_BYTES >> 20) + " MB is not supported");
      }
      root = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(file + ": not valid JSON: " + JsonProblem.describe(e));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
    }
    if (root == null || !root.isArray()) {
      throw new IllegalArgumentException(file + ": expected a JSON array of instruction records");
    }
    List<InstructionRecord> records = new ArrayList<>(root.size());
    for (int i = 0; i < root.size(); i++) {
      records.add(record(file, i, root.get(i), needPreference));
    }
    if (records.isEmpty()) {
      throw new IllegalArgumentException(file + ": holds no instruction records");
    }
    return new InstructionData(records);
  }

  private static InstructionRecord record(Path file, int index, JsonNode node, boolean needPreference) {
    String where = file + ": record " + index;
    if (!node.isObject()) {
      throw new IllegalArgumentException(where + " is not a JSON object");
    }
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      if (!FIELDS.contains(field.getKey())) {
        throw new IllegalArgumentException(where + " has an unknown field \"" + field.getKey()
            + "\"; expected instruction, input, output" + (needPreference ? ", chosen, rejected" : ""));
      }
    }
    String instruction = text(where, node, "instruction", true);
    if (instruction.isBlank()) {
      throw new IllegalArgumentException(where + " has an empty \"instruction\"");
    }
    String input = text(where, node, "input", false);
    String output = text(where, node, "output", true);
    String chosen = text(where, node, "chosen", needPreference);
    String rejected = text(where, node, "rejected", needPreference);
    if (!needPreference) {
      chosen = null;
      rejected = null;
    }
    return new InstructionRecord(instruction, input, output, chosen, rejected);
  }

  private static String text(String where, JsonNode node, String field, boolean required) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        throw new IllegalArgumentException(where + " has no \"" + field + "\"");
      }
      return "";
    }
    if (!value.isTextual()) {
      throw new IllegalArgumentException(where + ": \"" + field + "\" must be a string, got " + value.getNodeType()
          .name().toLowerCase(java.util.Locale.ROOT));
    }
    return value.asText();
  }

  /**
   * LLMs-from-scratch's split, in file order: the first 85 % train, the next 10 % test, the rest
   * validation (1,100 records: 935 / 55 / 110).
   */
  public Splits split() {
    int train = (int) (records.size() * 0.85);
    int test = (int) (records.size() * 0.10);
    return new Splits(new InstructionData(records.subList(0, train)),
        new InstructionData(records.subList(train + test, records.size())),
        new InstructionData(records.subList(train, train + test)));
  }
}
