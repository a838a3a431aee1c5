/**
 * Variational autoencoders in SameDiff on the genai4j harness.
 *
 * <p>{@link org.genai4j.vae.VaeConfig} describes the model (MLP or convolutional, Bernoulli or
 * Gaussian likelihood, beta, KL warm-up); {@link org.genai4j.vae.VaeTraining#train} trains one on
 * image arrays {@code [N, C, H, W]} and writes a run directory; {@link org.genai4j.vae.Vae#load}
 * reads it back; {@link org.genai4j.vae.VaeEvaluation#evaluate} gives the test negative ELBO and
 * the importance-weighted NLL bound; {@link org.genai4j.vae.Vae#sample}, {@link
 * org.genai4j.vae.VaePictures} writes pictures (samples go to IDX files with common's IdxImageWriter);
 * {@link org.genai4j.vae.VaeBench} measures training throughput.
 */
package org.genai4j.vae;
