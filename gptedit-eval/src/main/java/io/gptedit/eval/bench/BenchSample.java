package io.gptedit.eval.bench;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableSet;
import java.nio.file.Path;
import java.util.Set;

/**
 * One benchmark sample: an input image and an instruction, with what the aggregation needs to group it.
 *
 * @param key the sample key, unique within its benchmark subset; used in output file names
 * @param category the task type or family ({@code all} for Complex-Edit)
 * @param instruction the instruction as the benchmark gives it
 * @param input the input image file
 * @param tags subset tags: the language ({@code en}/{@code cn}) and {@code intersection} for GEdit
 * @since 0.1
 */
public record BenchSample(String key, String category, String instruction, Path input, Set<String> tags) {
  /** Validates the sample. */
  public BenchSample {
    requireNonNull(key, "key");
    checkArgument(!key.isBlank() && !key.contains("/") && !key.contains("\\") && !key.contains(".."),
        "sample key must be a plain file name, got '%s'", key);
    requireNonNull(category, "category");
    requireNonNull(instruction, "instruction");
    requireNonNull(input, "input");
    tags = ImmutableSet.copyOf(requireNonNull(tags, "tags"));
  }

  /**
   * Returns the GEdit language tag, {@code en} or {@code cn}, if the sample has one.
   *
   * @return the language, or an empty string
   */
  public String language() {
    return tags.contains("en") ? "en" : tags.contains("cn") ? "cn" : "";
  }

  /**
   * Returns whether the sample is in GEdit's intersection subset.
   *
   * @return {@code true} if tagged {@code intersection}
   */
  public boolean intersection() {
    return tags.contains("intersection");
  }
}
