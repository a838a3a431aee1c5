package org.genai4j.datasets;

import java.util.Objects;

/**
 * A text corpus with nanoGPT's deterministic split: the first 90 % of the characters (Unicode code
 * points, as Python counts them) are for training and the last 10 % for validation.
 *
 * @param name the dataset name (e.g. {@code tinyshakespeare})
 * @param text the whole corpus, never empty
 */
public record TextCorpus(String name, String text) {

    /** Fraction of the corpus, counted in code points, used for training. */
    public static final double TRAIN_FRACTION = 0.9;

    public TextCorpus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(text, "text");
        if (text.isEmpty()) {
            throw new DatasetException("Text corpus '" + name + "' is empty: expected at least one character");
        }
    }

    /** @return the first 90 % of the corpus (nanoGPT's {@code data[:int(n*0.9)]}) */
    public String train() {
        return text.substring(0, splitIndex());
    }

    /** @return the last 10 % of the corpus */
    public String validation() {
        return text.substring(splitIndex());
    }

    /** @return the number of characters (code points) in the corpus */
    public int length() {
        return text.codePointCount(0, text.length());
    }

    /** Char index of the split; counted in code points so a surrogate pair is never cut in half. */
    private int splitIndex() {
        int trainCodePoints = (int) (length() * TRAIN_FRACTION);
        return text.offsetByCodePoints(0, trainCodePoints);
    }
}
