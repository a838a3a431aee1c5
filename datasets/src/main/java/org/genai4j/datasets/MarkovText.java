package org.genai4j.datasets;

import java.util.Random;

/**
 * A random Markov chain over a small alphabet: the next character depends on the previous {@code order}
 * characters. Its entropy rate H = sum over contexts s of pi(s) * H(next | s), with pi the stationary
 * distribution, is computed exactly, so the cross-entropy of any model on text from this source is at
 * least H (in expectation) and a good model approaches it. This gives language models a target with a known
 * floor, which no natural corpus has.
 */
public final class MarkovText {

    /** The dataset name used by {@link Datasets}. */
    public static final String NAME = "synthetic-text";

    private final String alphabet;
    private final int order;
    private final int states;
    private final double[][] next; // [state][symbol] probabilities
    private final double[] stationary;

    private MarkovText(String alphabet, int order, double[][] next) {
        this.alphabet = alphabet;
        this.order = order;
        this.states = next.length;
        this.next = next;
        this.stationary = stationaryDistribution();
    }

    /**
     * The source behind the {@code synthetic-text} dataset: alphabet {@code "abcdefg "} (8 symbols), order 2,
     * seed 42.
     *
     * @return the standard source
     */
    public static MarkovText standard() {
        return random("abcdefg ", 2, 3.0, 42);
    }

    /**
     * A chain whose transition probabilities are drawn at random: each row is u^sharpness (u uniform in (0, 1])
     * normalized, so a larger sharpness gives more peaked rows and a lower entropy rate. All probabilities are
     * positive, so the chain is ergodic and its stationary distribution unique.
     *
     * @param alphabet  the distinct symbols, 2..64 characters
     * @param order     context length, 1..4
     * @param sharpness at least 0 (0 gives uniform rows and the rate ln |alphabet|)
     * @param seed      random seed of the transition table
     * @return the chain
     */
    public static MarkovText random(String alphabet, int order, double sharpness, long seed) {
        if (alphabet.length() < 2 || alphabet.length() > 64 || alphabet.chars().distinct().count() != alphabet.length()) {
            throw new IllegalArgumentException("alphabet must be 2..64 distinct characters, got '" + alphabet + "'");
        }
        if (order < 1 || order > 4) {
            throw new IllegalArgumentException("order must be 1..4, got " + order);
        }
        if (sharpness < 0) {
            throw new IllegalArgumentException("sharpness must be >= 0, got " + sharpness);
        }
        int k = alphabet.length();
        int states = (int) Math.pow(k, order);
        Random rng = new Random(seed);
        double[][] next = new double[states][k];
        for (int s = 0; s < states; s++) {
            double sum = 0;
            for (int c = 0; c < k; c++) {
                double u = 1.0 - rng.nextDouble(); // (0, 1]
                next[s][c] = Math.max(Math.pow(u, sharpness), 1e-6);
                sum += next[s][c];
            }
            for (int c = 0; c < k; c++) {
                next[s][c] /= sum;
            }
        }
        return new MarkovText(alphabet, order, next);
    }

    /** @return the symbols */
    public String alphabet() {
        return alphabet;
    }

    /** @return the context length */
    public int order() {
        return order;
    }

    /** @return the exact entropy rate in nats per character */
    public double entropyRateNats() {
        double h = 0;
        for (int s = 0; s < states; s++) {
            double hs = 0;
            for (double p : next[s]) {
                hs -= p * Math.log(p);
            }
            h += stationary[s] * hs;
        }
        return h;
    }

    /**
     * @param context the previous {@code order} characters
     * @return the probability of each alphabet symbol coming next
     */
    public double[] nextDistribution(String context) {
        if (context.length() != order) {
            throw new IllegalArgumentException("context must have " + order + " characters, got '" + context + "'");
        }
        int s = 0;
        for (int i = 0; i < order; i++) {
            s = s * alphabet.length() + symbol(context.charAt(i));
        }
        return next[s].clone();
    }

