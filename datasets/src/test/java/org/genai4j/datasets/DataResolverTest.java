package org.genai4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataResolverTest {
    private static final byte[] BODY = "served bytes for the toy corpus\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** A one-file text dataset in folder "text" with a system location under tmp. */
    private DatasetSpec toy(String url, String sha256) {
        return new DatasetSpec("toy", DatasetSpec.Kind.TEXT, "text", List.of("toy.txt"),
                List.of(DatasetFile.of("toy.txt", url, sha256, "test")), List.of(tmp.resolve("sys")), List.of(),
                "Ask the test for toy.txt.");
    }

    private DatasetSpec toy() {
        return toy("http://127.0.0.1:9/toy.txt", TestFiles.sha256(BODY));
    }

    private static void put(Path file, String content) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private String serve(byte[] body, int status) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/data/", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(status, status == 200 ? body.length : -1);
            try (OutputStream out = exchange.getResponseBody()) {
                if (status == 200) {
                    out.write(body);
                }
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/data/toy.txt";
    }

    private DataResolver.Builder base() {
        return DataResolver.builder().cacheDir(tmp.resolve("cache")).offline(true);
    }

    private static String read(DataResolver.Resolved r) throws Exception {
        return Files.readString(r.file("toy.txt"));
    }

    @Test
    void resolutionOrderIsExplicitThenDataRootThenCacheThenSystemLocation() throws Exception {
        put(tmp.resolve("explicit/toy.txt"), "explicit");
        put(tmp.resolve("root/text/toy.txt"), "root");
        put(tmp.resolve("cache/text/toy.txt"), "cache");
        put(tmp.resolve("sys/toy.txt"), "system");
        // configured the way users do it: -Dgenai4j.data and -Dgenai4j.cache (downloads off via the environment)
        DataResolver r = withProperties(Map.of(DataResolver.DATA_PROPERTY, tmp.resolve("root").toString(),
                DataResolver.CACHE_PROPERTY, tmp.resolve("cache").toString()),
                () -> DataResolver.fromEnvironment(Map.of(DataResolver.OFFLINE_ENV, "1")));
        assertEquals(tmp.resolve("cache"), r.cacheDir());
        DatasetSpec spec = toy();

        assertEquals("explicit", read(r.resolve(spec, tmp.resolve("explicit"))));
        assertEquals("root", read(r.resolve(spec)));
        Files.delete(tmp.resolve("root/text/toy.txt"));
        assertEquals("cache", read(r.resolve(spec)));
        Files.delete(tmp.resolve("cache/text/toy.txt"));
        DataResolver.Resolved sys = r.resolve(spec);
        assertEquals("system", read(sys));
        assertTrue(sys.source().startsWith("system location"), sys.source());
    }

    /** Runs {@code body} with the given system properties set, restoring the old values afterwards. */
    private static <T> T withProperties(Map<String, String> props, java.util.function.Supplier<T> body) {
        Map<String, String> old = new java.util.HashMap<>();
        props.forEach((k, v) -> {
            old.put(k, System.getProperty(k));
            System.setProperty(k, v);
        });
        try {
            return body.get();
        } finally {
            old.forEach((k, v) -> {
                if (v == null) {
                    System.clearProperty(k);
                } else {
                    System.setProperty(k, v);
                }
            });
        }
    }

    @Test
    void explicitPathMayBeTheFileOrTheDataRootButMustHoldTheFiles() throws Exception {
        put(tmp.resolve("any-name.txt"), "single file");
        put(tmp.resolve("otherroot/text/toy.txt"), "via root");
        DataResolver r = base().build();
        assertEquals("single file", read(r.resolve(toy(), tmp.resolve("any-name.txt"))));
        assertEquals("via root", read(r.resolve(toy(), tmp.resolve("otherroot"))));
        Files.createDirectories(tmp.resolve("wrong"));
        DatasetException e = assertThrows(DatasetException.class, () -> r.resolve(toy(), tmp.resolve("wrong")));
        assertTrue(e.getMessage().contains("Explicit path") && e.getMessage().contains("missing toy.txt"), e.getMessage());
    }

    @Test
    void systemPropertyBeatsEnvironmentVariableForTheDataRoot() throws Exception {
        put(tmp.resolve("prop/text/toy.txt"), "property");
        put(tmp.resolve("env/text/toy.txt"), "environment");
        Map<String, String> env = Map.of(DataResolver.DATA_ENV, tmp.resolve("env").toString(),
                DataResolver.OFFLINE_ENV, "true");
        String old = System.getProperty(DataResolver.DATA_PROPERTY);
        try {
            System.clearProperty(DataResolver.DATA_PROPERTY);
            DataResolver fromEnv = DataResolver.fromEnvironment(env);
            assertTrue(fromEnv.offline());
            assertEquals("environment", read(fromEnv.resolve(toy())));
            System.setProperty(DataResolver.DATA_PROPERTY, tmp.resolve("prop").toString());
            DataResolver.Resolved r = DataResolver.fromEnvironment(env).resolve(toy());
            assertEquals("property", read(r));
            assertTrue(r.source().contains("system property genai4j.data"), r.source());
        } finally {
            if (old == null) {
                System.clearProperty(DataResolver.DATA_PROPERTY);
            } else {
                System.setProperty(DataResolver.DATA_PROPERTY, old);
            }
        }
    }

    @Test
    void offlineSystemPropertyDisablesDownloads() {
        String old = System.getProperty(DataResolver.OFFLINE_PROPERTY);
        try {
            System.setProperty(DataResolver.OFFLINE_PROPERTY, "true");
            assertTrue(DataResolver.fromEnvironment(Map.of()).offline());
            System.setProperty(DataResolver.OFFLINE_PROPERTY, "false");
            assertFalse(DataResolver.fromEnvironment(Map.of()).offline());
        } finally {
            if (old == null) {
                System.clearProperty(DataResolver.OFFLINE_PROPERTY);
            } else {
                System.setProperty(DataResolver.OFFLINE_PROPERTY, old);
            }
        }
    }

    @Test
    void oneErrorListsEveryPlaceAndHowToProvideTheFiles() {
        DataResolver r = base().dataRoot(tmp.resolve("root"), "test root").build();
        DatasetException e = assertThrows(DatasetException.class, () -> r.resolve(toy()));
        String m = e.getMessage();
        assertTrue(m.startsWith("Dataset 'toy' was not found. Looked in:"), m);
        for (String expected : List.of("explicit path: none given", "test root " + tmp.resolve("root/text"),
                "cache " + tmp.resolve("cache/text"), "system location " + tmp.resolve("sys"), "download: disabled",
                "$GENAI4J_DATA/text/", "http://127.0.0.1:9/toy.txt", "Ask the test for toy.txt.")) {
            assertTrue(m.contains(expected), "missing '" + expected + "' in:\n" + m);
        }
    }

    @Test
    void downloadsIntoTheCacheWithChecksumAndThenUsesTheCache() throws Exception {
        String url = serve(BODY, 200);
        DataResolver r = base().offline(false).useSystemLocations(false).build();
        DataResolver.Resolved got = r.resolve(toy(url, TestFiles.sha256(BODY)));
        assertTrue(got.source().startsWith("download into"), got.source());
        assertEquals(tmp.resolve("cache/text/toy.txt"), got.file("toy.txt"));
        assertArrayEquals(BODY, Files.readAllBytes(got.file("toy.txt")));
        DataResolver.Resolved again = r.resolve(toy(url, TestFiles.sha256(BODY)));
        assertTrue(again.source().startsWith("cache"), again.source());
        assertEquals(1, requests.get());
        assertEquals(List.of(tmp.resolve("cache/text/toy.txt")), list(tmp.resolve("cache/text")));
    }

    @Test
    void checksumMismatchDiscardsTheDownloadAndSaysSo() throws Exception {
        String url = serve(BODY, 200);
        String wrong = "0".repeat(64);
        DataResolver r = base().offline(false).useSystemLocations(false).build();
        DatasetException e = assertThrows(DatasetException.class, () -> r.resolve(toy(url, wrong)));
        String m = e.getMessage();
        assertTrue(m.contains("toy.txt: SHA-256 mismatch after download") && m.contains(wrong) && m.contains(TestFiles.sha256(BODY)), m);
        assertTrue(m.contains("Looked in:"), m);
        assertEquals(List.of(), list(tmp.resolve("cache/text")), "no file or .part left behind");
    }

    @Test
    void httpErrorIsReported() throws Exception {
        String url = serve(BODY, 404);
        DataResolver r = base().offline(false).useSystemLocations(false).build();
        DatasetException e = assertThrows(DatasetException.class, () -> r.resolve(toy(url, TestFiles.sha256(BODY))));
        assertTrue(e.getMessage().contains("HTTP status 404"), e.getMessage());
    }

    @Test
    void fileUrlsDownloadToo() throws Exception {
        Path source = Files.write(tmp.resolve("source.txt"), BODY);
        DataResolver r = base().offline(false).useSystemLocations(false).build();
        DataResolver.Resolved got = r.resolve(toy(source.toUri().toString(), TestFiles.sha256(BODY)));
        assertArrayEquals(BODY, Files.readAllBytes(got.file("toy.txt")));
    }

    @Test
    void cifarArchiveIsDownloadedCheckedAndUnpacked() throws Exception {
        Path archive = cifarArchive(tmp.resolve("cifar-10-binary.tar.gz"));
        DatasetSpec real = DatasetRegistry.get("cifar10");
        DatasetSpec spec = new DatasetSpec("cifar10", real.kind(), real.folder(), real.requiredFiles(),
                List.of(new DatasetFile("cifar-10-binary.tar.gz", archive.toUri().toString(),
                        TestFiles.sha256(Files.readAllBytes(archive)), null, true, "test")),
                List.of(), real.classNames(), "");
        DataResolver r = base().offline(false).useSystemLocations(false).build();
        DataResolver.Resolved got = r.resolve(spec);
        assertEquals(tmp.resolve("cache/cifar10/cifar-10-batches-bin/test_batch.bin"),
                got.file("cifar-10-batches-bin/test_batch.bin"));
        assertFalse(Files.exists(tmp.resolve("cache/cifar10/cifar-10-binary.tar.gz")), "archive removed after unpacking");
    }

    @Test
    void localCifarArchiveIsUnpackedIntoTheCacheAndRead() throws Exception {
        cifarArchive(tmp.resolve("root/cifar10/cifar-10-binary.tar.gz"));
        DataResolver r = base().dataRoot(tmp.resolve("root"), "root").useSystemLocations(false).build();
        assertTrue(Datasets.isAvailableOffline("cifar10", r));
        ImageData train = Datasets.images("cifar10", Split.TRAIN, r, null);
        ImageData test = Datasets.images("cifar10", Split.TEST, r, null);
        assertEquals(5 * 2, train.size());
        assertEquals(3, test.size());
        assertTrue(Files.isRegularFile(tmp.resolve("cache/cifar10/cifar-10-batches-bin/data_batch_5.bin")));
    }

    @Test
    void idxDatasetResolvesFromTheDataRootGzippedOrNot() throws Exception {
        Path root = tmp.resolve("root");
        TestFiles.idxDataset(root.resolve("fashion-mnist"), 12, 4);
        // a gunzipped copy is accepted under the name without .gz
        TestFiles.write(root.resolve("mnist/train-images-idx3-ubyte"), TestFiles.idxImages(6, 28, 28), false);
        TestFiles.write(root.resolve("mnist/train-labels-idx1-ubyte"), TestFiles.idxLabels(6, 10), false);
        TestFiles.write(root.resolve("mnist/t10k-images-idx3-ubyte.gz"), TestFiles.idxImages(2, 28, 28), true);
        TestFiles.write(root.resolve("mnist/t10k-labels-idx1-ubyte.gz"), TestFiles.idxLabels(2, 10), true);
        DataResolver r = base().dataRoot(root, "root").useSystemLocations(false).build();
        ImageData fashion = Datasets.images("fashion-mnist", Split.TRAIN, r, null);
        assertEquals(12, fashion.size());
        assertEquals("Ankle boot", fashion.classNames().get(9));
        assertEquals(4, Datasets.images("fashion-mnist", Split.TEST, r, null).size());
        assertEquals(6, Datasets.images("mnist", Split.TRAIN, r, null).size());
        assertEquals(2, Datasets.images("mnist", Split.TEST, r, null).size());
    }

    @Test
    void verifyAcceptsTheFileOrItsDecompressedContentAndNamesMismatches() throws Exception {
        byte[] content = TestFiles.idxLabels(7, 3);
        Path gz = TestFiles.write(tmp.resolve("labels.gz"), content, true);
        Path plain = TestFiles.write(tmp.resolve("labels"), content, false);
        DatasetFile entry = new DatasetFile("labels.gz", "file:/none", "1".repeat(64), TestFiles.sha256(content), false, "t");
        DataResolver.verify(gz, entry);
        DataResolver.verify(plain, entry);
        DataResolver.verify(plain, DatasetFile.of("labels", "file:/none", TestFiles.sha256(content), "t"));
        Path other = TestFiles.write(tmp.resolve("other.gz"), TestFiles.idxLabels(8, 3), true);
        DatasetException e = assertThrows(DatasetException.class, () -> DataResolver.verify(other, entry));
        assertTrue(e.getMessage().startsWith("SHA-256 mismatch for " + other), e.getMessage());
    }

    /** A tar.gz laid out like cifar-10-binary.tar.gz: five train batches of 2 records, a test batch of 3. */
    private static Path cifarArchive(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(
                new GzipCompressorOutputStream(Files.newOutputStream(file)))) {
            for (int i = 1; i <= 6; i++) {
                String name = i <= 5 ? "data_batch_" + i + ".bin" : "test_batch.bin";
                byte[] bytes = TestFiles.cifarBatch(i <= 5 ? 2 : 3);
                TarArchiveEntry entry = new TarArchiveEntry(CifarReader.BATCH_FOLDER + "/" + name);
                entry.setSize(bytes.length);
                tar.putArchiveEntry(entry);
                tar.write(bytes);
                tar.closeArchiveEntry();
            }
        }
        return file;
    }

    private static List<Path> list(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
