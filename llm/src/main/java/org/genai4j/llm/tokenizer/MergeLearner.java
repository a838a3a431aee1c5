package org.genai4j.llm.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Learns BPE merges over a table of distinct words and their counts. Keeps the count of every
 * adjacent pair and, per pair, the words it occurs in; a merge only revisits those words. The most
 * frequent pair comes from a priority queue whose stale entries are skipped when popped.
 */
final class MergeLearner {

  private final List<int[]> words = new ArrayList<>();
  private final List<Integer> lengths = new ArrayList<>();
  private final int[] freq;
  private final Map<Long, Long> pairCounts = new HashMap<>();
  private final Map<Long, Set<Integer>> pairWords = new HashMap<>();
  private final PriorityQueue<long[]> queue = new PriorityQueue<>((x, y) ->
      x[1] != y[1] ? Long.compare(y[1], x[1]) : Long.compare(x[0], y[0]));

  MergeLearner(Map<String, Integer> wordCounts) {
    freq = new int[wordCounts.size()];
    int w = 0;
    for (var e : wordCounts.entrySet()) {
      byte[] b = e.getKey().getBytes(StandardCharsets.UTF_8);
      int[] s = new int[b.length];
      for (int i = 0; i < b.length; i++) {
        s[i] = b[i] & 0xFF;
      }
      words.add(s);
      lengths.add(s.length);
      freq[w] = e.getValue();
      addPairs(w, +1);
      w++;
    }
    pairCounts.forEach((k, c) -> queue.add(new long[] {k, c}));
  }

  /** Up to {@code count} merges, each the currently most frequent pair (ties: smallest ids). */
  int[][] learn(int count) {
    List<int[]> merges = new ArrayList<>();
    while (merges.size() < count && !queue.isEmpty()) {
      long[] top = queue.poll();
      long current = pairCounts.getOrDefault(top[0], 0L);
      if (current != top[1]) {
        continue; // stale entry; the pair's current count is queued separately
      }
      if (current < 2) {
        break;
      }
      int a = (int) (top[0] >>> 32);
      int b = (int) top[0];
      int id = 256 + merges.size();
      merges.add(new int[] {a, b});
      Set<Long> touched = new HashSet<>();
      for (int w : pairWords.remove(top[0])) {
        if (!contains(w, a, b)) {
          continue;
        }
        touchPairs(w, touched);
        addPairs(w, -1);
        lengths.set(w, replace(words.get(w), lengths.get(w), a, b, id));
        addPairs(w, +1);
        touchPairs(w, touched);
      }
      pairCounts.remove(top[0]);
      for (long k : touched) {
        Long c = pairCounts.get(k);
        if (c != null && c > 0) {
          queue.add(new long[] {k, c});
        }
      }
    }
    return merges.toArray(new int[0][]);
  }

  /** Replaces every non-overlapping (a, b), left to right, by {@code id}; returns the new length. */
  static int replace(int[] s, int len, int a, int b, int id) {
    int out = 0;
    for (int i = 0; i < len; i++) {
      if (i + 1 < len && s[i] == a && s[i + 1] == b) {
        s[out++] = id;
        i++;
      } else {
        s[out++] = s[i];
      }
    }
    return out;
  }

  private boolean contains(int w, int a, int b) {
    int[] s = words.get(w);
    int len = lengths.get(w);
    for (int i = 0; i + 1 < len; i++) {
      if (s[i] == a && s[i + 1] == b) {
        return true;
      }
    }
    return false;
  }

  private void addPairs(int w, int sign) {
    int[] s = words.get(w);
    int len = lengths.get(w);
    for (int i = 0; i + 1 < len; i++) {
      long k = BytePairTokenizer.key(s[i], s[i + 1]);
      long c = pairCounts.merge(k, (long) sign * freq[w], Long::sum);
      if (c == 0) {
        pairCounts.remove(k);
      }
      if (sign > 0) {
        pairWords.computeIfAbsent(k, x -> new HashSet<>()).add(w);
      }
    }
  }

  private void touchPairs(int w, Set<Long> touched) {
    int[] s = words.get(w);
    int len = lengths.get(w);
    for (int i = 0; i + 1 < len; i++) {
      touched.add(BytePairTokenizer.key(s[i], s[i + 1]));
    }
  }
}
