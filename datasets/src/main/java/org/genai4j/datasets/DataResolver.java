package org.genai4j.datasets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nd4j.common.util.ArchiveUtils;

/**
 * Finds the files of a dataset. First hit wins:
 * <ol>
 *   <li>an explicit path given by the caller (a folder, or for a one-file dataset the file itself);</li>
 *   <li>the data root: system property {@code genai4j.data}, else environment variable {@code GENAI4J_DATA}
 *       (a folder holding {@code text/}, {@code fashion-mnist/}, {@code mnist/}, {@code cifar10/}; a relative
 *       path not found from the working directory is looked up from its parent folders);</li>
 *   <li>the user cache, {@code ~/.genai4j/datasets} (system property {@code genai4j.cache} overrides it);</li>
 *   <li>system locations such as {@code /usr/share/datasets/fashion-mnist} (Debian's package);</li>
 *   <li>a download into the cache, checked against the registered SHA-256, unless downloads are disabled
 *       (system property {@code genai4j.offline=true} or environment variable {@code GENAI4J_OFFLINE=true}).</li>
 * </ol>
 * When nothing works, one {@link DatasetException} lists every place that was tried and how to provide the
 * files. Local files are not checksummed on every load (the readers check their structure);
 * {@link #verify} checks them on request.
 */
public final class DataResolver {

    /** System property naming the data root. */
    public static final String DATA_PROPERTY = "genai4j.data";
    /** Environment variable naming the data root. */
    public static final String DATA_ENV = "GENAI4J_DATA";
    /** System property overriding the cache folder. */
    public static final String CACHE_PROPERTY = "genai4j.cache";
    /** System property that disables downloads when {@code true}. */
    public static final String OFFLINE_PROPERTY = "genai4j.offline";
    /** Environment variable that disables downloads when {@code true} or {@code 1}. */
    public static final String OFFLINE_ENV = "GENAI4J_OFFLINE";

    private final Path dataRoot;
    private final String dataRootOrigin;
    private final Path cacheDir;
    private final boolean useSystemLocations;
    private final boolean offline;
    private final CheckedDownload.Limits downloadLimits;

    private DataResolver(Builder b) {
        this.dataRoot = b.dataRoot;
        this.dataRootOrigin = b.dataRootOrigin;
        this.cacheDir = b.cacheDir;
        this.useSystemLocations = b.useSystemLocations;
        this.offline = b.offline;
        this.downloadLimits = new CheckedDownload.Limits(b.timeout, b.timeout.multipliedBy(2), b.deadline);
    }

    /**
     * @return a resolver configured from system properties and environment variables (see the class comment)
     */
    public static DataResolver defaults() {
        return fromEnvironment(System.getenv());
    }

    /**
     * Like {@link #defaults()} but with the environment given as a map (system properties are still read).
     *
     * @param env environment variables
     * @return the configured resolver
     */
    public static DataResolver fromEnvironment(Map<String, String> env) {
        Builder b = builder();
        String prop = System.getProperty(DATA_PROPERTY);
        String envRoot = env.get(DATA_ENV);
        if (prop != null && !prop.isBlank()) {
            b.dataRoot(locateRelative(Path.of(prop)), "system property " + DATA_PROPERTY + "=" + prop + " ->");
        } else if (envRoot != null && !envRoot.isBlank()) {
            b.dataRoot(locateRelative(Path.of(envRoot)), "environment variable " + DATA_ENV + "=" + envRoot + " ->");
        }
        String cache = System.getProperty(CACHE_PROPERTY);
        if (cache != null && !cache.isBlank()) {
            b.cacheDir(Path.of(cache));
        }
        b.offline(isTrue(System.getProperty(OFFLINE_PROPERTY)) || isTrue(env.get(OFFLINE_ENV)));
        return b.build();
    }

