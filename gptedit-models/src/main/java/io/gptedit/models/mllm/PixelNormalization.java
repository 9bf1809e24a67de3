package io.gptedit.models.mllm;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The rescale-and-normalise step of transformers' image processors: {@code (v * rescale - mean[c]) / std[c]} on
 * 8-bit values, computed in double and stored as float as the numpy path does.
 *
 * @param rescale the rescale factor (1/255), or 1 when the processor does not rescale
 * @param mean per-channel means (0 when the processor does not normalise)
 * @param std per-channel standard deviations (1 when the processor does not normalise)
 */
record PixelNormalization(double rescale, float[] mean, float[] std) {
  PixelNormalization {
    checkArgument(mean.length == 3 && std.length == 3, "mean and std need 3 channels");
    for (float s : std) {
      checkArgument(s > 0, "std must be positive");
    }
    mean = mean.clone();
    std = std.clone();
  }

  static PixelNormalization read(PreprocessorJson j, float[] defaultMean, float[] defaultStd) {
    double rescale = j.bool("do_rescale", true) ? j.number("rescale_factor", 1.0 / 255) : 1.0;
    boolean normalize = j.bool("do_normalize", true);
    float[] mean = normalize ? j.channels("image_mean", defaultMean) : new float[3];
    float[] std = normalize ? j.channels("image_std", defaultStd) : new float[] {1, 1, 1};
    try {
      return new PixelNormalization(rescale, mean, std);
    } catch (IllegalArgumentException e) {
      throw j.error(e.getMessage());
    }
  }

  /** Channel-first floats of interleaved RGB bytes. */
  float[] chw(byte[] rgb, int width, int height) {
    int n = width * height;
    float[] out = new float[3 * n];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 3; c++) {
        float v = (float) ((rgb[i * 3 + c] & 0xFF) * rescale);
        out[c * n + i] = (v - mean[c]) / std[c];
      }
    }
    return out;
  }
}
