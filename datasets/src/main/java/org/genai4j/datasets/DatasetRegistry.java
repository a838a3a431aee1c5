package org.genai4j.datasets;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The named datasets genai4j knows how to find, download and check.
 *
 * <p>Where each SHA-256 comes from:
 * <ul>
 *   <li>Fashion-MNIST: the sums of the four {@code .gz} files served by Zalando's S3 bucket, as published
 *       by torchvision and TensorFlow Datasets (the upstream MD5s, e.g. {@code 8d4fb7e6...} for the training
 *       images, match these files). Debian's package {@code dataset-fashion-mnist} (0.0~git20200523.55506a9-1)
 *       re-compresses the files, so its {@code .gz} bytes differ; the content sums here are the SHA-256 of
 *       the decompressed IDX bytes, computed from that Debian package on this project's build machine
 *       (not compared against upstream's own decompressed bytes, for which no published sum was found).</li>
 *   <li>MNIST: the sums published by torchvision and TensorFlow Datasets for the canonical files. Yann LeCun's
 *       page now often refuses downloads, so the URL is the CVDF mirror on Google Cloud Storage, which serves
 *       the same bytes.</li>
 *   <li>CIFAR-10: the sum of {@code cifar-10-binary.tar.gz} (MD5 {@code c32a1d4a...} on the Toronto page), as
 *       published by several independent projects.</li>
 *   <li>Tiny Shakespeare and The Verdict: computed from the copies in the project's shared data folder
 *       ({@code SHA256SUMS} there), which were fetched from the canonical URLs below.</li>
 * </ul>
 */
public final class DatasetRegistry {

    private static final String FASHION_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";
    private static final String MNIST_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/";
    private static final String FASHION_PROVENANCE = "download sum: torchvision/TFDS; content sum: "
            + "decompressed Debian dataset-fashion-mnist file";
    private static final String MNIST_PROVENANCE = "torchvision/TFDS published sums of the canonical MNIST files";

    private static final Map<String, DatasetSpec> SPECS = new LinkedHashMap<>();

    static {
        add(new DatasetSpec("fashion-mnist", DatasetSpec.Kind.IMAGES, "fashion-mnist", idxFiles(),
                List.of(
                        new DatasetFile("train-images-idx3-ubyte.gz", FASHION_URL + "train-images-idx3-ubyte.gz",
                                "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
                                "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", false,
                                FASHION_PROVENANCE),
                        new DatasetFile("train-labels-idx1-ubyte.gz", FASHION_URL + "train-labels-idx1-ubyte.gz",
                                "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
                                "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", false,
                                FASHION_PROVENANCE),
                        new DatasetFile("t10k-images-idx3-ubyte.gz", FASHION_URL + "t10k-images-idx3-ubyte.gz",
                                "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
                                "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", false,
                                FASHION_PROVENANCE),
                        new DatasetFile("t10k-labels-idx1-ubyte.gz", FASHION_URL + "t10k-labels-idx1-ubyte.gz",
                                "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
                                "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", false,
                                FASHION_PROVENANCE)),
                List.of(Path.of("/usr/share/datasets/fashion-mnist")),
                List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                        "Ankle boot"),
                "On Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist (installs /usr/share/datasets/fashion-mnist)."));

        add(new DatasetSpec("mnist", DatasetSpec.Kind.IMAGES, "mnist", idxFiles(),
                List.of(
                        DatasetFile.of("train-images-idx3-ubyte.gz", MNIST_URL + "train-images-idx3-ubyte.gz",
                                "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", MNIST_PROVENANCE),
                        DatasetFile.of("train-labels-idx1-ubyte.gz", MNIST_URL + "train-labels-idx1-ubyte.gz",
                                "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", MNIST_PROVENANCE),
                        DatasetFile.of("t10k-images-idx3-ubyte.gz", MNIST_URL + "t10k-images-idx3-ubyte.gz",
                                "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", MNIST_PROVENANCE),
                        DatasetFile.of("t10k-labels-idx1-ubyte.gz", MNIST_URL + "t10k-labels-idx1-ubyte.gz",
                                "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", MNIST_PROVENANCE)),
                List.of(Path.of("/usr/share/datasets/mnist")),
                List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
                "Homepage: http://yann.lecun.com/exdb/mnist/ (same file names)."));

        List<String> cifarFiles = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            cifarFiles.add(CifarReader.BATCH_FOLDER + "/data_batch_" + i + ".bin");
        }
        cifarFiles.add(CifarReader.BATCH_FOLDER + "/test_batch.bin");
        add(new DatasetSpec("cifar10", DatasetSpec.Kind.IMAGES, "cifar10", cifarFiles,
                List.of(new DatasetFile("cifar-10-binary.tar.gz", "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
                        "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd", null, true,
                        "published sum of the Toronto binary archive (MD5 c32a1d4ab5d03f1284b67883e8d87530)")),
                List.of(Path.of("/usr/share/datasets/cifar10"), Path.of("/usr/share/datasets/cifar-10")),
                CifarReader.CLASS_NAMES,
                "The binary version (cifar-10-binary.tar.gz) from https://www.cs.toronto.edu/~kriz/cifar.html;"
                        + " the archive itself may also be put in the folder and is unpacked into the cache."));

        add(new DatasetSpec("tinyshakespeare", DatasetSpec.Kind.TEXT, "text", List.of("tinyshakespeare.txt"),
                List.of(DatasetFile.of("tinyshakespeare.txt",
                        "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
                        "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
                        "computed from the project's shared copy (1,115,394 bytes)")),
                List.of(), List.of(), "The char-rnn / nanoGPT corpus (input.txt), saved as tinyshakespeare.txt."));

        add(new DatasetSpec("the-verdict", DatasetSpec.Kind.TEXT, "text", List.of("the-verdict.txt"),
                List.of(DatasetFile.of("the-verdict.txt",
                        "https://raw.githubusercontent.com/rasbt/LLMs-from-scratch/main/ch02/01_main-chapter-code/the-verdict.txt",
                        "b41e41a68f0398a3154ae69e2e4c0e2694e17fe0d66730536837f1b01935b31f",
                        "computed from the project's shared copy (20,479 bytes)")),
                List.of(), List.of(), "Edith Wharton, The Verdict (1908, public domain), as used by LLMs-from-scratch."));

        // The canonical download is UCI's zip holding SMSSpamCollection, which genai4j does not
        // unpack; the sum is the file's, so a download fails its check and says where to place it.
        add(new DatasetSpec("sms-spam", DatasetSpec.Kind.LABELED_TEXT, "sms-spam", List.of("SMSSpamCollection"),
                List.of(DatasetFile.of("SMSSpamCollection",
                        "https://archive.ics.uci.edu/static/public/228/sms+spam+collection.zip",
                        "7d039a24a6083ed9ef0f806ebad56bbb976e3aeb8de05669173bfdc4996c239d",
                        "computed from the project's shared copy (5,574 lines, 4,827 ham and 747 spam); the URL serves a"
                                + " zip holding the file")),
                List.of(), List.of("ham", "spam"),
                "SMS Spam Collection v.1 (Almeida and Gomez Hidalgo, 2011; CC BY 4.0): label<TAB>text lines. Unzip"
                        + " SMSSpamCollection from UCI's zip into the data folder's sms-spam/."));

        add(new DatasetSpec("instruct", DatasetSpec.Kind.INSTRUCTIONS, "instruct", List.of("instruction-data.json"),
                List.of(DatasetFile.of("instruction-data.json",
                        "https://raw.githubusercontent.com/rasbt/LLMs-from-scratch/main/ch07/01_main-chapter-code/"
                                + "instruction-data.json",
                        "7e09a9af353722ca15c18bc580f093f9c39d3178335a75177319cb1e1d163944",
                        "computed from the project's shared copy (203,524 bytes, 1,100 records)")),
                List.of(), List.of(),
                "1,100 Alpaca-style instruction/input/output records, the data of LLMs-from-scratch chapter 7"
                        + " (Apache-2.0)."));

        add(new DatasetSpec("instruct-preference", DatasetSpec.Kind.INSTRUCTIONS, "instruct",
                List.of("instruction-data-with-preference.json"),
                List.of(DatasetFile.of("instruction-data-with-preference.json",
                        "https://raw.githubusercontent.com/rasbt/LLMs-from-scratch/main/ch07/"
                                + "04_preference-tuning-with-dpo/instruction-data-with-preference.json",
                        "305315abf14f65fa42c01a0877572f832606571c2a7d49f152ac1d758b16756e",
                        "computed from the project's shared copy (386,968 bytes, 1,100 records)")),
                List.of(), List.of(),
                "The same 1,100 records with a chosen and a rejected response each, for preference tuning (DPO);"
                        + " LLMs-from-scratch chapter 7 (Apache-2.0)."));
    }

    private DatasetRegistry() {
    }

    private static void add(DatasetSpec spec) {
        SPECS.put(spec.name(), spec);
    }

    private static List<String> idxFiles() {
        return List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                "t10k-labels-idx1-ubyte.gz");
    }

    /** @return the names of the file-backed datasets, in registry order */
    public static List<String> names() {
        return List.copyOf(SPECS.keySet());
    }

    /** @return true when {@code name} is a file-backed dataset of this registry */
    public static boolean contains(String name) {
        return SPECS.containsKey(name);
    }

    /**
     * @param name a registry name
     * @return its spec
     * @throws DatasetException naming the known datasets when {@code name} is unknown
     */
    public static DatasetSpec get(String name) {
        DatasetSpec spec = SPECS.get(name);
        if (spec == null) {
            throw new DatasetException("Unknown dataset '" + name + "'. Known datasets: " + String.join(", ", Datasets.names()));
        }
        return spec;
    }
}
