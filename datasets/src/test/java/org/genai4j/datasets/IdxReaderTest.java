package org.genai4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.genai4j.common.testing.FileFuzzer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

class IdxReaderTest {
    private static final List<String> TEN = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void readsImagesAndLabelsPlainOrGzipped(boolean gzip) throws Exception {
        Path images = TestFiles.write(dir.resolve("img"), TestFiles.idxImages(5, 4, 3), gzip);
        Path labels = TestFiles.write(dir.resolve("lbl"), TestFiles.idxLabels(5, 3), gzip);
        ImageData data = IdxReader.read("t", images, labels, List.of("a", "b", "c"));
        assertEquals(5, data.size());
        assertEquals(1, data.channels());
        assertEquals(4, data.height());
        assertEquals(3, data.width());
        assertArrayEquals(new int[]{0, 1, 2, 0, 1}, data.labels());
        INDArray x = data.images();
        for (int i = 0; i < 5; i++) {
            for (int y = 0; y < 4; y++) {
                for (int xx = 0; xx < 3; xx++) {
                    assertEquals(TestFiles.pixel(i, y, xx) / 255f, x.getFloat(i, 0, y, xx), 1e-7);
                }
            }
        }
    }

    @Test
    void wrongMagicNamesFileAndBothNumbers() throws Exception {
        Path labels = TestFiles.write(dir.resolve("labels.idx"), TestFiles.idxLabels(5, 3), false);
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(labels));
        assertTrue(e.getMessage().contains("labels.idx"), e.getMessage());
        assertTrue(e.getMessage().contains("wrong magic number"), e.getMessage());
        assertTrue(e.getMessage().contains("0x00000803") && e.getMessage().contains("0x00000801"), e.getMessage());
    }

    @Test
    void truncatedDataIsReportedWithSizes() throws Exception {
        byte[] full = TestFiles.idxImages(5, 4, 3);
        Path cut = TestFiles.write(dir.resolve("cut-images"), Arrays.copyOf(full, full.length - 7), false);
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(cut));
        assertEquals("cut-images: header declares 5 images of 4x3 (60 bytes) but the file holds 53 bytes after the header",
                e.getMessage());
    }

    @Test
    void truncatedHeaderAndEmptyFile() throws Exception {
        Path empty = TestFiles.write(dir.resolve("empty"), new byte[0], false);
        assertTrue(assertThrows(DatasetException.class, () -> IdxReader.readLabels(empty)).getMessage()
                .contains("ends before the 4-byte magic number"));
        byte[] full = TestFiles.idxImages(2, 2, 2);
        Path header = TestFiles.write(dir.resolve("header"), Arrays.copyOf(full, 9), false);
        assertTrue(assertThrows(DatasetException.class, () -> IdxReader.readImages(header)).getMessage()
                .contains("ends inside the header"));
    }

    @Test
    void truncatedGzipStreamIsReported() throws Exception {
        Path gz = TestFiles.write(dir.resolve("whole.gz"), TestFiles.idxImages(50, 28, 28), true);
        byte[] bytes = Files.readAllBytes(gz);
        Path cut = Files.write(dir.resolve("cut.gz"), Arrays.copyOf(bytes, bytes.length / 2));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(cut));
        assertTrue(e.getMessage().contains("cut.gz"), e.getMessage());
        assertTrue(e.getMessage().toLowerCase().contains("truncated"), e.getMessage());
    }

    @Test
    void countMismatchNamesBothFiles() throws Exception {
        Path images = TestFiles.write(dir.resolve("imgs"), TestFiles.idxImages(5, 2, 2), false);
        Path labels = TestFiles.write(dir.resolve("lbls"), TestFiles.idxLabels(4, 3), false);
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.read("t", images, labels, TEN));
        assertTrue(e.getMessage().startsWith("Count mismatch"), e.getMessage());
        assertTrue(e.getMessage().contains("imgs holds 5 images") && e.getMessage().contains("lbls holds 4 labels"),
                e.getMessage());
    }

    @Test
    void labelOutsideClassesIsReported() throws Exception {
        Path images = TestFiles.write(dir.resolve("imgs"), TestFiles.idxImages(5, 2, 2), false);
        Path labels = TestFiles.write(dir.resolve("lbls"), TestFiles.idxLabels(5, 5), false);
        DatasetException e = assertThrows(DatasetException.class,
                () -> IdxReader.read("t", images, labels, List.of("a", "b", "c")));
        assertTrue(e.getMessage().contains("label 3 at index 3") && e.getMessage().contains("lbls"), e.getMessage());
    }

    /** The 40-byte gzipped header of the issue: 2,000,000 images of 32x32 declared, 12 bytes present. */
    @Test
    void gzippedHeaderDeclaringGigabytesIsRefusedWithoutReservingThem() throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
        out.writeInt(IdxReader.IMAGES_MAGIC);
        out.writeInt(2_000_000);
        out.writeInt(32);
        out.writeInt(32);
        out.write(new byte[12]);
        Path gz = TestFiles.write(dir.resolve("train-images-idx3-ubyte.gz"), bytes.toByteArray(), true);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(gz));
        long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertTrue(e.getMessage().startsWith("train-images-idx3-ubyte.gz: header declares 2000000 images of 32x32 (2.0 GB)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("12 bytes") || e.getMessage().contains("memory"), e.getMessage());
        assertTrue(allocated < 16L << 20, "allocated " + allocated + " bytes");
    }

    @Test
    void plainHeaderDeclaringMoreThanTheFileIsRefusedBeforeReading() throws Exception {
        byte[] header = Arrays.copyOf(TestFiles.idxImages(1, 2, 2), 16 + 4);
        java.nio.ByteBuffer.wrap(header).putInt(4, 2_000_000_000);
        Path file = TestFiles.write(dir.resolve("imgs.idx"), header, false);
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(file));
        assertEquals("imgs.idx: header declares 2000000000 images of 2x2 (8.0 GB) but the file holds 4 bytes after the header",
                e.getMessage());
    }

    @Test
    void labelsDeclaringMoreThanTheGzipHoldsAreRefused() throws Exception {
        byte[] labels = TestFiles.idxLabels(10, 10);
        java.nio.ByteBuffer.wrap(labels).putInt(4, 1_000_000);
        Path gz = TestFiles.write(dir.resolve("labels.gz"), labels, true);
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readLabels(gz));
        assertEquals("labels.gz: header declares 1000000 labels (1.0 MB) but the file holds 10 bytes (decompressed) after the header",
                e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void fuzzedImagesFilesEndInAResultOrANamedError(boolean gzip) throws Exception {
        // One valid read first: ND4J's one-time start-up allocations are not the reader's.
        IdxReader.readImages(TestFiles.write(dir.resolve("warm-up"), TestFiles.idxImages(1, 2, 2), false));
        FileFuzzer fuzzer = FileFuzzer.of(gzip ? "fuzz-images.gz" : "fuzz-images", TestFiles.idxImages(20, 28, 28))
                // the result holds 4 bytes per pixel (floats) next to the raw bytes read
                .allowance(size -> 6 * size + (8L << 20));
        FileFuzzer.Report report = (gzip ? fuzzer.gzipped() : fuzzer).run(dir, 2_000, gzip ? 7 : 5, IdxReader::readImages);
        System.out.println("IDX images fuzz (" + (gzip ? "gzipped" : "plain") + "): " + report.summary());
        assertEquals(0, report.failed(), String.join("\n", report.failures()));
    }

    @Test
    void fuzzedLabelsFilesEndInAResultOrANamedError() throws Exception {
        FileFuzzer.Report report = FileFuzzer.of("fuzz-labels.gz", TestFiles.idxLabels(500, 10)).gzipped()
                .allowance(size -> 6 * size + (8L << 20))
                .run(dir, 2_000, 11, IdxReader::readLabels);
        System.out.println("IDX labels fuzz (gzipped): " + report.summary());
        assertEquals(0, report.failed(), String.join("\n", report.failures()));
    }
}
