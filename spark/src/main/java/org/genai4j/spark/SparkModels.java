package org.genai4j.spark;

import org.genai4j.common.ops.Params;
import org.genai4j.common.train.Trainable;
import org.genai4j.gan.Dcgan;
import org.genai4j.gan.DcganConfig;
import org.genai4j.gan.DcganTrainable;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.model.GptTrainable;
import org.genai4j.vae.Vae;
import org.genai4j.vae.VaeConfig;
import org.genai4j.vae.VaeTrainable;

/** How executors rebuild each of genai4j's families from its configuration JSON. */
public final class SparkModels {
  private SparkModels() {}

  /** The GPT ({@link GptTrainable}). */
  public static TrainableFactory gpt() {
    return json -> new GptTrainable(new Gpt(GptConfig.fromJson(json), Params.forLoading()));
  }

  /** The VAE ({@link VaeTrainable}). */
  public static TrainableFactory vae() {
    return json -> new VaeTrainable(new Vae(VaeConfig.fromJson(json, "the driver's VAE configuration"),
        Params.forLoading()));
  }

  /** The DCGAN ({@link DcganTrainable}: groups D then G). */
  public static TrainableFactory dcgan() {
    return json -> new DcganTrainable(new Dcgan(DcganConfig.fromJson(json), Params.forLoading()));
  }

  /** The factory for the model {@code model} is, by its class; a one-line error for a model of another kind. */
  public static TrainableFactory of(Trainable model) {
    if (model instanceof GptTrainable) {
      return gpt();
    }
    if (model instanceof VaeTrainable) {
      return vae();
    }
    if (model instanceof DcganTrainable) {
      return dcgan();
    }
    throw new IllegalArgumentException("no Spark factory for a " + model.getClass().getSimpleName()
        + "; pass a TrainableFactory that rebuilds it from its configJson()");
  }
}
