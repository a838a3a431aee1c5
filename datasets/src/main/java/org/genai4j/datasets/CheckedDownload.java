package org.genai4j.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads one file to a temporary file next to its target, checks its SHA-256 while writing, and only
 * then moves it into place, so a broken or interrupted download never looks like a finished one.
 */
final class CheckedDownload {
    private static final Logger LOG = LoggerFactory.getLogger(CheckedDownload.class);

    private final HttpClient client;
    private final Duration timeout;

    CheckedDownload(Duration timeout) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(timeout).build();
    }

    /**
     * @param file   what to fetch and its expected SHA-256
     * @param target where the verified file ends up
     * @throws DatasetException on HTTP errors, I/O errors and checksum mismatches
     */
    void fetch(DatasetFile file, Path target) {
        URI uri = URI.create(file.url());
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            tmp = Files.createTempFile(target.getParent(), "." + file.name() + ".", ".part");
            LOG.info("Downloading {} from {}", file.name(), uri);
            MessageDigest digest = Checksums.sha256();
            long bytes;
            Source source = open(uri);
            try (InputStream in = source.body(); OutputStream out = Files.newOutputStream(tmp)) {
                bytes = copy(in, out, digest, file.name(), source.length());
            }
            String actual = Checksums.hex(digest);
            if (!actual.equals(file.sha256())) {
                throw new DatasetException("SHA-256 mismatch for " + file.name() + " downloaded from " + uri + ": expected "
                        + file.sha256() + ", got " + actual + " (" + bytes + " bytes). The file was discarded.");
            }
            moveIntoPlace(tmp, target);
            LOG.info("Downloaded {} ({} bytes, SHA-256 ok)", target, bytes);
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() + " (is the network reachable?)" : e.toString();
            throw new DatasetException("Download of " + file.name() + " from " + uri + " failed: " + why, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatasetException("Download of " + file.name() + " from " + uri + " was interrupted", e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** A response body and its length in bytes, or -1 when the server does not say. */
    private record Source(InputStream body, long length) {
    }

    private Source open(URI uri) throws IOException, InterruptedException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
        if (scheme.equals("http") || scheme.equals("https")) {
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout.multipliedBy(20)).GET().build();
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw new IOException("HTTP status " + response.statusCode() + " (expected 200)");
            }
            return new Source(response.body(), response.headers().firstValueAsLong("Content-Length").orElse(-1));
        }
        // file:, jar: and other schemes the JDK understands (tests use file: URLs).
        java.net.URLConnection connection = uri.toURL().openConnection();
        return new Source(connection.getInputStream(), connection.getContentLengthLong());
    }

    /** Copies while hashing; logs progress every 10 % (or every 16 MB when the length is unknown). */
    private static long copy(InputStream in, OutputStream out, MessageDigest digest, String name, long length)
            throws IOException {
        byte[] buf = new byte[1 << 16];
        long total = 0;
        long step = length > 0 ? Math.max(length / 10, 1) : 16L << 20;
        long nextReport = step;
        for (int n; (n = in.read(buf)) > 0; ) {
            out.write(buf, 0, n);
            digest.update(buf, 0, n);
            total += n;
            if (total >= nextReport) {
                if (length > 0) {
                    LOG.info("{}: {} % of {} MB", name, 100 * total / length, length >> 20);
                } else {
                    LOG.info("{}: {} MB", name, total >> 20);
                }
                nextReport += step;
            }
        }
        if (length > 0 && total != length) {
            throw new IOException("connection ended after " + total + " of " + length + " bytes");
        }
        return total;
    }

    private static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a leftover .part file is harmless: it is never mistaken for the real file
            }
        }
    }
}
