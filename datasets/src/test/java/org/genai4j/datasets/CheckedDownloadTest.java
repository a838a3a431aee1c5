package org.genai4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads from a local server on 127.0.0.1: timeouts, resuming, checksums, and the message for each. */
class CheckedDownloadTest {
    private static final CheckedDownload.Limits FAST =
            new CheckedDownload.Limits(Duration.ofMillis(500), Duration.ofMillis(300), Duration.ofSeconds(3));

    @TempDir
    Path dir;

    private final byte[] content = randomBytes(200_000);
    private final List<String> ranges = Collections.synchronizedList(new ArrayList<>());
    private HttpServer server;
    private ServerSocket silent;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.stop(0);
        }
        if (silent != null) {
            silent.close();
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(1).nextBytes(b);
        return b;
    }

    /** How the test server answers a request for the file. */
    private interface Answer {
        void send(HttpExchange exchange) throws IOException;
    }

    private String serve(Answer answer) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/file.bin", exchange -> {
            String range = exchange.getRequestHeaders().getFirst("Range");
            ranges.add(range == null ? "none" : range);
            try {
                answer.send(exchange);
            } finally {
                exchange.close();
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/file.bin";
    }

    /** Answers Range requests with 206 and the rest of the file, others with the whole file. */
    private void withRanges(HttpExchange exchange) throws IOException {
        String range = exchange.getRequestHeaders().getFirst("Range");
        int from = range == null ? 0 : Integer.parseInt(range.replace("bytes=", "").replace("-", ""));
        if (from > 0) {
            exchange.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
            exchange.sendResponseHeaders(206, content.length - from);
        } else {
            exchange.sendResponseHeaders(200, content.length);
        }
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(content, from, content.length - from);
        }
    }

    private DatasetFile file(String url, byte[] expected) {
        return DatasetFile.of("file.bin", url, TestFiles.sha256(expected), "test");
    }

    @Test
    void serverThatAcceptsAndNeverAnswersFailsWithinTheReadTimeout() throws Exception {
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            List<Socket> held = new ArrayList<>();
            try {
                while (true) {
                    held.add(silent.accept()); // accept and say nothing
                }
            } catch (IOException closed) {
                // the test is over
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        String url = "http://127.0.0.1:" + silent.getLocalPort() + "/file.bin";
        Path target = dir.resolve("data/file.bin");
        long start = System.nanoTime();
        DatasetException e = assertThrows(DatasetException.class,
                () -> new CheckedDownload(FAST).fetch(file(url, content), target));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds < 2.5, "took " + seconds + " s");
        assertTrue(e.getMessage().startsWith("file.bin: download from " + url + " failed: no data for 0.300 s (read timeout)"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("Place the file by hand at " + target.toAbsolutePath() + " (SHA-256 "
                + TestFiles.sha256(content) + ", from " + url + ")."), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertFalse(Files.exists(target));
    }

    @Test
    void serverThatTricklesForeverMeetsTheDeadline() throws Exception {
        String url = serve(exchange -> {
            exchange.sendResponseHeaders(200, content.length);
            OutputStream out = exchange.getResponseBody();
            for (int i = 0; i < content.length; i++) {
                out.write(content[i]);
                out.flush();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        });
        CheckedDownload.Limits limits = new CheckedDownload.Limits(Duration.ofMillis(500), Duration.ofMillis(500),
                Duration.ofSeconds(1));
        long start = System.nanoTime();
        DatasetException e = assertThrows(DatasetException.class,
                () -> new CheckedDownload(limits).fetch(file(url, content), dir.resolve("file.bin")));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds < 2.5, "took " + seconds + " s");
        assertTrue(e.getMessage().contains("not finished within the deadline of 1 s"), e.getMessage());
        assertTrue(e.getMessage().contains("Place the file by hand at"), e.getMessage());
    }

    @Test
    void brokenDownloadIsResumedWithARangeRequest() throws Exception {
        int[] attempt = {0};
        String url = serve(exchange -> {
            if (attempt[0]++ == 0) { // the first answer promises the whole file and breaks off after 80 KB
                exchange.sendResponseHeaders(200, content.length);
                OutputStream out = exchange.getResponseBody();
                out.write(content, 0, 80_000);
                out.flush();
                throw new IOException("connection dropped by the test");
            }
            withRanges(exchange);
        });
        Path target = dir.resolve("file.bin");
        CheckedDownload download = new CheckedDownload(FAST);
        DatasetException e = assertThrows(DatasetException.class, () -> download.fetch(file(url, content), target));
        assertTrue(e.getMessage().contains("failed") && e.getMessage().contains("resumed next time"), e.getMessage());
        Path part = CheckedDownload.partFile(target);
        long kept = Files.size(part);
        assertTrue(kept > 0 && kept <= 80_000, "part file holds " + kept + " bytes");
        assertFalse(Files.exists(target));

        download.fetch(file(url, content), target);
        assertEquals(List.of("none", "bytes=" + kept + "-"), ranges);
        assertArrayEquals(content, Files.readAllBytes(target));
        assertFalse(Files.exists(part));
    }

    @Test
    void serverWithoutRangesRestartsFromScratch() throws Exception {
        String url = serve(exchange -> {
            exchange.sendResponseHeaders(200, content.length); // ignores Range
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(content);
            }
        });
        Path target = dir.resolve("file.bin");
        Files.write(CheckedDownload.partFile(target), Arrays.copyOf(content, 5_000));
        new CheckedDownload(FAST).fetch(file(url, content), target);
        assertEquals(List.of("bytes=5000-"), ranges);
        assertArrayEquals(content, Files.readAllBytes(target));
    }

    @Test
    void partFileLongerThanTheFileStartsOver() throws Exception {
        String url = serve(exchange -> {
            String range = exchange.getRequestHeaders().getFirst("Range");
            if (range != null) {
                exchange.getResponseHeaders().add("Content-Range", "bytes */" + content.length);
                exchange.sendResponseHeaders(416, -1);
                return;
            }
            withRanges(exchange);
        });
        Path target = dir.resolve("file.bin");
        Files.write(CheckedDownload.partFile(target), randomBytes(content.length + 10));
        new CheckedDownload(FAST).fetch(file(url, content), target);
        assertEquals(List.of("bytes=" + (content.length + 10) + "-", "none"), ranges);
        assertArrayEquals(content, Files.readAllBytes(target));
    }

    @Test
    void wrongChecksumIsRejectedAndNothingIsKept() throws Exception {
        String url = serve(this::withRanges);
        Path target = dir.resolve("file.bin");
        byte[] other = randomBytes(10);
        DatasetException e = assertThrows(DatasetException.class,
                () -> new CheckedDownload(FAST).fetch(file(url, other), target));
        assertTrue(e.getMessage().startsWith("file.bin: SHA-256 mismatch after download from " + url + ": expected "
                + TestFiles.sha256(other) + ", got " + TestFiles.sha256(content) + " (200000 bytes)"), e.getMessage());
        assertTrue(e.getMessage().contains("Place the file by hand at " + target.toAbsolutePath()), e.getMessage());
        assertFalse(Files.exists(target));
        assertFalse(Files.exists(CheckedDownload.partFile(target)));
    }

    @Test
    void httpErrorNamesTheStatus() throws Exception {
        String url = serve(exchange -> exchange.sendResponseHeaders(404, -1));
        DatasetException e = assertThrows(DatasetException.class,
                () -> new CheckedDownload(FAST).fetch(file(url, content), dir.resolve("file.bin")));
        assertTrue(e.getMessage().contains("failed: HTTP status 404 (expected 200)"), e.getMessage());
    }

    @Test
    void fileAlreadyPlacedByHandIsUsedWithoutARequest() throws Exception {
        String url = serve(this::withRanges);
        Path target = Files.write(dir.resolve("file.bin"), content);
        new CheckedDownload(FAST).fetch(file(url, content), target);
        assertEquals(List.of(), ranges);
        assertArrayEquals(content, Files.readAllBytes(target));
    }

    @Test
    void timeoutsMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CheckedDownload.Limits(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().startsWith("download timeouts must be positive"), e.getMessage());
    }
}
