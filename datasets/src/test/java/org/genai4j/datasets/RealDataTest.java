package org.genai4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Reads the real datasets when they are present locally; skipped otherwise (tests never download). */
class RealDataTest {

    private static DataResolver offline() {
        return DataResolver.builder().offline(true).build();
    }

    /** The default resolution (data root, cache, system locations) with downloads switched off. */
    private static DataResolver localOnly() {
        java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.put(DataResolver.OFFLINE_ENV, "true");
        return DataResolver.fromEnvironment(env);
    }

    @Test
    void fashionMnistHasItsKnownSizesAndSums() {
        DataResolver r = localOnly();
        Optional<DataResolver.Resolved> local = r.findLocal(DatasetRegistry.get("fashion-mnist"), null);
        assumeTrue(local.isPresent(), "Fashion-MNIST is not installed locally (apt-get install dataset-fashion-mnist)");
        for (DatasetFile f : DatasetRegistry.get("fashion-mnist").downloads()) {
            DataResolver.verify(local.get().file(f.name()), f);
        }
        ImageData train = Datasets.images("fashion-mnist", Split.TRAIN, r, null);
        ImageData test = Datasets.images("fashion-mnist", Split.TEST, r, null);
        assertEquals(60_000, train.size());
        assertEquals(10_000, test.size());
        assertArrayEquals(new long[]{60_000, 1, 28, 28}, train.images().shape());
        assertArrayEquals(new int[]{6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000}, train.classCounts());
        assertEquals(9, train.labels()[0], "the first training image is an ankle boot");
        assertTrue(train.images().maxNumber().doubleValue() == 1.0 && train.images().minNumber().doubleValue() == 0.0);
    }

    @Test
    void tinyShakespeareFromTheDataRoot() throws Exception {
        String prop = System.getProperty(DataResolver.DATA_PROPERTY);
        String env = System.getenv(DataResolver.DATA_ENV);
        assumeTrue((prop != null && !prop.isBlank()) || (env != null && !env.isBlank()),
                "neither genai4j.data nor GENAI4J_DATA is set");
        DataResolver r = localOnly();
        DatasetSpec spec = DatasetRegistry.get("tinyshakespeare");
        Optional<DataResolver.Resolved> local = r.findLocal(spec, null);
        assumeTrue(local.isPresent(), "tinyshakespeare.txt is not under the data root");
        DataResolver.verify(local.get().file("tinyshakespeare.txt"), spec.downloads().get(0));
        assertEquals(1_115_394, Files.size(local.get().file("tinyshakespeare.txt")));
        TextCorpus corpus = Datasets.text("tinyshakespeare", r, null);
        assertEquals(1_115_394, corpus.length());
        assertEquals(1_003_854, corpus.train().length(), "nanoGPT's train split");
        assertEquals(111_540, corpus.validation().length(), "nanoGPT's val split");
        assertTrue(corpus.text().startsWith("First Citizen:"));
        TextCorpus verdict = Datasets.text("the-verdict", r, null);
        assertEquals(20_479, verdict.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }

    @Test
    void offlineResolverNeverDownloads() {
        // Whatever is installed, an offline resolver either finds mnist locally or says downloads are disabled.
        try {
            Datasets.isAvailableOffline("mnist", offline());
            offline().resolve(DatasetRegistry.get("mnist"));
        } catch (DatasetException e) {
            assertTrue(e.getMessage().contains("download: disabled"), e.getMessage());
        }
    }
}
