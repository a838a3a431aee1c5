package org.genai4j.samples.examples;

import java.nio.file.Path;
import org.genai4j.datasets.Datasets;
import org.genai4j.datasets.TextCorpus;
import org.genai4j.llm.GptTrainOptions;
import org.genai4j.llm.GptTraining;
import org.genai4j.llm.LlmEvaluation;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.TextGeneration;
import org.genai4j.llm.generate.GenerationOptions;
import org.genai4j.llm.model.GptConfig;

/**
 * A character-level GPT on Tiny Shakespeare, as a library user writes it: train, evaluate,
 * generate. Run: {@code java -cp ... org.genai4j.samples.examples.GptExample [iters] [outDir]}.
 */
public final class GptExample {
  private GptExample() {}

  public static void main(String[] args) {
    int iters = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    Path out = Path.of(args.length > 1 ? args[1] : "runs/gpt-example");

    TextCorpus corpus = Datasets.text("tinyshakespeare"); // last 10 % is the validation split
    GptConfig config = GptConfig.reference(); // nanoGPT's CPU model: 4 layers, 4 heads, width 128, block 64
    GptTrainOptions options = GptTrainOptions.reference(out).withIters(iters); // batch 12, AdamW, cosine decay
    GptTraining.train(corpus.train(), corpus.validation(), config, options);

    LlmModel model = LlmModel.load(out); // the best checkpoint by validation loss
    System.out.println(LlmEvaluation.evaluate(model, corpus.validation(), 200, 1).format("val"));

    GenerationOptions sampling = GenerationOptions.defaults().withMaxTokens(300).withTemperature(0.8).withTopK(40);
    TextGeneration.generate(model, "ROMEO:", sampling, System.out::print);
    System.out.println();
  }
}
