package io.gptedit.data.curation;

/**
 * How a source sample becomes a curated one.
 *
 * @since 0.1
 */
public enum Recipe {
  /**
   * Pad the input with white to the nearest preset, edit at the preset's generation size, crop the padding away
   * and resize back to the input size (OmniEdit, HQ-Edit edit split; UltraEdit's 512x512 inputs are square, so
   * this is "regenerate at 1024, bicubic down to 512").
   */
  REGENERATE,
  /**
   * Make a new input from the sample's input description at a preset chosen by hashing the id, then edit it at
   * the same size (HQ-Edit generate split).
   */
  GENERATE
}
