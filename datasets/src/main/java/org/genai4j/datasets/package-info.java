/**
 * Datasets for genai4j: a registry of named datasets with canonical URLs and SHA-256 sums
 * ({@link org.genai4j.datasets.DatasetRegistry}), local resolution and checked download
 * ({@link org.genai4j.datasets.DataResolver}), readers for IDX, CIFAR-10 binary, image folders and UTF-8 text,
 * synthetic datasets made in code ({@link org.genai4j.datasets.SyntheticShapes},
 * {@link org.genai4j.datasets.MarkovText}), and DL4J iterators over images
 * ({@link org.genai4j.datasets.ImageDataSetIterator}). Start at {@link org.genai4j.datasets.Datasets}.
 *
 * <p>Every failure is a {@link org.genai4j.datasets.DatasetException} whose message names the file or dataset
 * and what was expected.
 */
package org.genai4j.datasets;
