package org.genai4j.llm.generate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.bytedeco.javacpp.Pointer;
import org.genai4j.common.ops.Params;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.junit.jupiter.api.Test;

/**
 * Decoding with the cache is written for one token at a time: after the first tokens, a step
 * allocates no native memory and no arrays of the model's size, only small Java objects (pointer
 * views for BLAS calls), whatever the length.
 */
class DecodingAllocationTest {

  @Test
  void aDecodingStepAllocatesNoArrays() {
    // A vocabulary of 8192: a logits row (or any array of the model's width or vocabulary) made
    // per step would show as 32 KB a step.
    for (GptConfig c : new GptConfig[] {GptConfig.reference().withShape(2, 4, 32, 128).withVocabSize(8192),
        GptConfig.llama(8192, 2, 4, 2, 32, 128)}) {
      CachedDecoder decoder = new CachedDecoder(new Gpt(c, Params.init(1)));
      decoder.start(new int[] {1, 2, 3});
      for (int i = 0; i < 5; i++) {
        decoder.append(i);
      }
      com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long thread = Thread.currentThread().getId();
      System.gc(); // earlier tensors' native memory is freed when they are collected: let that happen first
      long nativeBefore = Pointer.totalBytes();
      long heapBefore = threads.getThreadAllocatedBytes(thread);
      int steps = 100;
      for (int i = 0; i < steps; i++) {
        decoder.append(i % 60);
      }
      long heapPerStep = (threads.getThreadAllocatedBytes(thread) - heapBefore) / steps;
      long nativeAfter = Pointer.totalBytes();
      assertTrue(nativeAfter <= nativeBefore, c.positional() + ": native memory grew while decoding, from "
          + nativeBefore + " to " + nativeAfter + " bytes");
      // What remains are small short-lived objects: the pointer views a BLAS call takes (three per
      // call, about 100 calls a step) and shape arguments, about 7 KB a step.
      assertTrue(heapPerStep < 16_384, c.positional() + ": " + heapPerStep + " bytes of Java heap per step");
    }
  }
}
