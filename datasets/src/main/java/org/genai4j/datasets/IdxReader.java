package org.genai4j.datasets;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
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
            throw new DatasetException("Count mismatch: " + MemoryBudget.name(images) + " holds " + x.size(0) + " images but "
                    + MemoryBudget.name(labels) + " holds " + y.length + " labels; expected the same number");
        }
        for (int i = 0; i < y.length; i++) {
            if (y[i] >= classNames.size()) {
                throw new DatasetException(MemoryBudget.name(labels) + ": label " + y[i] + " at index " + i + " is outside 0.."
                        + (classNames.size() - 1) + " (" + classNames.size() + " classes expected)");
            }
        }
        return new ImageData(name, x, y, classNames.size(), classNames);
    }

    /** A decoded IDX file: its dimensions and raw bytes. */
    private record Idx(int[] dims, byte[] data) {
    }

    /** Bytes of the header: the 4-byte magic number and one 4-byte size per dimension. */
    private static int headerBytes(int rank) {
        return 4 + 4 * rank;
    }

    private static Idx read(Path file, int expectedMagic, String what) {
        String name = MemoryBudget.name(file);
        try (InputStream raw = Checksums.openMaybeGzip(file); DataInputStream in = new DataInputStream(raw)) {
            boolean gzip = Checksums.isGzip(file);
            int magic;
            try {
                magic = in.readInt();
            } catch (EOFException e) {
                throw new DatasetException(name + ": truncated IDX " + what + " file, it ends before the 4-byte magic number");
            }
            if (magic != expectedMagic) {
                throw new DatasetException(String.format("%s: wrong magic number, expected 0x%08X (IDX %s: unsigned bytes,"
                        + " %d dimension%s), found 0x%08X", name, expectedMagic, what, expectedMagic & 0xFF,
                        (expectedMagic & 0xFF) == 1 ? "" : "s", magic));
            }
            int rank = magic & 0xFF;
            int[] dims = new int[rank];
            long total = 1;
            for (int d = 0; d < rank; d++) {
                try {
                    dims[d] = in.readInt();
                } catch (EOFException e) {
                    throw new DatasetException(name + ": truncated IDX " + what + " file, it ends inside the header ("
                            + rank + " dimension sizes expected)");
                }
                if (dims[d] < 0) {
                    throw new DatasetException(name + ": corrupt IDX " + what + " header, dimension " + d
                            + " has negative size " + dims[d]);
                }
                total = Math.multiplyHigh(total, dims[d]) != 0 ? Long.MAX_VALUE : total * dims[d];
            }
            String declared = describe(dims, what) + " (" + MemoryBudget.size(total) + ")";
            // A plain file's size is known: refuse a header that declares more than the file holds before reading.
            if (!gzip) {
                long present = Files.size(file) - headerBytes(rank);
                if (present < total) {
                    throw new DatasetException(name + ": header declares " + declared + " but the file holds "
                            + MemoryBudget.size(present) + " after the header");
                }
            }
            if (total > Integer.MAX_VALUE - 16) {
                throw new DatasetException(name + ": header declares " + declared + ", more than one array can hold");
            }
            // The decoded result takes 4 bytes per value (floats or ints) besides the raw bytes; a gzip stream's
            // real length is only known by reading it, so it is read into a buffer that grows with what arrives
            // and stops at the budget.
            long budget = MemoryBudget.bytes() / 5;
            if (!gzip) {
                MemoryBudget.check(file, "header declares " + declared, 5 * total);
            }
            int limit = (int) Math.min(total, budget);
            byte[] data = readUpTo(in, limit);
            if (data.length == limit && limit < total && in.read() >= 0) {
                MemoryBudget.check(file, "header declares " + declared, 5 * total);
            }
            if (data.length < total) {
                throw new DatasetException(name + ": header declares " + declared + " but the file holds "
                        + MemoryBudget.size(data.length) + (gzip ? " (decompressed)" : "") + " after the header");
            }
            return new Idx(dims, data);
        } catch (EOFException | ZipException e) {
            throw new DatasetException(name + ": truncated or corrupt gzip stream (IDX " + what + "): " + e.getMessage(), e);
        } catch (IOException e) {
            throw new DatasetException(name + ": could not read IDX " + what + " file: " + e, e);
        }
    }

    /**
     * Reads up to {@code limit} bytes into a buffer that grows with what actually arrives, so a gzip stream
     * whose header promises gigabytes costs only what it holds.
     */
    private static byte[] readUpTo(InputStream in, int limit) throws IOException {
        byte[] buf = new byte[Math.min(limit, 1 << 20)];
        int filled = 0;
        while (filled < limit) {
            if (filled == buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(limit, 2L * buf.length));
            }
            int n = in.read(buf, filled, buf.length - filled);
            if (n < 0) {
                break;
            }
            filled += n;
        }
        return filled == buf.length ? buf : Arrays.copyOf(buf, filled);
    }

    /** {@code "2000000 images of 32x32"}, {@code "60000 labels"}, or the dimensions for other shapes. */
    private static String describe(int[] dims, String what) {
        if (dims.length == 3) {
            return dims[0] + " " + what + " of " + dims[1] + "x" + dims[2];
        }
        if (dims.length == 1) {
            return dims[0] + " " + what;
        }
        return what + " of shape " + Arrays.toString(dims);
    }
}
