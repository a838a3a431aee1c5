package org.genai4j.samples.tutorial;

import java.nio.file.Path;
import java.util.List;
import org.genai4j.common.train.TrainingListener;
import org.genai4j.common.train.TrainingResult;
import org.genai4j.datasets.TextCorpus;
import org.genai4j.llm.GptTrainOptions;
import org.genai4j.llm.GptTraining;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.model.GptConfig;

/**
 * The character GPT the LLM chapters train on Tiny Shakespeare: nanoGPT's CPU model (4 layers, 4
 * heads, width 128, block 64, batch 12) in the full mode, a 2-layer, width-64, block-32 one in the
 * fast mode; AdamW with warmup and cosine decay as {@link GptTrainOptions#reference()}.
 */
final class SmallGpt {
  private SmallGpt() {}

  static TextCorpus corpus(ChapterRun run) {
    return run.text("tinyshakespeare");
  }

  static GptConfig config(ChapterRun run) {
    return run.fast() ? GptConfig.of(65, 2, 2, 64, 32) : GptConfig.reference();
  }

  /** {@code iters} steps with the reference recipe, no progress bar, evaluation only at the end, no run folder. */
  static GptTrainOptions options(ChapterRun run, int iters) {
    return GptTrainOptions.reference().withBatch(run.fast() ? 8 : 12, 1).withIters(iters)
        .withLr(1e-3, 1e-4, Math.min(100, iters / 10)).withEval(0, run.fast() ? 4 : 20)
        .withThreads(run.shards()).withProgressBar(!run.fast()); // a bar for the reader, none in the tests
  }

  static TrainingResult<LlmModel> train(ChapterRun run, String train, String val, GptConfig config,
      GptTrainOptions options, TrainingListener... listeners) {
    return GptTraining.train(train, val, config, options, List.of(listeners));
  }

  /** Trains the chapter's model into {@code dir} (a run folder) and returns it as it is after the last step. */
  static LlmModel trainInto(ChapterRun run, Path dir, int iters) {
    TextCorpus corpus = corpus(run);
    return train(run, corpus.train(), corpus.validation(), config(run), options(run, iters).withOut(dir)).model();
  }
}
