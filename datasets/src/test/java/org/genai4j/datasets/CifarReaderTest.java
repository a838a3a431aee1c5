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
        assertEquals("data_batch_3.bin: truncated CIFAR-10 batch, 6145 bytes is not a positive multiple of the 3073-byte"
                + " record (1 label + 3x32x32 pixels)", e.getMessage());
    }

    @Test
    void labelOutsideTenClassesIsReported() throws Exception {
        byte[] batch = TestFiles.cifarBatch(2);
        batch[CifarReader.RECORD_BYTES] = 42;
        Path f = Files.write(dir.resolve("bad.bin"), batch);
        DatasetException e = assertThrows(DatasetException.class, () -> CifarReader.read("c", List.of(f)));
        assertTrue(e.getMessage().contains("bad.bin") && e.getMessage().contains("record 1 has label 42"), e.getMessage());
    }

    /** A sparse file of 123 GB of whole records: refused from its size, before a byte is read. */
    @Test
    void batchesLargerThanTheMemoryBudgetAreRefusedBeforeReading() throws Exception {
        Path huge = dir.resolve("data_batch_4.bin");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(CifarReader.RECORD_BYTES * 40_000_000L);
        }
        DatasetException e = assertThrows(DatasetException.class, () -> CifarReader.read("c", List.of(huge)));
        assertTrue(e.getMessage().startsWith("data_batch_4.bin: 1 batch file holds 40000000 images, which needs 614.4 GB"
                + " of memory, more than the"), e.getMessage());
    }

    @Test
    void fuzzedBatchesEndInAResultOrANamedError() throws Exception {
        // One valid read first: ND4J's one-time start-up allocations are not the reader's.
        CifarReader.read("c", List.of(Files.write(dir.resolve("warm-up.bin"), TestFiles.cifarBatch(1))));
        FileFuzzer.Report report = FileFuzzer.of("data_batch_1.bin", TestFiles.cifarBatch(10))
                // the result holds 4 bytes per pixel (floats) next to the bytes read
                .allowance(size -> 6 * size + (8L << 20))
                .run(dir, 2_000, 3, f -> CifarReader.read("c", List.of(f)));
        System.out.println("CIFAR-10 fuzz: " + report.summary());
        assertEquals(0, report.failed(), String.join("\n", report.failures()));
    }
}
