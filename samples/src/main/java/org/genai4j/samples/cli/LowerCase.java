package org.genai4j.samples.cli;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;

/** Reads a word-valued option (--tokenizer, --arch, --split) in any case, like picocli's enum options. */
public final class LowerCase implements ITypeConverter<String> {
  @Override
  public String convert(String value) {
    return value.strip().toLowerCase(Locale.ROOT);
  }
}
