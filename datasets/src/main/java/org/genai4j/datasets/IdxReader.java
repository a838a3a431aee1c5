package org.genai4j.datasets;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads IDX files (the MNIST / Fashion-MNIST format), gzipped or not: a big-endian header of two zero bytes,
 * a type byte (only 0x08, unsigned byte, is used by these datasets), the number of dimensions, one 32-bit
 * size per dimension, then the data. Images are {@code idx3} (N x H x W), labels {@code idx1} (N).
 */
public final class IdxReader {

    /** Magic number of an unsigned-byte IDX file with 3 dimensions (images). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of an unsigned-byte IDX file with 1 dimension (labels). */
    public static final int LABELS_MAGIC = 0x00000801;

    private IdxReader() {
    }

    /**
     * Reads an images file into a float array [N, 1, H, W] with pixels in [0, 1] (byte / 255).
     *
     * @param file an {@code idx3-ubyte} file, gzipped or not
     * @return the images
     * @throws DatasetException on a wrong magic number or a truncated file
     */
    public static INDArray readImages(Path file) {
        Idx idx = read(file, IMAGES_MAGIC, "images");
        int n = idx.dims[0];
        int h = idx.dims[1];
        int w = idx.dims[2];
        float[] pixels = new float[idx.data.length];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (idx.data[i] & 0xFF) / 255f;
        }
        return Nd4j.create(pixels, new long[]{n, 1, h, w}, DataType.FLOAT);
    }

    /**
     * Reads a labels file.
     *
     * @param file an {@code idx1-ubyte} file, gzipped or not
     * @return one label (0..255) per example
     * @throws DatasetException on a wrong magic number or a truncated file
     */
    public static int[] readLabels(Path file) {
        Idx idx = read(file, LABELS_MAGIC, "labels");
        int[] labels = new int[idx.data.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = idx.data[i] & 0xFF;
        }
        return labels;
    }

    /**
     * Reads a matching pair of images and labels files.
     *
     * @param name       the dataset name for the result
     * @param images     the {@code idx3} images file
     * @param labels     the {@code idx1} labels file
     * @param classNames one name per class (the number of classes is its size)
     * @return the labelled images
     * @throws DatasetException when the counts differ or a label is outside the classes
     */
    public static ImageData read(String name, Path images, Path labels, List<String> classNames) {
        INDArray x = readImages(images);
        int[] y = readLabels(labels);
        if (x.size(0) != y.length) {
            throw new DatasetException("Count mismatch: " + images + " holds " + x.size(0) + " images but " + labels
                    + " holds " + y.length + " labels; expected the same number");
        }
        for (int i = 0; i < y.length; i++) {
            if (y[i] >= classNames.size()) {
                throw new DatasetException("Label " + y[i] + " at index " + i + " of " + labels + " is outside 0.."
                        + (classNames.size() - 1) + " (" + classNames.size() + " classes expected)");
            }
        }
        return new ImageData(name, x, y, classNames.size(), classNames);
    }

    /** A decoded IDX file: its dimensions and raw bytes. */
    private record Idx(int[] dims, byte[] data) {
    }

    private static Idx read(Path file, int expectedMagic, String what) {
        try (InputStream raw = Checksums.openMaybeGzip(file); DataInputStream in = new DataInputStream(raw)) {
            int magic;
            try {
                magic = in.readInt();
            } catch (EOFException e) {
                throw new DatasetException("Truncated IDX " + what + " file " + file + ": it ends before the 4-byte magic number");
            }
            if (magic != expectedMagic) {
                throw new DatasetException(String.format("Wrong magic number in %s: expected 0x%08X (IDX %s: unsigned bytes,"
                        + " %d dimension%s), found 0x%08X", file, expectedMagic, what, expectedMagic & 0xFF,
                        (expectedMagic & 0xFF) == 1 ? "" : "s", magic));
            }
            int rank = magic & 0xFF;
            int[] dims = new int[rank];
            long total = 1;
            for (int d = 0; d < rank; d++) {
                try {
                    dims[d] = in.readInt();
                } catch (EOFException e) {
                    throw new DatasetException("Truncated IDX " + what + " file " + file + ": it ends inside the header ("
                            + rank + " dimension sizes expected)");
                }
                if (dims[d] < 0) {
                    throw new DatasetException("Corrupt IDX " + what + " file " + file + ": dimension " + d + " has negative size " + dims[d]);
                }
                total *= dims[d];
            }
            if (total > Integer.MAX_VALUE - 16) {
                throw new DatasetException("IDX " + what + " file " + file + " declares " + Arrays.toString(dims)
                        + " = " + total + " bytes, more than one array can hold");
            }
            byte[] data = new byte[(int) total];
            int got = in.readNBytes(data, 0, data.length);
            if (got < data.length) {
                throw new DatasetException("Truncated IDX " + what + " file " + file + ": header declares " + Arrays.toString(dims)
                        + " = " + total + " data bytes but only " + got + " follow");
            }
            return new Idx(dims, data);
        } catch (EOFException | ZipException e) {
            throw new DatasetException("Truncated or corrupt gzip stream in " + file + " (IDX " + what + "): " + e.getMessage(), e);
        } catch (IOException e) {
            throw new DatasetException("Could not read IDX " + what + " file " + file + ": " + e, e);
        }
    }
}
