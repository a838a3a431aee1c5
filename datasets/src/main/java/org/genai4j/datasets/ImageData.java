package org.genai4j.datasets;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A labelled image dataset held in memory.
 *
 * @param name       the dataset name (e.g. {@code fashion-mnist})
 * @param images     float array of shape [N, C, H, W] with pixels in [0, 1]
 * @param labels     N class indices in 0..classes-1
 * @param classes    the number of classes
 * @param classNames one human-readable name per class
 */
public record ImageData(String name, INDArray images, int[] labels, int classes, List<String> classNames) {

    public ImageData {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(labels, "labels");
        if (images.rank() != 4) {
            throw new DatasetException("Image data '" + name + "': expected images of shape [N, C, H, W], got "
                    + Arrays.toString(images.shape()));
        }
        if (images.dataType() != DataType.FLOAT) {
            throw new DatasetException("Image data '" + name + "': expected FLOAT images, got " + images.dataType());
        }
        if (images.size(0) != labels.length) {
            throw new DatasetException("Image data '" + name + "': " + images.size(0) + " images but "
                    + labels.length + " labels; expected one label per image");
        }
        if (classes < 1) {
            throw new DatasetException("Image data '" + name + "': classes must be >= 1, got " + classes);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new DatasetException("Image data '" + name + "': label " + labels[i] + " of image " + i
                        + " is outside 0.." + (classes - 1));
            }
        }
        if (classNames == null || classNames.isEmpty()) {
            List<String> generated = new ArrayList<>();
            for (int c = 0; c < classes; c++) {
                generated.add(Integer.toString(c));
            }
            classNames = generated;
        }
        if (classNames.size() != classes) {
            throw new DatasetException("Image data '" + name + "': " + classNames.size() + " class names for "
                    + classes + " classes");
        }
        classNames = List.copyOf(classNames);
    }

    /** @return the number of images N */
    public int size() {
        return labels.length;
    }

    /** @return the number of channels C (1 for grayscale, 3 for RGB) */
    public int channels() {
        return (int) images.size(1);
    }

    /** @return the image height H in pixels */
    public int height() {
        return (int) images.size(2);
    }

    /** @return the image width W in pixels */
    public int width() {
        return (int) images.size(3);
    }

    /**
     * @param from first image (inclusive)
     * @param to   last image (exclusive)
     * @return a copy holding images {@code from..to-1}
     */
    public ImageData subset(int from, int to) {
        if (from < 0 || to > size() || from >= to) {
            throw new DatasetException("Image data '" + name + "': subset [" + from + ", " + to
                    + ") is not a non-empty range inside [0, " + size() + ")");
        }
        INDArray part = images.get(NDArrayIndex.interval(from, to), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.all()).dup();
        return new ImageData(name, part, Arrays.copyOfRange(labels, from, to), classes, classNames);
    }

    /** @return the images as a [N, C*H*W] matrix (a view when possible), e.g. for an MLP */
    public INDArray flattened() {
        return images.reshape('c', size(), (long) channels() * height() * width());
    }

    /** @return a copy of the images with pixels mapped from [0, 1] to [-1, 1] */
    public INDArray scaledToMinusOneOne() {
        return images.mul(2.0).subi(1.0);
    }

    /** @return how many images carry each label, indexed by class */
    public int[] classCounts() {
        int[] counts = new int[classes];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /**
     * A DL4J iterator over this data: features [batch, C, H, W], one-hot labels [batch, classes].
     *
     * @param batch   examples per batch (the last batch of an epoch may be smaller)
     * @param seed    seed of the shuffling; the same seed gives the same order, epoch after epoch
     * @param shuffle whether to reshuffle at each epoch (otherwise the stored order is kept)
     * @param norm    the pixel range to deliver
     * @return a resettable iterator, one pass per epoch
     */
    public DataSetIterator iterator(int batch, long seed, boolean shuffle, Normalization norm) {
        return new ImageDataSetIterator(this, batch, seed, shuffle, norm);
    }

    @Override
    public String toString() {
        return "ImageData[" + name + ", " + size() + " x " + channels() + "x" + height() + "x" + width() + ", "
                + classes + " classes]";
    }
}
