package org.genai4j.llm.finetune;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.genai4j.common.util.AtomicFile;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.generate.CachedDecoder;

/**
 * A fine-tuned model's answers to instructions, as LLMs-from-scratch chapter 7 collects them for
 * the test split: greedy decoding after the Alpaca prompt, up to a token budget, stopping at the
 * end-of-response id ({@code <|endoftext|>}) or where a {@code ###} header begins; written as a
 * JSON array of the records with their {@code model_response} ({@code instruction-data-with-response.json}
 * in the book).
 */
public final class InstructionResponses {
  private static final byte[] HEADER = "###".getBytes(StandardCharsets.UTF_8);
  private static final ObjectMapper JSON = new ObjectMapper();

  private InstructionResponses() {}

  /** One record of the file: the instruction record and what the model answered. */
  public record Entry(String instruction, String input, String output,
      @JsonProperty("model_response") String modelResponse) {}

  /**
   * The model's response to each record, in order. {@code end}: ids whose first one ends a
   * response when generated alone (a single end-of-text token); {@code progress} hears the count
   * of responses done.
   */
  public static List<Entry> generate(LlmModel model, List<InstructionRecord> records, int[] end, int maxTokens,
      IntConsumer progress) {
    List<Entry> out = new ArrayList<>(records.size());
    int endToken = end.length == 1 ? end[0] : -1;
    for (InstructionRecord r : records) {
      out.add(new Entry(r.instruction(), r.input(), r.output(), respond(model, AlpacaPrompt.prompt(r), endToken,
          maxTokens)));
      progress.accept(out.size());
    }
    return out;
  }

  /**
   * The greedy continuation of {@code prompt} up to {@code maxTokens} tokens, cut before {@code
   * endToken} (-1: none) or a {@code ###}, without surrounding white space.
   */
  public static String respond(LlmModel model, String prompt, int endToken, int maxTokens) {
    int[] ids = model.tokenizer().encodeKnown(prompt);
    if (ids.length == 0 || maxTokens == 0) {
      return "";
    }
    CachedDecoder decoder = new CachedDecoder(model.gpt());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    float[] logits = decoder.start(ids);
    int cut = -1;
    for (int n = 0; n < maxTokens; n++) {
      int token = argmax(logits);
      if (token == endToken) {
        break;
      }
      int before = bytes.size();
      bytes.writeBytes(model.tokenizer().tokenBytes(token));
      cut = indexOf(bytes.toByteArray(), Math.max(0, before - HEADER.length + 1));
      if (cut >= 0 || n + 1 == maxTokens) {
        break;
      }
      logits = decoder.append(token);
    }
    byte[] all = bytes.toByteArray();
    return new String(all, 0, cut >= 0 ? cut : all.length, StandardCharsets.UTF_8).strip();
  }

  /** Writes {@code entries} to {@code file} as a JSON array, atomically. */
  public static void write(Path file, List<Entry> entries) {
    AtomicFile.write(file, "test responses", f -> JSON.writerWithDefaultPrettyPrinter().writeValue(f.toFile(),
        entries));
  }

  private static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }

  /** Where {@code ###} starts in {@code b} at or after {@code from}, or -1. */
  private static int indexOf(byte[] b, int from) {
    for (int i = from; i + HEADER.length <= b.length; i++) {
      if (b[i] == HEADER[0] && b[i + 1] == HEADER[1] && b[i + 2] == HEADER[2]) {
        return i;
      }
    }
    return -1;
  }
}
