package org.genai4j.datasets;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a UTF-8 text file into a {@link TextCorpus}, rejecting empty files and invalid UTF-8. */
public final class TextCorpusReader {

    private TextCorpusReader() {
    }

    /**
     * @param name the corpus name
     * @param file a UTF-8 text file (a leading byte-order mark is dropped)
     * @return the corpus
     * @throws DatasetException when the file is missing, empty, or not valid UTF-8
     */
    public static TextCorpus read(String name, Path file) {
        byte[] bytes;
        try {
            // The bytes, the decoded UTF-16 chars (2 per byte at most) and the corpus's copies of its text:
            // refused from the file's size before a byte is read when memory cannot take them.
            long size = Files.size(file);
            MemoryBudget.check(file, "text corpus of " + MemoryBudget.size(size), 5 * size);
            if (size > Integer.MAX_VALUE - 16) {
                throw new DatasetException(MemoryBudget.name(file) + ": text corpus of " + MemoryBudget.size(size)
                        + " is larger than one Java string can hold (2 GB)");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DatasetException(MemoryBudget.name(file) + ": could not read text corpus: " + e, e);
        }
        if (bytes.length == 0) {
            throw new DatasetException("Empty corpus: " + MemoryBudget.name(file) + " has 0 bytes; expected UTF-8 text");
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        String text;
        try {
            text = decoder.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (MalformedInputException e) {
            throw new DatasetException(MemoryBudget.name(file) + ": text corpus is not valid UTF-8: malformed input of length "
                    + e.getInputLength() + " at byte " + firstBadByte(bytes), e);
        } catch (CharacterCodingException e) {
            throw new DatasetException(MemoryBudget.name(file) + ": text corpus is not valid UTF-8: " + e, e);
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        if (text.isEmpty()) {
            throw new DatasetException("Empty corpus: " + MemoryBudget.name(file) + " holds no characters after its byte-order mark");
        }
        return new TextCorpus(name, text);
    }

    /** Finds the offset of the first byte that breaks UTF-8, for the error message. */
    private static int firstBadByte(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length + 1);
        decoder.decode(in, out, true);
        return in.position();
    }
}
