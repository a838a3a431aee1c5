package org.genai4j.datasets;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What a named dataset consists of and where it may be found.
 *
 * @param name            the registry name (e.g. {@code fashion-mnist})
 * @param kind            images or text
 * @param folder          the sub-folder under a data root or the cache (e.g. {@code fashion-mnist}, {@code text})
 * @param requiredFiles   the files a reader needs, relative to the folder; a {@code .gz} file may also be
 *                        present uncompressed, and a file in a sub-folder may also sit directly in the folder
 * @param downloads       the files to download when nothing local is found; archives are unpacked
 * @param systemLocations folders where an operating-system package installs the files
 * @param classNames      for image datasets, one name per class; empty for text
 * @param hint            an extra line telling a user how to obtain the files (may be empty)
 */
public record DatasetSpec(String name, Kind kind, String folder, List<String> requiredFiles,
                          List<DatasetFile> downloads, List<Path> systemLocations, List<String> classNames,
                          String hint) {

    /** What a reader makes of the dataset. */
    public enum Kind {
        /** Labelled images, read into {@link ImageData}. */
        IMAGES,
        /** A UTF-8 text corpus, read into {@link TextCorpus}. */
        TEXT,
        /** A UTF-8 file of {@code label<TAB>text} lines, for classification ({@link Datasets#labeledTextFile}). */
        LABELED_TEXT,
        /** A JSON array of instruction records ({@code instruction}, {@code input}, {@code output}, and for
         *  preference tuning {@code chosen} and {@code rejected}), for {@link Datasets#instructionFile}. */
        INSTRUCTIONS
    }

    public DatasetSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(folder, "folder");
        requiredFiles = List.copyOf(requiredFiles);
        downloads = List.copyOf(downloads);
        systemLocations = List.copyOf(systemLocations);
        classNames = List.copyOf(classNames);
        hint = hint == null ? "" : hint;
        if (requiredFiles.isEmpty()) {
            throw new IllegalArgumentException("dataset " + name + " must name at least one required file");
        }
    }
}
