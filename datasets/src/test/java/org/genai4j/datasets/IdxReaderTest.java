package org.genai4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
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
        assertTrue(e.getMessage().contains("Wrong magic number"), e.getMessage());
        assertTrue(e.getMessage().contains("0x00000803") && e.getMessage().contains("0x00000801"), e.getMessage());
    }

    @Test
    void truncatedDataIsReportedWithSizes() throws Exception {
        byte[] full = TestFiles.idxImages(5, 4, 3);
        Path cut = TestFiles.write(dir.resolve("cut-images"), Arrays.copyOf(full, full.length - 7), false);
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(cut));
        assertTrue(e.getMessage().startsWith("Truncated IDX images file"), e.getMessage());
        assertTrue(e.getMessage().contains("cut-images") && e.getMessage().contains("60 data bytes but only 53"),
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
        assertTrue(e.getMessage().contains("Label 3 at index 3") && e.getMessage().contains("lbls"), e.getMessage());
    }
}
