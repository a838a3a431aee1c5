package org.genai4j.datasets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads CIFAR-10 binary batches: records of 3073 bytes, one label byte (0..9) followed by 1024 red, 1024 green
 * and 1024 blue pixel bytes of a 32x32 image in row-major order.
 */
public final class CifarReader {

    /** The folder inside {@code cifar-10-binary.tar.gz} holding the batches. */
    public static final String BATCH_FOLDER = "cifar-10-batches-bin";
    /** Image side in pixels. */
    public static final int SIDE = 32;
    /** Bytes per record: one label and 3 x 32 x 32 pixels. */
    public static final int RECORD_BYTES = 1 + 3 * SIDE * SIDE;
    /** The ten CIFAR-10 classes in label order (as in {@code batches.meta.txt}). */
    public static final List<String> CLASS_NAMES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog",
            "frog", "horse", "ship", "truck");

    private CifarReader() {
    }

    /**
     * @param name    the dataset name for the result
     * @param batches binary batch files, read in the given order
     * @return images [N, 3, 32, 32] in [0, 1] with their labels
     * @throws DatasetException when a file's size is not a whole number of records or a label is not 0..9
     */
    public static ImageData read(String name, List<Path> batches) {
        // Sizes first: every file must be whole records, and all of them together must fit the memory budget,
        // before any of them is read.
        long records = 0;
        List<Long> sizes = new ArrayList<>();
        for (Path batch : batches) {
            long size = sizeOf(batch);
            sizes.add(size);
            if (size == 0 || size % RECORD_BYTES != 0) {
                throw new DatasetException(MemoryBudget.name(batch) + ": truncated CIFAR-10 batch, " + size
                        + " bytes is not a positive multiple of the " + RECORD_BYTES
                        + "-byte record (1 label + 3x32x32 pixels)");
            }
            records += size / RECORD_BYTES;
        }
        if (records == 0) {
            throw new DatasetException("No CIFAR-10 batches given for '" + name + "'");
        }
        // Each batch is held as bytes while the result holds 4 bytes per pixel.
        String declared = batches.size() + " batch file" + (batches.size() == 1 ? "" : "s") + (batches.size() == 1 ? " holds " : " hold ") + records + " images";
        MemoryBudget.check(batches.get(0), declared, records * (RECORD_BYTES - 1) * 4 + records * RECORD_BYTES / batches.size());
        if (records * (RECORD_BYTES - 1) > Integer.MAX_VALUE - 16) {
            throw new DatasetException(MemoryBudget.name(batches.get(0)) + ": " + declared + ", more than one array can hold");
        }
        List<byte[]> contents = new ArrayList<>();
        for (int b = 0; b < batches.size(); b++) {
            Path batch = batches.get(b);
            byte[] bytes = readAll(batch);
            if (bytes.length != sizes.get(b)) {
                throw new DatasetException(MemoryBudget.name(batch) + ": CIFAR-10 batch changed size while being read");
            }
            contents.add(bytes);
        }
        int n = Math.toIntExact(records);
        int pixelsPerImage = RECORD_BYTES - 1;
        float[] pixels = new float[Math.multiplyExact(n, pixelsPerImage)];
        int[] labels = new int[n];
        int i = 0;
        for (int b = 0; b < contents.size(); b++) {
            byte[] bytes = contents.get(b);
            for (int off = 0; off < bytes.length; off += RECORD_BYTES, i++) {
                int label = bytes[off] & 0xFF;
                if (label >= CLASS_NAMES.size()) {
                    throw new DatasetException(MemoryBudget.name(batches.get(b)) + ": CIFAR-10 record " + (off / RECORD_BYTES)
                            + " has label " + label + ", expected 0..9 (is this the CIFAR-100 format?)");
                }
                labels[i] = label;
                // The record's R, G, B planes are already in [C, H, W] order.
                int base = i * pixelsPerImage;
                for (int p = 0; p < pixelsPerImage; p++) {
                    pixels[base + p] = (bytes[off + 1 + p] & 0xFF) / 255f;
                }
            }
        }
        return new ImageData(name, Nd4j.create(pixels, new long[]{n, 3, SIDE, SIDE}, DataType.FLOAT), labels,
                CLASS_NAMES.size(), CLASS_NAMES);
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new DatasetException(MemoryBudget.name(file) + ": could not read CIFAR-10 batch: " + e, e);
        }
    }

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DatasetException(MemoryBudget.name(file) + ": could not read CIFAR-10 batch: " + e, e);
        }
    }
}
