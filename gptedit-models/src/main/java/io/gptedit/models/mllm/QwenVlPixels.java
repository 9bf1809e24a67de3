package io.gptedit.models.mllm;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

/**
 * One image as Qwen2-VL's processor hands it to the model: the flattened patches ({@code pixel_values}, one row of
 * {@code 3 * temporalPatch * patch * patch} values per patch, in the 2x2-merge-block order) and its
 * {@code image_grid_thw}.
 *
 * @param pixelValues {@code patches() x patchDim} values, row-major
 * @param patchDim values per patch (1176 for patch 14, temporal patch 2)
 * @param gridT temporal patches (1 for an image)
 * @param gridH patch rows
 * @param gridW patch columns
 * @param mergeSize the spatial merge (2): {@code gridH * gridW / mergeSize^2} image tokens reach the LLM
 * @since 0.1
 */
public record QwenVlPixels(float[] pixelValues, int patchDim, int gridT, int gridH, int gridW, int mergeSize) {
  /**
   * Validates the sizes.
   *
   * @throws IllegalArgumentException if the values do not fill the grid or the grid is not a multiple of the merge
   */
  public QwenVlPixels {
    requireNonNull(pixelValues, "pixelValues");
    checkArgument(patchDim > 0 && gridT > 0 && gridH > 0 && gridW > 0 && mergeSize > 0, "sizes must be positive");
    checkArgument(gridH % mergeSize == 0 && gridW % mergeSize == 0, "grid %sx%s is not a multiple of the merge %s",
        gridH, gridW, mergeSize);
    checkArgument((long) gridT * gridH * gridW * patchDim == pixelValues.length,
        "%s values do not fill a %sx%sx%s grid of %s", pixelValues.length, gridT, gridH, gridW, patchDim);
  }

  /**
   * Returns the number of patches ({@code gridT * gridH * gridW}).
   *
   * @return patches
   */
  public int patches() {
    return gridT * gridH * gridW;
  }

  /**
   * Returns the number of {@code <|image_pad|>} tokens the prompt carries for this image.
   *
   * @return {@code patches() / mergeSize^2}
   */
  public int imageTokens() {
    return patches() / (mergeSize * mergeSize);
  }
}
