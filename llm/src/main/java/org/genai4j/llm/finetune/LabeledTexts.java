package org.genai4j.llm.finetune;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Texts with class labels: {@code texts.get(i)} has label {@code labels[i]}, an index into {@code
 * classes}.
 *
 * @param texts the texts
 * @param labels one class index per text
 * @param classes the class names, in index order
 */
public record LabeledTexts(List<String> texts, int[] labels, List<String> classes) {

  public LabeledTexts {
    texts = List.copyOf(texts);
    classes = List.copyOf(classes);
    if (texts.size() != labels.length) {
      throw new IllegalArgumentException(texts.size() + " texts but " + labels.length + " labels");
    }
    for (int l : labels) {
      if (l < 0 || l >= classes.size()) {
        throw new IllegalArgumentException("label " + l + " is not one of the " + classes.size() + " classes");
      }
    }
  }

  public int size() {
    return texts.size();
  }

  /** The train, validation and test parts of a dataset. */
  public record Splits(LabeledTexts train, LabeledTexts validation, LabeledTexts test) {}

  /**
   * Reads a file of {@code label<TAB>text} lines (the SMS Spam Collection's format); the classes
   * are the labels in order of first appearance, or {@code classes} when given (then any other
   * label is an error naming the line).
   */
  public static LabeledTexts readTsv(Path file, List<String> classes) {
    List<String> lines;
    try {
      if (Files.size(file) > 1L << 30) {
        throw new IllegalArgumentException(file + " is " + Files.size(file) + " bytes; a labeled text file this"
            + " large is not supported");
      }
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
    }
    List<String> names = new ArrayList<>(classes);
    List<String> texts = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      int tab = line.indexOf('\t');
      if (tab <= 0 || tab == line.length() - 1) {
        throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected label<TAB>text, got '"
            + (line.length() > 60 ? line.substring(0, 60) + "..." : line) + "'");
      }
      String label = line.substring(0, tab);
      int index = names.indexOf(label);
      if (index < 0) {
        if (!classes.isEmpty()) {
          throw new IllegalArgumentException(file + " line " + (i + 1) + ": label '" + label + "' is not one of "
              + classes);
        }
        names.add(label);
        index = names.size() - 1;
      }
      texts.add(line.substring(tab + 1));
      labels.add(index);
    }
    if (texts.isEmpty()) {
      throw new IllegalArgumentException(file + " holds no label<TAB>text lines");
    }
    return new LabeledTexts(texts, labels.stream().mapToInt(Integer::intValue).toArray(), names);
  }

  /**
   * LLMs-from-scratch's split of the SMS spam data: every text of the rarest class with as many
   * texts drawn at random from each other class, shuffled, then cut 70 / 10 / 20 into train,
   * validation and test; seeded.
   */
  public Splits balancedSplit(long seed) {
    Random rng = new Random(seed);
    List<List<Integer>> byClass = new ArrayList<>();
    for (int c = 0; c < classes.size(); c++) {
      byClass.add(new ArrayList<>());
    }
    for (int i = 0; i < labels.length; i++) {
      byClass.get(labels[i]).add(i);
    }
    int n = byClass.stream().mapToInt(List::size).min().orElse(0);
    if (n < 5) {
      throw new IllegalArgumentException("the rarest class has " + n + " texts; a balanced split needs at least 5");
    }
    List<Integer> chosen = new ArrayList<>();
    for (List<Integer> c : byClass) {
      Collections.shuffle(c, rng);
      chosen.addAll(c.subList(0, n));
    }
    Collections.shuffle(chosen, rng);
    int trainEnd = (int) (chosen.size() * 0.7);
    int validationEnd = trainEnd + (int) (chosen.size() * 0.1);
    return new Splits(subset(chosen.subList(0, trainEnd)), subset(chosen.subList(trainEnd, validationEnd)),
        subset(chosen.subList(validationEnd, chosen.size())));
  }

  private LabeledTexts subset(List<Integer> rows) {
    List<String> t = new ArrayList<>(rows.size());
    int[] l = new int[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      t.add(texts.get(rows.get(i)));
      l[i] = labels[rows.get(i)];
    }
    return new LabeledTexts(t, l, classes);
  }
}
