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
        List<byte[]> contents = new ArrayList<>();
        long records = 0;
        for (Path batch : batches) {
            byte[] bytes = readAll(batch);
            if (bytes.length == 0 || bytes.length % RECORD_BYTES != 0) {
                throw new DatasetException("Truncated CIFAR-10 batch " + batch + ": " + bytes.length + " bytes is not a"
                        + " positive multiple of the " + RECORD_BYTES + "-byte record (1 label + 3x32x32 pixels)");
            }
            contents.add(bytes);
            records += bytes.length / RECORD_BYTES;
        }
        if (records == 0) {
            throw new DatasetException("No CIFAR-10 batches given for '" + name + "'");
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
                    throw new DatasetException("CIFAR-10 batch " + batches.get(b) + ": record " + (off / RECORD_BYTES)
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

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DatasetException("Could not read CIFAR-10 batch " + file + ": " + e, e);
        }
    }
}
