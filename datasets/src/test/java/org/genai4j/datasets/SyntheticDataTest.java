package org.genai4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

class SyntheticDataTest {

    @Test
    void shapesAreBalancedInRangeDeterministicAndVaried() {
        ImageData a = SyntheticShapes.generate(200, 28, 3);
        assertArrayEquals(new int[]{20, 20, 20, 20, 20, 20, 20, 20, 20, 20}, a.classCounts());
        assertArrayEquals(new long[]{200, 1, 28, 28}, a.images().shape());
        assertTrue(a.images().minNumber().doubleValue() >= 0 && a.images().maxNumber().doubleValue() <= 1);
        assertEquals(a.images(), SyntheticShapes.generate(200, 28, 3).images(), "same seed, same images");
        for (int i = 0; i < a.size(); i++) {
            INDArray img = a.images().get(NDArrayIndex.point(i));
            double ink = img.sumNumber().doubleValue();
            assertTrue(ink > 15 && ink < 0.8 * 28 * 28, "image " + i + " (" + a.classNames().get(a.labels()[i])
                    + ") has ink " + ink);
            // one-pixel black margin: nothing drawn on the border
            assertEquals(0.0, img.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all())
                    .sumNumber().doubleValue(), 0.02, "top border of image " + i);
        }
        // jitter: two circles differ
        assertTrue(a.images().get(NDArrayIndex.point(0)).distance2(a.images().get(NDArrayIndex.point(10))) > 1);
    }

    @Test
    void uniformChainHasRateLogAlphabetAndRatesAreBelowIt() {
        MarkovText uniform = MarkovText.random("abcd", 2, 0.0, 1);
        assertEquals(Math.log(4), uniform.entropyRateNats(), 1e-12);
        MarkovText std = MarkovText.standard();
        assertTrue(std.entropyRateNats() > 0.5 && std.entropyRateNats() < Math.log(8) - 0.1,
                "rate " + std.entropyRateNats());
        double sum = 0;
        for (double p : std.nextDistribution("ab")) {
            sum += p;
        }
        assertEquals(1.0, sum, 1e-12);
    }

    @Test
    void generatedTextApproachesTheComputedEntropyRate() {
        MarkovText source = MarkovText.standard();
        double h = source.entropyRateNats();
        String text = source.generate(300_000, 5);
        // the true model's cross-entropy on its own samples converges to H (std error here ~0.002)
        assertEquals(h, source.crossEntropyNats(text), 0.01);
        // an order-2 count model fitted on the text gets the same (plug-in estimate, bias ~0.001)
        assertEquals(h, MarkovText.empiricalConditionalEntropy(text, 2), 0.01);
        // knowing less context costs nats: order 1 is clearly worse than the rate
        assertTrue(MarkovText.empiricalConditionalEntropy(text, 1) > h + 0.02);
        // and the facade corpus is this source's text
        TextCorpus corpus = Datasets.text("synthetic-text");
        assertEquals(Datasets.SYNTHETIC_TEXT_LENGTH, corpus.length());
        assertEquals(h, source.crossEntropyNats(corpus.validation()), 0.02);
    }
}
