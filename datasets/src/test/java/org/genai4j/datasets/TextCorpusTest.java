package org.genai4j.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.genai4j.common.testing.FileFuzzer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextCorpusTest {
    @TempDir
    Path dir;

    @Test
    void lastTenPercentIsValidationAsNanoGpt() {
        TextCorpus c = new TextCorpus("t", "0123456789".repeat(3) + "abc"); // 33 chars: int(33 * 0.9) = 29
        assertEquals(29, c.train().length());
        assertEquals("9abc", c.validation());
        assertEquals(c.text(), c.train() + c.validation());
        // deterministic: the same text always splits the same way
        assertEquals(c.train(), new TextCorpus("u", c.text()).train());
    }

    @Test
    void splitCountsCodePointsAndNeverCutsASurrogatePair() {
        String emoji = "\uD83D\uDE00"; // one code point, two Java chars
        String text = emoji.repeat(10);
        TextCorpus c = new TextCorpus("e", text);
        assertEquals(9, c.train().codePointCount(0, c.train().length()));
        assertEquals(emoji, c.validation());
        assertEquals(10, c.length());
    }

    @Test
    void readsUtf8AndDropsByteOrderMark() throws Exception {
        Path f = dir.resolve("c.txt");
        Files.write(f, ("\uFEFFh\u00e9llo").getBytes(StandardCharsets.UTF_8));
        assertEquals("h\u00e9llo", TextCorpusReader.read("c", f).text());
    }

    @Test
    void emptyCorpusIsReported() throws Exception {
        Path f = Files.write(dir.resolve("empty.txt"), new byte[0]);
        DatasetException e = assertThrows(DatasetException.class, () -> TextCorpusReader.read("x", f));
        assertTrue(e.getMessage().startsWith("Empty corpus: empty.txt has 0 bytes"), e.getMessage());
        assertThrows(DatasetException.class, () -> new TextCorpus("x", ""));
    }

    @Test
    void invalidUtf8IsReportedWithOffset() throws Exception {
        Path f = Files.write(dir.resolve("latin1.txt"), new byte[]{'a', 'b', (byte) 0xE9, 'c'});
        DatasetException e = assertThrows(DatasetException.class, () -> TextCorpusReader.read("x", f));
        assertTrue(e.getMessage().contains("latin1.txt") && e.getMessage().contains("not valid UTF-8")
                && e.getMessage().contains("at byte 2"), e.getMessage());
    }

    @Test
    void corpusLargerThanTheMemoryBudgetIsRefusedBeforeReading() throws Exception {
        Path huge = dir.resolve("huge.txt");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(400L << 30); // sparse: no disk used
        }
        DatasetException e = assertThrows(DatasetException.class, () -> TextCorpusReader.read("x", huge));
        assertTrue(e.getMessage().startsWith("huge.txt: text corpus of 429.5 GB, which needs 2.1 TB of memory, more than the"),
                e.getMessage());
    }

    @Test
    void fuzzedCorpusEndsInAResultOrANamedError() throws Exception {
        byte[] seed = ("\uFEFFFirst Citizen:\nBefore we proceed any further, hear me speak. \u00e9\u00e8 \u4e2d\u6587 "
                + "\uD83D\uDE00\n").repeat(40).getBytes(StandardCharsets.UTF_8);
        FileFuzzer.Report report = FileFuzzer.of("input.txt", seed)
                // bytes, decoded UTF-16 chars and the train/validation copies
                .allowance(size -> 12 * size + (8L << 20))
                .run(dir, 2_000, 17, f -> TextCorpusReader.read("fuzz", f));
        System.out.println("text corpus fuzz: " + report.summary());
        assertEquals(0, report.failed(), String.join("\n", report.failures()));
    }
}
