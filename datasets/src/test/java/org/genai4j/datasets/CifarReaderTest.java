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

class CifarReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsBatchesInOrderWithChannelsFirst() throws Exception {
        Path a = Files.write(dir.resolve("data_batch_1.bin"), TestFiles.cifarBatch(3));
        Path b = Files.write(dir.resolve("data_batch_2.bin"), TestFiles.cifarBatch(4));
        ImageData data = CifarReader.read("cifar10", List.of(a, b));
        assertEquals(7, data.size());
        assertEquals(3, data.channels());
        assertEquals(32, data.height());
        assertEquals(32, data.width());
        assertArrayEquals(new int[]{0, 1, 2, 0, 1, 2, 3}, data.labels());
        assertEquals("airplane", data.classNames().get(0));
        // image 4 is record 1 of the second batch; pixel p of channel c sits at (p / 32, p % 32)
        for (int c = 0; c < 3; c++) {
            for (int p : new int[]{0, 33, 1023}) {
                float expected = ((1 + 50 * c + p) % 256) / 255f;
                assertEquals(expected, data.images().getFloat(4, c, p / 32, p % 32), 1e-7);
            }
        }
    }

    @Test
    void truncatedBatchIsReported() throws Exception {
        byte[] full = TestFiles.cifarBatch(2);
        Path cut = Files.write(dir.resolve("data_batch_3.bin"), Arrays.copyOf(full, full.length - 1));
        DatasetException e = assertThrows(DatasetException.class, () -> CifarReader.read("c", List.of(cut)));
        assertTrue(e.getMessage().startsWith("Truncated CIFAR-10 batch"), e.getMessage());
        assertTrue(e.getMessage().contains("data_batch_3.bin") && e.getMessage().contains("6145 bytes"), e.getMessage());
    }

    @Test
    void labelOutsideTenClassesIsReported() throws Exception {
        byte[] batch = TestFiles.cifarBatch(2);
        batch[CifarReader.RECORD_BYTES] = 42;
        Path f = Files.write(dir.resolve("bad.bin"), batch);
        DatasetException e = assertThrows(DatasetException.class, () -> CifarReader.read("c", List.of(f)));
        assertTrue(e.getMessage().contains("bad.bin") && e.getMessage().contains("record 1 has label 42"), e.getMessage());
    }
}
