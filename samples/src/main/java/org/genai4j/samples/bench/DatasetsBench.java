package org.genai4j.samples.bench;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Optional;
import org.genai4j.datasets.DataResolver;
import org.genai4j.datasets.DatasetRegistry;
import org.genai4j.datasets.Datasets;
import org.genai4j.datasets.ImageData;
import org.genai4j.datasets.MarkovText;
import org.genai4j.datasets.Normalization;
import org.genai4j.datasets.Split;
import org.genai4j.datasets.SyntheticShapes;
import org.genai4j.datasets.TextCorpus;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Benchmark entry point: how fast the readers, the synthetic generators and the iterator are on this machine.
 * Run with {@code java -cp "$(cat samples/target/classpath.txt)" org.genai4j.samples.bench.DatasetsBench}; prints one table. Real datasets are
 * measured only when they resolve locally (nothing is downloaded).
 */
public final class DatasetsBench {

    private DatasetsBench() {
    }

    /** @param args ignored */
    public static void main(String[] args) {
        Nd4j.create(1); // load the native backend before timing anything
        String threads = System.getenv().getOrDefault("OMP_NUM_THREADS", "unset");
        System.out.printf(Locale.ROOT, "machine: %d cores, %s %s, java %s, OMP_NUM_THREADS=%s, max heap %d MB%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"),
                System.getProperty("java.version"), threads,
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax() >> 20);
        System.out.printf(Locale.ROOT, "%-46s %10s %12s%n", "task", "seconds", "items/s");

        SyntheticShapes.generate(200, 28, 0); // warm up Java2D
        long t = System.nanoTime();
        ImageData shapes = SyntheticShapes.generate(10_000, 28, 1);
        row("synthetic-shapes: generate 10,000 28x28", t, shapes.size());

        t = System.nanoTime();
        String text = MarkovText.standard().generate(1_000_000, 1);
        row("synthetic-text: generate 1,000,000 chars", t, text.length());

        for (int batch : new int[]{64, 128}) {
            DataSetIterator it = shapes.iterator(batch, 1, true, Normalization.MINUS_ONE_ONE);
            t = System.nanoTime();
            int n = 0;
            while (it.hasNext()) {
                n += it.next().numExamples();
            }
            row("iterator epoch, batch " + batch + ", shuffled, [-1,1]", t, n);
        }

        DataResolver resolver = DataResolver.defaults();
        for (String name : new String[]{"fashion-mnist", "mnist", "cifar10"}) {
            Optional<DataResolver.Resolved> local = resolver.findLocal(DatasetRegistry.get(name), null);
            if (local.isEmpty()) {
                System.out.printf(Locale.ROOT, "%-46s %10s%n", name + ": read train split", "not local");
                continue;
            }
            t = System.nanoTime();
            ImageData train = Datasets.images(name, Split.TRAIN, resolver, null);
            row(name + ": read train split (" + local.get().source().split(" ")[0] + ")", t, train.size());
        }
        for (String name : new String[]{"tinyshakespeare"}) {
            if (resolver.findLocal(DatasetRegistry.get(name), null).isEmpty()) {
                System.out.printf(Locale.ROOT, "%-46s %10s%n", name + ": read", "not local");
                continue;
            }
            t = System.nanoTime();
            TextCorpus corpus = Datasets.text(name, resolver, null);
            row(name + ": read and split", t, corpus.train().length() + corpus.validation().length());
        }
    }

    private static void row(String task, long startNanos, long items) {
        double s = (System.nanoTime() - startNanos) / 1e9;
        System.out.printf(Locale.ROOT, "%-46s %10.3f %12.0f%n", task, s, items / s);
    }
}
