package org.genai4j.datasets;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small dataset files in the real formats for the tests. */
final class TestFiles {
    private TestFiles() {
    }

    /** Pixel value of image i at (y, x): a pattern the tests can recompute. */
    static int pixel(int i, int y, int x) {
        return (i * 31 + y * 7 + x * 3) % 256;
    }

    static byte[] idxImages(int n, int h, int w) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(IdxReader.IMAGES_MAGIC);
        out.writeInt(n);
        out.writeInt(h);
        out.writeInt(w);
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    out.writeByte(pixel(i, y, x));
                }
            }
        }
        return bytes.toByteArray();
    }

    static byte[] idxLabels(int n, int classes) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(IdxReader.LABELS_MAGIC);
        out.writeInt(n);
        for (int i = 0; i < n; i++) {
            out.writeByte(i % classes);
        }
        return bytes.toByteArray();
    }

    static Path write(Path file, byte[] bytes, boolean gzip) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(bytes);
        }
        return file;
    }

    /** Writes the four Fashion-MNIST-named IDX files (gzipped) with n train and m test examples. */
    static void idxDataset(Path dir, int n, int m) throws IOException {
        write(dir.resolve("train-images-idx3-ubyte.gz"), idxImages(n, 28, 28), true);
        write(dir.resolve("train-labels-idx1-ubyte.gz"), idxLabels(n, 10), true);
        write(dir.resolve("t10k-images-idx3-ubyte.gz"), idxImages(m, 28, 28), true);
        write(dir.resolve("t10k-labels-idx1-ubyte.gz"), idxLabels(m, 10), true);
    }

    /** A CIFAR-10 batch: record i has label i % 10 and channel c, pixel p value (i + 50 c + p) % 256. */
    static byte[] cifarBatch(int n) {
        byte[] b = new byte[n * CifarReader.RECORD_BYTES];
        for (int i = 0; i < n; i++) {
            int off = i * CifarReader.RECORD_BYTES;
            b[off] = (byte) (i % 10);
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < 1024; p++) {
                    b[off + 1 + c * 1024 + p] = (byte) ((i + 50 * c + p) % 256);
                }
            }
        }
        return b;
    }

    static String sha256(byte[] bytes) {
        java.security.MessageDigest d = Checksums.sha256();
        d.update(bytes);
        return Checksums.hex(d);
    }
}
