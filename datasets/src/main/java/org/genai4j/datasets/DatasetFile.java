package org.genai4j.datasets;

import java.util.Locale;
import java.util.Objects;

/**
 * One downloadable file of a dataset.
 *
 * @param name          the file name on disk (e.g. {@code train-images-idx3-ubyte.gz})
 * @param url           the canonical download URL (http, https or file)
 * @param sha256        lower-case hex SHA-256 of the bytes served at {@code url}, checked after every download
 * @param contentSha256 for a {@code .gz} file, the SHA-256 of its decompressed bytes, or {@code null} when not
 *                      recorded; a re-compressed copy (such as Debian's) has other bytes but the same content
 * @param unpack        true when the file is an archive (tar.gz) to unpack after download
 * @param provenance    where the sums were taken from, so a reader can judge them
 */
public record DatasetFile(String name, String url, String sha256, String contentSha256, boolean unpack,
                          String provenance) {

    public DatasetFile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(sha256, "sha256");
        sha256 = checkHex(name, sha256);
        if (contentSha256 != null) {
            contentSha256 = checkHex(name, contentSha256);
        }
        provenance = provenance == null ? "" : provenance;
    }

    /** A plain file (not an archive) without a recorded content sum. */
    public static DatasetFile of(String name, String url, String sha256, String provenance) {
        return new DatasetFile(name, url, sha256, null, false, provenance);
    }

    private static String checkHex(String name, String hex) {
        String h = hex.toLowerCase(Locale.ROOT);
        if (!h.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("SHA-256 of " + name + " must be 64 hex digits, got '" + hex + "'");
        }
        return h;
    }
}
