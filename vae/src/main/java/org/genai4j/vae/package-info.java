/**
 * Variational autoencoders written once from common's ops, trained on common's harness.
 *
 * <p>{@link org.genai4j.vae.VaeConfig} describes the model (MLP or convolutional, Bernoulli or
 * Gaussian likelihood, beta, KL warm-up); {@link org.genai4j.vae.VaeTraining#train} trains one on
 * image arrays {@code [N, C, H, W]} and writes a run folder; {@link org.genai4j.vae.Vae#load}
 * reads it back; {@link org.genai4j.vae.VaeEvaluation#evaluate} gives the test negative ELBO and
 * the importance-weighted NLL bound; {@link org.genai4j.vae.Vae#sample} draws images and {@link
 * org.genai4j.vae.VaePictures} writes reconstructions, samples, interpolations and the latent
 * manifold as PNG grids.
 */
package org.genai4j.vae;
