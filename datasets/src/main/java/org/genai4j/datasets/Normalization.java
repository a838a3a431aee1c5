package org.genai4j.datasets;

import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;

/** The pixel range a {@link ImageDataSetIterator} delivers. */
public enum Normalization {
    /** Pixels in [0, 1], as stored in {@link ImageData} (e.g. for a Bernoulli VAE). */
    ZERO_ONE(0, 1),
    /** Pixels in [-1, 1] (e.g. for a GAN whose generator ends in tanh). */
    MINUS_ONE_ONE(-1, 1);

    private final double min;
    private final double max;

    Normalization(double min, double max) {
        this.min = min;
        this.max = max;
    }

    /** @return the smallest pixel value this normalization produces */
    public double min() {
        return min;
    }

    /** @return the largest pixel value this normalization produces */
    public double max() {
        return max;
    }

    /**
     * ND4J's image scaler mapping [0, 1] input to this range. maxBits = 1 tells it the input's maximum
     * pixel value is 2^1 - 1 = 1 rather than 255.
     */
    ImagePreProcessingScaler scaler() {
        return new ImagePreProcessingScaler(min, max, 1);
    }
}
