package org.genai4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class ImageDataSetIteratorTest {

    /** Image i carries its own index in pixel (0, 0), so the order of a batch can be read back. */
    private static ImageData indexed(int n) {
        ImageData base = SyntheticShapes.generate(n, 12, 5);
        for (int i = 0; i < n; i++) {
            base.images().putScalar(new long[]{i, 0, 0, 0}, i / (float) n);
        }
        return base;
    }

    private static List<Integer> order(DataSetIterator it, int n) {
        List<Integer> seen = new ArrayList<>();
        while (it.hasNext()) {
            DataSet ds = it.next();
            for (int i = 0; i < ds.numExamples(); i++) {
                // ZERO_ONE leaves the pixel as stored
                seen.add(Math.round(ds.getFeatures().getFloat(i, 0, 0, 0) * n));
            }
        }
        return seen;
    }

    @Test
    void sameSeedSameOrderEveryEpochCoversAllExamplesOnce() {
        int n = 50;
        ImageData data = indexed(n);
        DataSetIterator a = data.iterator(8, 123, true, Normalization.ZERO_ONE);
        DataSetIterator b = data.iterator(8, 123, true, Normalization.ZERO_ONE);
        List<Integer> first = order(a, n);
        assertEquals(first, order(b, n));
        List<Integer> sorted = new ArrayList<>(first);
        sorted.sort(null);
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(i);
        }
        assertEquals(all, sorted, "each example exactly once per epoch");
        assertNotEquals(all, first, "shuffled");

        a.reset();
        b.reset();
        List<Integer> second = order(a, n);
        assertEquals(second, order(b, n), "second epoch also reproducible");
        assertNotEquals(first, second, "each epoch has its own order");
        assertNotEquals(first, order(data.iterator(8, 124, true, Normalization.ZERO_ONE), n), "seed matters");
        assertEquals(all, order(data.iterator(8, 123, false, Normalization.ZERO_ONE), n), "no shuffle keeps order");
    }

    @Test
    void batchesHaveTheRightShapesAndOneHotLabels() {
        ImageData data = SyntheticShapes.generate(23, 16, 9);
        DataSetIterator it = data.iterator(10, 1, false, Normalization.ZERO_ONE);
        assertEquals(256, it.inputColumns());
        assertEquals(10, it.totalOutcomes());
        int[] sizes = new int[3];
        int k = 0;
        int seen = 0;
        while (it.hasNext()) {
            DataSet ds = it.next();
            sizes[k++] = ds.numExamples();
            assertArrayEquals(new long[]{ds.numExamples(), 1, 16, 16}, ds.getFeatures().shape());
            for (int i = 0; i < ds.numExamples(); i++) {
                assertEquals(data.labels()[seen + i], ds.getLabels().getRow(i).argMax().getInt(0));
                assertEquals(1.0, ds.getLabels().getRow(i).sumNumber().doubleValue(), 1e-6);
            }
            seen += ds.numExamples();
        }
        assertArrayEquals(new int[]{10, 10, 3}, sizes);
        assertFalse(it.hasNext());
    }

    @Test
    void normalizationRanges() {
        ImageData data = SyntheticShapes.generate(40, 28, 3);
        for (Normalization norm : Normalization.values()) {
            DataSet ds = data.iterator(40, 1, false, norm).next();
            double min = ds.getFeatures().minNumber().doubleValue();
            double max = ds.getFeatures().maxNumber().doubleValue();
            assertEquals(norm.min(), min, 1e-6, norm + " min");
            assertTrue(max > norm.max() - 0.35 && max <= norm.max() + 1e-6, norm + " max " + max);
            // the mapping is affine: x -> min + (max - min) * x
            float stored = data.images().getFloat(7, 0, 14, 14);
            assertEquals(norm.min() + (norm.max() - norm.min()) * stored, ds.getFeatures().getFloat(7, 0, 14, 14), 1e-6);
        }
        assertEquals(-1.0, data.scaledToMinusOneOne().minNumber().doubleValue(), 1e-6);
        assertEquals(0.0, data.images().minNumber().doubleValue(), 1e-6, "scaledToMinusOneOne copies");
    }

    @Test
    void aDl4jNetworkLearnsTheShapesFromTheIterator() {
        ImageData train = SyntheticShapes.generate(2000, 28, 11);
        ImageData test = SyntheticShapes.generate(500, 28, 12);
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(1).updater(new Adam(3e-3)).list()
                .layer(new DenseLayer.Builder().nOut(128).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.fit(train.iterator(64, 7, true, Normalization.MINUS_ONE_ONE), 6);
        Evaluation eval = net.evaluate(test.iterator(100, 0, false, Normalization.MINUS_ONE_ONE));
        // chance is 0.10; an MLP separates these shapes well despite the position jitter
        assertTrue(eval.accuracy() > 0.6, "accuracy " + eval.accuracy() + "\n" + eval.stats());
        assertEquals(Arrays.asList(SyntheticShapes.CLASS_NAMES.toArray()), train.iterator(1, 0, false,
                Normalization.ZERO_ONE).getLabels());
    }
}
