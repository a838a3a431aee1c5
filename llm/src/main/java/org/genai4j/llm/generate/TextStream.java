package org.genai4j.llm.generate;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Turns token bytes into text as they arrive: emits only complete UTF-8 characters (a byte-level
 * token may end inside one), and holds back text that could be the start of the stop string, so
 * the stop string itself is never emitted.
 */
final class TextStream {

  private final Consumer<String> out;
  private final String stop;
  private final ByteArrayOutputStream pendingBytes = new ByteArrayOutputStream();
  private final StringBuilder text = new StringBuilder();
  private int emitted;
  private boolean stopped;

  TextStream(Consumer<String> out, String stop) {
    this.out = out;
    this.stop = stop == null || stop.isEmpty() ? null : stop;
  }

  /** Adds one token's bytes; returns true once the stop string has appeared. */
  boolean add(byte[] bytes) {
    pendingBytes.writeBytes(bytes);
    byte[] all = pendingBytes.toByteArray();
    int complete = completePrefix(all);
    text.append(new String(all, 0, complete, StandardCharsets.UTF_8));
    pendingBytes.reset();
    pendingBytes.write(all, complete, all.length - complete);
    if (stop != null) {
      int at = text.indexOf(stop, Math.max(0, emitted - stop.length()));
      if (at >= 0) {
        text.setLength(at);
        stopped = true;
        flushTo(text.length());
        return true;
      }
      flushTo(Math.max(emitted, text.length() - (stop.length() - 1)));
    } else {
      flushTo(text.length());
    }
    return false;
  }

  /** Emits whatever is held back (at the end of generation). */
  void finish() {
    if (!stopped) {
      if (pendingBytes.size() > 0) {
        text.append(pendingBytes.toString(StandardCharsets.UTF_8));
        pendingBytes.reset();
      }
      flushTo(text.length());
    }
  }

  /** The text generated so far (without the stop string). */
  String text() {
    return text.toString();
  }

  private void flushTo(int end) {
    if (end > emitted) {
      // Never split a surrogate pair between two emissions.
      if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
        end--;
      }
      if (end > emitted) {
        out.accept(text.substring(emitted, end));
        emitted = end;
      }
    }
  }

  /** Length of the longest prefix of {@code b} that ends on a UTF-8 character boundary. */
  static int completePrefix(byte[] b) {
    int n = b.length;
    for (int back = 1; back <= Math.min(3, n); back++) {
      int v = b[n - back] & 0xFF;
      if ((v & 0xC0) == 0x80) {
        continue; // continuation byte: look further back for the lead byte
      }
      int need = v >= 0xF0 ? 4 : v >= 0xE0 ? 3 : v >= 0xC0 ? 2 : 1;
      return need > back ? n - back : n;
    }
    return n;
  }
}
