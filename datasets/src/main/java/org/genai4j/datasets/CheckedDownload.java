package org.genai4j.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.net.URLConnection;
import java.net.UnknownHostException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads one file into {@code <name>.part} next to its target, checks its SHA-256 and only then moves it
 * into place, so a broken or interrupted download never looks like a finished one.
 *
 * <p>Limits: a connect timeout, a read timeout (the longest wait for the next bytes, including the wait
 * for the response headers) and an overall deadline, checked between reads (so it is overrun by at most
 * one read timeout). An interrupted download leaves its {@code .part} file; the next attempt resumes it
 * with an HTTP {@code Range} request, or starts over when the server answers with the whole file. A file
 * whose checksum does not match is deleted, never kept. Every failure is one line that says where to
 * place the file by hand.
 */
final class CheckedDownload {
    private static final Logger LOG = LoggerFactory.getLogger(CheckedDownload.class);
    private static final int MAX_REDIRECTS = 5;

    /**
     * How long a download may take.
     *
     * @param connect  the longest wait for a connection
     * @param read     the longest wait for the next bytes (or the response headers)
     * @param deadline the longest a whole download may take
     */
    record Limits(Duration connect, Duration read, Duration deadline) {
        Limits {
            for (Duration d : new Duration[]{connect, read, deadline}) {
                if (d == null || d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("download timeouts must be positive, got connect " + connect
                            + ", read " + read + ", deadline " + deadline);
                }
            }
        }

        /** 30 s to connect, 60 s between bytes, 2 hours in all (CIFAR-10 is 163 MB). */
        static Limits defaults() {
            return new Limits(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofHours(2));
        }
    }

    private final Limits limits;

    CheckedDownload(Limits limits) {
        this.limits = limits;
    }

    /** Where an unfinished download of {@code target} is kept for the next attempt. */
    static Path partFile(Path target) {
        return target.resolveSibling(target.getFileName() + ".part");
    }

    /**
     * @param file   what to fetch and its expected SHA-256
     * @param target where the verified file ends up; a file already there with the right SHA-256 (placed by
     *               hand) is kept as it is
     * @throws DatasetException on HTTP errors, timeouts, I/O errors and checksum mismatches
     */
    void fetch(DatasetFile file, Path target) {
        String byHand = " Place the file by hand at " + target.toAbsolutePath() + " (SHA-256 " + file.sha256()
                + ", from " + file.url() + ").";
        try {
            if (Files.isRegularFile(target) && Checksums.sha256(target).equals(file.sha256())) {
                LOG.info("Using {} (placed by hand, SHA-256 ok)", target);
                return;
            }
            Files.createDirectories(target.toAbsolutePath().getParent());
            Path part = partFile(target);
            long started = System.nanoTime();
            long bytes = download(URI.create(file.url()), part, file.name(), started);
            String actual = Checksums.sha256(part);
            if (!actual.equals(file.sha256())) {
                Files.deleteIfExists(part);
                throw new DatasetException(file.name() + ": SHA-256 mismatch after download from " + file.url()
                        + ": expected " + file.sha256() + ", got " + actual + " (" + bytes + " bytes); the download was"
                        + " deleted." + byHand);
            }
            moveIntoPlace(part, target);
            LOG.info("Downloaded {} ({}, SHA-256 ok)", target, MemoryBudget.size(bytes));
        } catch (IOException e) {
            throw new DatasetException(file.name() + ": download from " + file.url() + " failed: " + why(e)
                    + " (an unfinished download is resumed next time)." + byHand, e);
        }
    }