    /**
     * A relative data root is taken from the working directory; if it is not there, from the nearest parent
     * folder where it exists. Maven runs a module's tests inside the module folder, so a root given relative to
     * the project folder (such as {@code ../shared/data}) is still found.
     */
    static Path locateRelative(Path root) {
        if (root.isAbsolute() || Files.isDirectory(root)) {
            return root;
        }
        Path dir = Path.of("").toAbsolutePath().getParent();
        for (int up = 0; up < 3 && dir != null; up++, dir = dir.getParent()) {
            Path candidate = dir.resolve(root).normalize();
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return root;
    }

    private static boolean isTrue(String v) {
        return v != null && (v.equalsIgnoreCase("true") || v.equals("1") || v.equalsIgnoreCase("yes"));
    }

    /** @return a builder starting from no data root, the default cache, system locations on, downloads on */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the cache folder downloads go to */
    public Path cacheDir() {
        return cacheDir;
    }

    /** @return true when downloads are disabled */
    public boolean offline() {
        return offline;
    }

    /**
     * Where a dataset's files were found.
     *
     * @param spec   the dataset
     * @param files  the path of each required file (keys are {@link DatasetSpec#requiredFiles()})
     * @param source which step of the resolution order found them, e.g. "cache /home/u/.genai4j/datasets/mnist"
     */
    public record Resolved(DatasetSpec spec, Map<String, Path> files, String source) {
        public Resolved {
            files = Map.copyOf(files);
        }

        /**
         * @param requiredFile one of the spec's required files
         * @return its path
         */
        public Path file(String requiredFile) {
            Path p = files.get(requiredFile);
            if (p == null) {
                throw new IllegalArgumentException(spec.name() + " has no required file " + requiredFile
                        + "; it has " + spec.requiredFiles());
            }
            return p;
        }
    }

    /** Resolves without an explicit path. */
    public Resolved resolve(DatasetSpec spec) {
        return resolve(spec, null);
    }

    /**
     * @param spec     the dataset
     * @param explicit a folder holding the files (or the data root), or for a one-file dataset the file;
     *                 {@code null} to skip this step
     * @return where the files are
     * @throws DatasetException listing every place tried when the files are nowhere and cannot be downloaded,
     *                          or when an explicit path is given but does not hold the files
     */
    public Resolved resolve(DatasetSpec spec, Path explicit) {
        List<String> tried = new ArrayList<>();
        Optional<Resolved> local = findLocal(spec, explicit, tried);
        if (local.isPresent()) {
            return local.get();
        }
        Path target = cacheDir.resolve(spec.folder());
        if (offline) {
            tried.add("download: disabled (" + OFFLINE_PROPERTY + "=true or " + OFFLINE_ENV + ")");
        } else if (spec.downloads().isEmpty()) {
            tried.add("download: no download URL registered");
        } else {
            try {
                download(spec, target);
                Optional<Resolved> got = lookIn(spec, target, "download into " + target, tried);
                if (got.isPresent()) {
                    return got.get();
                }
            } catch (DatasetException e) {
                tried.add("download into " + target + ": " + e.getMessage());
            }
        }
        throw notFound(spec, tried);
    }

    /**
     * Looks for the files locally (steps 1-4), unpacking a locally found archive into the cache if needed.
     *
     * @param spec     the dataset
     * @param explicit an explicit path or {@code null}
     * @return where the files are, or empty when a download would be needed
     */
    public Optional<Resolved> findLocal(DatasetSpec spec, Path explicit) {
        return findLocal(spec, explicit, new ArrayList<>());
    }

    private Optional<Resolved> findLocal(DatasetSpec spec, Path explicit, List<String> tried) {
        if (explicit != null) {
            return Optional.of(resolveExplicit(spec, explicit));
        }
        tried.add("explicit path: none given");
        if (dataRoot != null) {
            Optional<Resolved> r = lookIn(spec, dataRoot.resolve(spec.folder()), dataRootOrigin, tried);
            if (r.isPresent()) {
                return r;
            }
        } else {
            tried.add("data root: neither system property " + DATA_PROPERTY + " nor environment variable " + DATA_ENV + " is set");
        }
        Optional<Resolved> cached = lookIn(spec, cacheDir.resolve(spec.folder()), "cache", tried);
        if (cached.isPresent()) {
            return cached;
        }
        if (useSystemLocations) {
            for (Path p : spec.systemLocations()) {
                Optional<Resolved> r = lookIn(spec, p, "system location", tried);
                if (r.isPresent()) {
                    return r;
                }
            }
        }
        return Optional.empty();
    }

    private Resolved resolveExplicit(DatasetSpec spec, Path explicit) {
        List<String> tried = new ArrayList<>();
        if (Files.isRegularFile(explicit)) {
            if (spec.requiredFiles().size() == 1) {
                return new Resolved(spec, Map.of(spec.requiredFiles().get(0), explicit), "explicit path " + explicit);
            }
            throw new DatasetException("Explicit path " + explicit + " for dataset '" + spec.name()
                    + "' is a file; expected a folder holding " + String.join(", ", spec.requiredFiles()));
        }
        Optional<Resolved> r = lookIn(spec, explicit, "explicit path", tried);
        if (r.isEmpty()) {
            r = lookIn(spec, explicit.resolve(spec.folder()), "explicit path", tried);
        }
        return r.orElseThrow(() -> new DatasetException("Explicit path for dataset '" + spec.name()
                + "' does not hold its files:\n  - " + String.join("\n  - ", tried)));
    }

    /**
     * Checks one folder. If the required files are missing but a registered archive is there, it is
     * unpacked into the cache and the cache is checked.
     */
    private Optional<Resolved> lookIn(DatasetSpec spec, Path dir, String origin, List<String> tried) {
        String where = origin + " " + dir;
        if (!Files.isDirectory(dir)) {
            tried.add(where + ": no such folder");
            return Optional.empty();
        }
        Map<String, Path> found = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (String required : spec.requiredFiles()) {
            Optional<Path> p = locate(dir, required);
            if (p.isPresent()) {
                found.put(required, p.get());
            } else {
                missing.add(required);
            }
        }
        if (missing.isEmpty()) {
            return Optional.of(new Resolved(spec, found, where));
        }
        for (DatasetFile archive : spec.downloads()) {
            Path a = dir.resolve(archive.name());
            if (archive.unpack() && Files.isRegularFile(a)) {
                Path target = cacheDir.resolve(spec.folder());
                unpack(a, target);
                Optional<Resolved> r = lookIn(spec, target, "cache (unpacked from " + a + ")", tried);
                if (r.isPresent()) {
                    return r;
                }
            }
        }
        tried.add(where + ": missing " + String.join(", ", missing));
        return Optional.empty();
    }

    /** A required file may sit in its sub-folder or directly in the folder, and a .gz file may be unpacked. */
    private static Optional<Path> locate(Path dir, String required) {
        List<String> names = new ArrayList<>();
        names.add(required);
        String base = required.contains("/") ? required.substring(required.lastIndexOf('/') + 1) : required;
        names.add(base);
        if (required.endsWith(".gz")) {
            names.add(required.substring(0, required.length() - 3));
            names.add(base.substring(0, base.length() - 3));
        }
        for (String n : names) {
            Path p = dir.resolve(n);
            if (Files.isRegularFile(p) && Files.isReadable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private void download(DatasetSpec spec, Path target) {
        CheckedDownload downloader = new CheckedDownload(downloadLimits);
        for (DatasetFile f : spec.downloads()) {
            Path file = target.resolve(f.name());
            downloader.fetch(f, file);
            if (f.unpack()) {
                unpack(file, target);
                try {
                    Files.deleteIfExists(file); // the unpacked files are what the readers use
                } catch (IOException ignored) {
                    // keeping the archive is harmless
                }
            }
        }
    }

    private static void unpack(Path archive, Path target) {
        try {
            Files.createDirectories(target);
            // ND4J's ArchiveUtils unpacks .tar.gz by file name, but only writes files into folders that exist,
            // and an archive need not list its folders: create each entry's parent folder first.
            Path root = target.toAbsolutePath().normalize();
            for (String entry : ArchiveUtils.tarGzListFiles(archive.toFile())) {
                Path out = root.resolve(entry).normalize();
                if (!out.startsWith(root)) {
                    throw new DatasetException("Archive " + archive + " has an entry outside its folder: " + entry);
                }
                Files.createDirectories(entry.endsWith("/") ? out : out.getParent());
            }
            ArchiveUtils.unzipFileTo(archive.toString(), target.toString(), false);
        } catch (DatasetException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new DatasetException("Could not unpack archive " + archive + " into " + target + ": " + e.getMessage(), e);
        }
    }

    private DatasetException notFound(DatasetSpec spec, List<String> tried) {
        StringBuilder sb = new StringBuilder();
        sb.append("Dataset '").append(spec.name()).append("' was not found. Looked in:\n");
        for (String t : tried) {
            sb.append("  - ").append(t).append('\n');
        }
        sb.append("To provide it, put ").append(String.join(", ", spec.requiredFiles()))
                .append(" into one of:\n")
                .append("  - $").append(DATA_ENV).append("/").append(spec.folder())
                .append("/ (or -D").append(DATA_PROPERTY).append("=<root>, with the files in <root>/").append(spec.folder()).append("/)\n")
                .append("  - ").append(cacheDir.resolve(spec.folder())).append("/\n");
        if (!spec.downloads().isEmpty()) {
            sb.append("or allow downloads (").append(OFFLINE_PROPERTY).append(" not true) from:\n");
            for (DatasetFile f : spec.downloads()) {
                sb.append("  - ").append(f.url()).append('\n');
            }
        }
        if (!spec.hint().isEmpty()) {
            sb.append(spec.hint()).append('\n');
        }
        return new DatasetException(sb.toString().stripTrailing());
    }

    /**
     * Checks a local file against its registered sums: the SHA-256 of its bytes, or, when a content sum is
     * registered, of its decompressed bytes (so a re-compressed or gunzipped copy also passes).
     *
     * @param file     the file on disk
     * @param expected its registry entry
     * @throws DatasetException naming the file and both sums when neither matches
     */
    public static void verify(Path file, DatasetFile expected) {
        try {
            String actual = Checksums.sha256(file);
            if (actual.equals(expected.sha256())) {
                return;
            }
            if (expected.contentSha256() != null) {
                String content = Checksums.contentSha256(file);
                if (content.equals(expected.contentSha256())) {
                    return;
                }
                throw new DatasetException("SHA-256 mismatch for " + file + " (" + expected.name() + "): expected "
                        + expected.sha256() + " (file) or " + expected.contentSha256() + " (decompressed content), got "
                        + actual + " (file) and " + content + " (content)");
            }
            throw new DatasetException("SHA-256 mismatch for " + file + " (" + expected.name() + "): expected "
                    + expected.sha256() + ", got " + actual);
        } catch (IOException e) {
            throw new DatasetException("Could not read " + file + " to check its SHA-256: " + e, e);
        }
    }

    /** Configures a {@link DataResolver}. */
    public static final class Builder {
        private Path dataRoot;
        private String dataRootOrigin = "data root";
        private Path cacheDir = Path.of(System.getProperty("user.home"), ".genai4j", "datasets");
        private boolean useSystemLocations = true;
        private boolean offline;
        private Duration timeout = CheckedDownload.Limits.defaults().connect();
        private Duration deadline = CheckedDownload.Limits.defaults().deadline();

        private Builder() {
        }

        /** Sets the data root (step 2); {@code origin} says where it came from, for messages. */
        public Builder dataRoot(Path root, String origin) {
            this.dataRoot = root;
            this.dataRootOrigin = origin == null ? "data root" : origin;
            return this;
        }

        /** Sets the cache folder (step 3 and the download target). */
        public Builder cacheDir(Path dir) {
            this.cacheDir = dir;
            return this;
        }

        /** Turns the system locations (step 4) on or off. */
        public Builder useSystemLocations(boolean use) {
            this.useSystemLocations = use;
            return this;
        }

        /** Disables (true) or enables downloads (step 5). */
        public Builder offline(boolean off) {
            this.offline = off;
            return this;
        }

        /** Sets the connect timeout of downloads; the wait for the next bytes may be twice as long. */
        public Builder timeout(Duration t) {
            this.timeout = t;
            return this;
        }

        /** Sets the longest a whole download may take (default 2 hours). */
        public Builder downloadDeadline(Duration d) {
            this.deadline = d;
            return this;
        }

        /** @return the resolver */
        public DataResolver build() {
            if (cacheDir == null) {
                throw new IllegalArgumentException("cacheDir must not be null");
            }
            return new DataResolver(this);
        }
    }

    @Override
    public String toString() {
        return "DataResolver[dataRoot=" + dataRoot + ", cache=" + cacheDir + ", systemLocations=" + useSystemLocations
                + ", offline=" + offline + "]";
    }
}
