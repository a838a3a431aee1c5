package org.genai4j.common.train;

/**
 * What a family's {@code train} returns, the same for every family: the trained model, how many
 * steps this call ran (a resumed run counts only its own), the wall time, the throughput (tokens
 * or images per second) and the last record the listeners saw.
 *
 * @param <M> the model's type
 */
public record TrainingResult<M>(M model, long steps, double seconds, double unitsPerSecond, StepRecord last) {}
