package org.genai4j.datasets;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one-line way to get a dataset by name:
 * <pre>{@code
 * ImageData train = Datasets.images("fashion-mnist", Split.TRAIN);
 * TextCorpus shakespeare = Datasets.text("tinyshakespeare");
 * }</pre>
 * Files are found by {@link DataResolver#defaults()} (explicit path, {@code GENAI4J_DATA}, cache, system
 * locations, download). The synthetic datasets are made in code and need no files:
 * {@code synthetic-shapes} ({@link SyntheticShapes}: 10,000 training and 2,000 test images, 28x28) and
 * {@code synthetic-text} ({@link MarkovText#standard()}: 500,000 characters).
 */
public final class Datasets {

    /** Images in the synthetic-shapes training split. */
    public static final int SYNTHETIC_TRAIN_SIZE = 10_000;
    /** Images in the synthetic-shapes test split. */
    public static final int SYNTHETIC_TEST_SIZE = 2_000;
    /** Side of the synthetic-shapes images. */
    public static final int SYNTHETIC_SIDE = 28;
    /** Characters in the synthetic-text corpus. */
    public static final int SYNTHETIC_TEXT_LENGTH = 500_000;

    private Datasets() {
    }

    /** @return every dataset name: the registry's and the synthetic ones */
    public static List<String> names() {
        List<String> names = new ArrayList<>(DatasetRegistry.names());
        names.add(SyntheticShapes.NAME);
        names.add(MarkovText.NAME);
        return List.copyOf(names);
    }

    /**
     * @param name  fashion-mnist, mnist, cifar10 or synthetic-shapes
     * @param split training or test images
     * @return the images in [0, 1] with labels
     * @throws DatasetException for an unknown or non-image name, missing files, or bad files
     */
    public static ImageData images(String name, Split split) {
        return images(name, split, DataResolver.defaults(), null);
    }

    /**
     * @param name     an image dataset name
     * @param split    training or test images
     * @param resolver where to look for the files
     * @param explicit a folder holding the files, or {@code null}
     * @return the images in [0, 1] with labels
     */
    public static ImageData images(String name, Split split, DataResolver resolver, Path explicit) {
        if (name.equals(SyntheticShapes.NAME)) {
            return split == Split.TRAIN
                    ? SyntheticShapes.generate(SYNTHETIC_TRAIN_SIZE, SYNTHETIC_SIDE, 1)
                    : SyntheticShapes.generate(SYNTHETIC_TEST_SIZE, SYNTHETIC_SIDE, 2);
        }
        DatasetSpec spec = spec(name, DatasetSpec.Kind.IMAGES);
        DataResolver.Resolved files = resolver.resolve(spec, explicit);
        if (name.equals("cifar10")) {
            List<Path> batches = new ArrayList<>();
            for (String f : spec.requiredFiles()) {
                boolean test = f.endsWith("test_batch.bin");
                if (test == (split == Split.TEST)) {
                    batches.add(files.file(f));
                }
            }
            return CifarReader.read(name, batches);
        }
        String prefix = split == Split.TRAIN ? "train" : "t10k";
        return IdxReader.read(name, files.file(prefix + "-images-idx3-ubyte.gz"),
                files.file(prefix + "-labels-idx1-ubyte.gz"), spec.classNames());
    }

    /**
     * @param name tinyshakespeare, the-verdict or synthetic-text
     * @return the corpus
     * @throws DatasetException for an unknown or non-text name, a missing file, or bad text
     */
    public static TextCorpus text(String name) {
        return text(name, DataResolver.defaults(), null);
    }

    /**
     * @param name     a text dataset name
     * @param resolver where to look for the file
     * @param explicit the text file (or a folder holding it), or {@code null}
     * @return the corpus
     */
    public static TextCorpus text(String name, DataResolver resolver, Path explicit) {
        if (name.equals(MarkovText.NAME)) {
            return MarkovText.standard().corpus(SYNTHETIC_TEXT_LENGTH, 1);
        }
        DatasetSpec spec = spec(name, DatasetSpec.Kind.TEXT);
        DataResolver.Resolved files = resolver.resolve(spec, explicit);
        return TextCorpusReader.read(name, files.file(spec.requiredFiles().get(0)));
    }

    /**
     * The file of a labeled-text dataset ({@code sms-spam}: {@code label<TAB>text} lines), found
     * as any dataset's files are.
     *
     * @param name     a labeled-text dataset name
     * @param resolver where to look
     * @param explicit the file (or a folder holding it), or {@code null}
     * @return the file's path
     */
    public static Path labeledTextFile(String name, DataResolver resolver, Path explicit) {
        DatasetSpec spec = spec(name, DatasetSpec.Kind.LABELED_TEXT);
        return resolver.resolve(spec, explicit).file(spec.requiredFiles().get(0));
    }

    /**
     * The file of an instruction dataset ({@code instruct}, {@code instruct-preference}: a JSON array
     * of records), found as any dataset's files are.
     *
     * @param name     an instruction dataset name
     * @param resolver where to look
     * @param explicit the file (or a folder holding it), or {@code null}
     * @return the file's path
     */
    public static Path instructionFile(String name, DataResolver resolver, Path explicit) {
        DatasetSpec spec = spec(name, DatasetSpec.Kind.INSTRUCTIONS);
        return resolver.resolve(spec, explicit).file(spec.requiredFiles().get(0));
    }

    /**
     * @param name a dataset name
     * @return true when the dataset is synthetic or its files are found locally, so no download is needed
     */
    public static boolean isAvailableOffline(String name) {
        return isAvailableOffline(name, DataResolver.defaults());
    }

    /**
     * @param name     a dataset name
     * @param resolver where to look
     * @return true when the dataset is synthetic or its files are found locally
     */
    public static boolean isAvailableOffline(String name, DataResolver resolver) {
        if (name.equals(SyntheticShapes.NAME) || name.equals(MarkovText.NAME)) {
            return true;
        }
        return resolver.findLocal(DatasetRegistry.get(name), null).isPresent();
    }

    private static DatasetSpec spec(String name, DatasetSpec.Kind kind) {
        if (name.equals(SyntheticShapes.NAME) || name.equals(MarkovText.NAME)) {
            throw new DatasetException("'" + name + "' is a " + (kind == DatasetSpec.Kind.IMAGES ? "text" : "image")
                    + " dataset; use Datasets." + (kind == DatasetSpec.Kind.IMAGES ? "text" : "images") + "(\"" + name + "\")");
        }
        DatasetSpec spec = DatasetRegistry.get(name);
        if (spec.kind() != kind) {
            throw new DatasetException("'" + name + "' is " + kindName(spec.kind()) + " dataset, not "
                    + kindName(kind) + " one; use Datasets." + reader(spec.kind()));
        }
        return spec;
    }

    private static String kindName(DatasetSpec.Kind kind) {
        return switch (kind) {
            case IMAGES -> "an image";
            case TEXT -> "a text";
            case LABELED_TEXT -> "a labeled-text";
            case INSTRUCTIONS -> "an instruction";
        };
    }

    private static String reader(DatasetSpec.Kind kind) {
        return switch (kind) {
            case IMAGES -> "images(name, split)";
            case TEXT -> "text(name)";
            case LABELED_TEXT -> "labeledTextFile(name, resolver, path)";
            case INSTRUCTIONS -> "instructionFile(name, resolver, path)";
        };
    }
}
