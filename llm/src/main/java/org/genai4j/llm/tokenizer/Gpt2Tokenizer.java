package org.genai4j.llm.tokenizer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import java.nio.file.Path;

/**
 * GPT-2's byte-level BPE (r50k_base, 50257 tokens) through jtokkit, whose vocabulary ships inside
 * its jar (nothing is downloaded). Special tokens such as {@code <|endoftext|>} are encoded as
 * ordinary text.
 */
public final class Gpt2Tokenizer implements Tokenizer {

  static final String KIND = "gpt2";
  private static final Encoding ENCODING =
      Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE);
  private static final int VOCAB = 50257;

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public int[] encode(String text) {
    return ENCODING.encodeOrdinary(text).toArray();
  }

  @Override
  public String decode(int[] tokens) {
    return ENCODING.decode(list(tokens));
  }

  @Override
  public byte[] tokenBytes(int token) {
    return ENCODING.decodeBytes(list(new int[] {token}));
  }

  @Override
  public int vocabSize() {
    return VOCAB;
  }

  @Override
  public void save(Path dir) {
    ObjectNode o = Tokenizers.JSON.createObjectNode();
    o.put("kind", KIND);
    o.put("encoding", ENCODING.getName());
    Tokenizers.write(dir, o);
  }

  private static IntArrayList list(int[] tokens) {
    IntArrayList l = new IntArrayList(tokens.length);
    for (int t : tokens) {
      if (t < 0 || t >= VOCAB) {
        throw new IllegalArgumentException("token " + t + " is outside the GPT-2 vocabulary 0.." + (VOCAB - 1));
      }
      l.add(t);
    }
    return l;
  }
}
