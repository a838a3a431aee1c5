package org.genai4j.datasets;

import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.javacpp.Pointer;

/**
 * How many bytes a reader may set aside for one file's contents, and the checks the readers run before they
 * allocate: a header's declared size is only believed when the file holds that much and memory can take it.
 */
final class MemoryBudget {
    private MemoryBudget() {
    }

    /**
     * Half of the smaller of the Java heap limit and ND4J's off-heap limit: decoded data lives in both (a
     * heap array while reading, an off-heap array afterwards), and the rest of the program needs room too.
     */
    static long bytes() {
        long heap = Runtime.getRuntime().maxMemory();
        long offHeap = Pointer.maxBytes() > 0 ? Pointer.maxBytes() : Long.MAX_VALUE;
        return Math.min(heap, offHeap) / 2;
    }

    /**
     * @param file   the file being read, for the message
     * @param what   what the file declares, e.g. {@code "header declares 2000000 images of 32x32"}
     * @param needed bytes the decoded result takes
     * @throws DatasetException when {@code needed} exceeds {@link #bytes()}
     */
    static void check(Path file, String what, long needed) {
        long budget = bytes();
        if (needed < 0 || needed > budget) {
            throw new DatasetException(name(file) + ": " + what + ", which needs " + size(needed < 0 ? Long.MAX_VALUE : needed)
                    + " of memory, more than the " + size(budget) + " available to a reader (raise -Xmx to read it)");
        }
    }

    /** The file's name as messages show it (the full path when it has no name). */
    static String name(Path file) {
        return file.getFileName() == null ? file.toString() : file.getFileName().toString();
    }

    /** A byte count for people: {@code 12 bytes}, {@code 3.1 MB}, {@code 2.0 GB}. */
    static String size(long bytes) {
        if (bytes < 1000) {
            return bytes + " bytes";
        }
        String[] units = {"KB", "MB", "GB", "TB", "PB", "EB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
