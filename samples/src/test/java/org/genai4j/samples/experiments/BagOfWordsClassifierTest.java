package org.genai4j.samples.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.genai4j.datasets.DataResolver;
import org.genai4j.datasets.Datasets;
import org.genai4j.llm.finetune.LabeledTexts;
import org.junit.jupiter.api.Test;

/** The bag-of-words baseline of {@code compare finetune} learns, on a synthetic task and on the SMS spam split. */
class BagOfWordsClassifierTest {

  /** Sentences of filler words; class 1 when one of the "spammy" words occurs. */
  static LabeledTexts synthetic(long seed, int n) {
    String[] filler = {"see", "you", "at", "lunch", "ok", "home", "later", "call", "me", "tonight", "the", "a"};
    String[] spam = {"prize", "winner", "free", "claim"};
    Random r = new Random(seed);
    List<String> texts = new ArrayList<>();
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      StringBuilder s = new StringBuilder();
      int len = 3 + r.nextInt(6);
      int at = i % 2 == 0 ? r.nextInt(len) : -1;
      for (int j = 0; j < len; j++) {
        s.append(j == at ? spam[r.nextInt(spam.length)].toUpperCase() : filler[r.nextInt(filler.length)]).append(
            j % 3 == 2 ? "! " : " ");
      }
      texts.add(s.toString());
      labels[i] = at >= 0 ? 1 : 0;
    }
    return new LabeledTexts(texts, labels, List.of("ham", "spam"));
  }

  @Test
  void learnsASyntheticTaskAndCountsItsParameters() {
    BagOfWordsClassifier c = BagOfWordsClassifier.train(synthetic(1, 200), BagOfWordsClassifier.Options.defaults());
    assertEquals(1.0, c.accuracy(synthetic(2, 200)), "the spammy words decide");
    assertEquals(16, c.vocabulary().size(), "lower-cased words, punctuation dropped: " + c.vocabulary());
    assertEquals(2 * (16 + 1), c.parameterCount());
    assertEquals(1, c.predict("Claim your FREE prize, unseen words"));
    assertEquals(0, c.predict("entirely unseen words"), "no known word: the bias decides, and ham is as common");
    assertThrows(IllegalArgumentException.class, () -> new BagOfWordsClassifier.Options(1e-4, 0, 10));
  }

  @Test
  void beatsChanceByFarOnTheSmsSpamSplit() {
    assumeTrue(Datasets.isAvailableOffline("sms-spam"), "skipped: the SMS spam data is not found locally");
    LabeledTexts all = LabeledTexts.readTsv(Datasets.labeledTextFile("sms-spam", DataResolver.defaults(), null),
        List.of("ham", "spam"));
    LabeledTexts.Splits s = all.balancedSplit(123);
    long t0 = System.nanoTime();
    BagOfWordsClassifier c = BagOfWordsClassifier.train(s.train(), BagOfWordsClassifier.Options.defaults());
    double seconds = (System.nanoTime() - t0) / 1e9;
    double train = c.accuracy(s.train());
    double val = c.accuracy(s.validation());
    double test = c.accuracy(s.test());
    System.out.printf("bag of words on sms-spam: train %.4f val %.4f test %.4f, %d words, %.2f s%n", train, val, test,
        c.vocabulary().size(), seconds);
    assertTrue(test > 0.9 && val > 0.9 && train > 0.97, "accuracy train " + train + " val " + val + " test " + test);
    assertTrue(seconds < 30, seconds + " s");
  }
}