    /** Downloads into {@code part}, resuming what it holds when the server allows; returns the file's size. */
    private long download(URI uri, Path part, String name, long started) throws IOException {
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            // file: and other schemes the JDK understands (tests, local mirrors): no resuming, no redirects.
            URLConnection c = uri.toURL().openConnection();
            c.setConnectTimeout(millis(limits.connect()));
            c.setReadTimeout(millis(limits.read()));
            try (InputStream in = c.getInputStream()) {
                return copy(in, part, false, 0, c.getContentLengthLong(), name, started);
            }
        }
        HttpURLConnection c = open(uri, have, started);
        try {
            int status = c.getResponseCode();
            long length = c.getContentLengthLong();
            if (status == HttpURLConnection.HTTP_PARTIAL && resumesAt(c, have)) {
                try (InputStream in = c.getInputStream()) {
                    return copy(in, part, true, have, length < 0 ? -1 : have + length, name, started);
                }
            }
            // 416: the range is past the end, so the part file is not a prefix of this file; a 206 for another
            // range cannot be appended either: start over.
            if (status == 416 || status == HttpURLConnection.HTTP_PARTIAL) {
                c.disconnect();
                Files.deleteIfExists(part);
                c = open(uri, 0, started);
                status = c.getResponseCode();
                length = c.getContentLengthLong();
            }
            if (status != HttpURLConnection.HTTP_OK) {
                throw new IOException("HTTP status " + status + " (expected 200)");
            }
            if (have > 0) {
                LOG.info("{}: the server does not resume downloads; starting over", name);
            }
            try (InputStream in = c.getInputStream()) {
                return copy(in, part, false, 0, length, name, started);
            }
        } finally {
            c.disconnect();
        }
    }

    /** Opens {@code uri}, following redirects (http to https, never back), asking for bytes from {@code from}. */
    private HttpURLConnection open(URI uri, long from, long started) throws IOException {
        URL url = uri.toURL();
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpURLConnection c = (HttpURLConnection) url.openConnection();
            c.setInstanceFollowRedirects(false);
            c.setConnectTimeout(millis(min(limits.connect(), remaining(started))));
            c.setReadTimeout(millis(min(limits.read(), remaining(started))));
            c.setRequestProperty("User-Agent", "genai4j");
            if (from > 0) {
                c.setRequestProperty("Range", "bytes=" + from + "-");
            }
            int status = c.getResponseCode();
            if (status < 300 || status >= 400 || status == 304) {
                return c;
            }
            String location = c.getHeaderField("Location");
            c.disconnect();
            if (location == null) {
                throw new IOException("HTTP status " + status + " without a Location to follow");
            }
            URL next = new URL(url, location);
            if (url.getProtocol().equals("https") && !next.getProtocol().equals("https")) {
                throw new IOException("refused a redirect from https to " + next);
            }
            url = next;
        }
        throw new IOException("more than " + MAX_REDIRECTS + " redirects");
    }

    /** True when a 206 answer starts where the part file ends. */
    private static boolean resumesAt(HttpURLConnection c, long have) {
        String range = c.getHeaderField("Content-Range");
        return range != null && range.trim().startsWith("bytes " + have + "-");
    }

    /** Copies into {@code part} (appending or from scratch), checking the deadline between reads. */
    private long copy(InputStream in, Path part, boolean append, long have, long total, String name, long started)
            throws IOException {
        byte[] buf = new byte[1 << 16];
        long bytes = have;
        StandardOpenOption mode = append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
        try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode);
             DownloadProgress progress = new DownloadProgress(name, have, total)) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                bytes += n;
                progress.at(bytes);
                if (remaining(started).isNegative()) {
                    throw new IOException("not finished within the deadline of " + seconds(limits.deadline())
                            + " (" + progress.counts(bytes) + ")");
                }
            }
            if (total > 0 && bytes != total) {
                throw new IOException("the connection ended after " + progress.counts(bytes));
            }
        }
        return bytes;
    }

    private Duration remaining(long started) {
        return limits.deadline().minusNanos(System.nanoTime() - started);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** At least 1 ms: 0 would mean "wait forever" to the JDK. */
    private static int millis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }

    /** {@code "30 s"}, or {@code "0.25 s"} below a second. */
    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : String.format(Locale.ROOT, "%.3g s", d.toMillis() / 1000.0);
    }

    /** The cause in words a user can act on. */
    private String why(IOException e) {
        if (e instanceof SocketTimeoutException) {
            String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
            return m.contains("connect")
                    ? "no connection within " + seconds(limits.connect()) + " (connect timeout; is the network reachable?)"
                    : "no data for " + seconds(limits.read()) + " (read timeout)";
        }
        if (e instanceof UnknownHostException) {
            return "unknown host " + e.getMessage() + " (is the network reachable?)";
        }
        if (e instanceof ConnectException) {
            return "connection refused (" + e.getMessage() + ")";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replace('\n', ' ');
    }

    private static void moveIntoPlace(Path part, Path target) throws IOException {
        try {
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