    /**
     * The average negative log-likelihood per character that this (true) model assigns to {@code text},
     * skipping the first {@code order} characters, which have no full context. On long text from this source
     * it converges to {@link #entropyRateNats()}.
     *
     * @param text text over this alphabet
     * @return nats per character
     */
    public double crossEntropyNats(String text) {
        if (text.length() <= order) {
            throw new IllegalArgumentException("text must be longer than the order " + order);
        }
        int k = alphabet.length();
        int s = 0;
        for (int i = 0; i < order; i++) {
            s = s * k + symbol(text.charAt(i));
        }
        double nll = 0;
        for (int i = order; i < text.length(); i++) {
            int c = symbol(text.charAt(i));
            nll -= Math.log(next[s][c]);
            s = (s * k + c) % states;
        }
        return nll / (text.length() - order);
    }

    /**
     * Samples text, starting from a context drawn from the stationary distribution so that the text is
     * stationary from its first character.
     *
     * @param length number of characters
     * @param seed   random seed
     * @return the text
     */
    public String generate(int length, long seed) {
        if (length < order) {
            throw new IllegalArgumentException("length must be at least the order " + order + ", got " + length);
        }
        Random rng = new Random(seed);
        int k = alphabet.length();
        int s = sample(stationary, rng);
        StringBuilder sb = new StringBuilder(length);
        int[] first = new int[order];
        for (int i = order - 1, v = s; i >= 0; i--, v /= k) {
            first[i] = v % k;
        }
        for (int c : first) {
            sb.append(alphabet.charAt(c));
        }
        while (sb.length() < length) {
            int c = sample(next[s], rng);
            sb.append(alphabet.charAt(c));
            s = (s * k + c) % states;
        }
        return sb.toString();
    }

    /**
     * @param length number of characters
     * @param seed   random seed
     * @return generated text as a corpus named {@code synthetic-text}
     */
    public TextCorpus corpus(int length, long seed) {
        return new TextCorpus(NAME, generate(length, seed));
    }

    /**
     * The plug-in estimate of H(next | previous {@code order} characters) from counts in {@code text}: what an
     * order-{@code order} count model fitted to this very text achieves. It is slightly below the true rate
     * on finite text (bias about states * (|alphabet| - 1) / (2 N)).
     *
     * @param text  the text
     * @param order context length
     * @return nats per character
     */
    public static double empiricalConditionalEntropy(String text, int order) {
        java.util.Map<String, java.util.Map<Character, Integer>> counts = new java.util.HashMap<>();
        for (int i = order; i < text.length(); i++) {
            counts.computeIfAbsent(text.substring(i - order, i), x -> new java.util.HashMap<>())
                    .merge(text.charAt(i), 1, Integer::sum);
        }
        double n = text.length() - order;
        double h = 0;
        for (java.util.Map<Character, Integer> row : counts.values()) {
            double rowTotal = row.values().stream().mapToInt(Integer::intValue).sum();
            for (int c : row.values()) {
                h -= c / n * Math.log(c / rowTotal);
            }
        }
        return h;
    }

    private int symbol(char ch) {
        int c = alphabet.indexOf(ch);
        if (c < 0) {
            throw new IllegalArgumentException("character '" + ch + "' is not in the alphabet '" + alphabet + "'");
        }
        return c;
    }

    private static int sample(double[] p, Random rng) {
        double u = rng.nextDouble();
        double cum = 0;
        for (int i = 0; i < p.length; i++) {
            cum += p[i];
            if (u < cum) {
                return i;
            }
        }
        return p.length - 1;
    }

    /** Power iteration on pi = pi P; converges because every transition probability is positive. */
    private double[] stationaryDistribution() {
        int k = alphabet.length();
        double[] pi = new double[states];
        java.util.Arrays.fill(pi, 1.0 / states);
        for (int iter = 0; iter < 100_000; iter++) {
            double[] nextPi = new double[states];
            for (int s = 0; s < states; s++) {
                for (int c = 0; c < k; c++) {
                    nextPi[(s * k + c) % states] += pi[s] * next[s][c];
                }
            }
            double diff = 0;
            for (int s = 0; s < states; s++) {
                diff += Math.abs(nextPi[s] - pi[s]);
            }
            pi = nextPi;
            if (diff < 1e-14) {
                break;
            }
        }
        return pi;
    }
}
