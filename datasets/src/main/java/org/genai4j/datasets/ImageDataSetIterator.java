package org.genai4j.datasets;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A DL4J {@link DataSetIterator} over an {@link ImageData}: features [batch, C, H, W], one-hot labels
 * [batch, classes]. The order of epoch e is a Fisher-Yates shuffle driven by {@code seed} and e, so two
 * iterators with the same seed deliver identical batches. Pixel scaling is done by ND4J's
 * {@link org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler}, set as the pre-processor
 * (a user may replace it with {@link #setPreProcessor}).
 */
public final class ImageDataSetIterator implements DataSetIterator {
    private static final long serialVersionUID = 1L;

    private final transient ImageData data;
    private final int batch;
    private final long seed;
    private final boolean shuffle;
    private DataSetPreProcessor preProcessor;
    private int[] order;
    private int cursor;
    private int epoch;

    /**
     * @param data    the images and labels
     * @param batch   examples per batch, at least 1
     * @param seed    the shuffling seed
     * @param shuffle reshuffle every epoch when true; keep the stored order otherwise
     * @param norm    the pixel range to deliver
     */
    public ImageDataSetIterator(ImageData data, int batch, long seed, boolean shuffle, Normalization norm) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        this.data = data;
        this.batch = batch;
        this.seed = seed;
        this.shuffle = shuffle;
        this.preProcessor = norm.scaler();
        startEpoch();
    }

    private void startEpoch() {
        order = new int[data.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (shuffle) {
            // Mix the epoch into the seed so each epoch has its own, reproducible order.
            Random rng = new Random(seed * 0x9E3779B97F4A7C15L + epoch);
            for (int i = order.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        cursor = 0;
    }

    /** @return the epoch currently being delivered, starting at 0 and advanced by {@link #reset()} */
    public int epoch() {
        return epoch;
    }

    @Override
    public DataSet next(int num) {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " of '" + data.name() + "' is exhausted; call reset()");
        }
        int n = Math.min(num, order.length - cursor);
        int[] rows = new int[n];
        System.arraycopy(order, cursor, rows, 0, n);
        cursor += n;
        // pullRows gathers rows of a 2-D matrix natively; [N, C, H, W] is viewed as [N, C*H*W].
        INDArray flat = data.images().reshape('c', data.size(), inputColumns());
        INDArray features = Nd4j.pullRows(flat, 1, rows)
                .reshape('c', n, data.channels(), data.height(), data.width());
        INDArray labels = Nd4j.zeros(DataType.FLOAT, n, data.classes());
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, data.labels()[rows[i]], 1.0f);
        }
        DataSet ds = new DataSet(features, labels);
        if (preProcessor != null) {
            preProcessor.preProcess(ds);
        }
        return ds;
    }

    @Override
    public DataSet next() {
        return next(batch);
    }

    @Override
    public boolean hasNext() {
        return cursor < order.length;
    }

    @Override
    public int inputColumns() {
        return data.channels() * data.height() * data.width();
    }

    @Override
    public int totalOutcomes() {
        return data.classes();
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return true;
    }

    /** Starts the next epoch (reshuffled when shuffling is on). */
    @Override
    public void reset() {
        epoch++;
        startEpoch();
    }

    @Override
    public int batch() {
        return batch;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        return data.classNames();
    }
}
