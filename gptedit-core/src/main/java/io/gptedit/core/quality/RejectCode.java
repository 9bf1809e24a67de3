package io.gptedit.core.quality;

/**
 * Why a quality check rejected a sample.
 *
 * @since 0.1
 */
public enum RejectCode {
  /** The cropped output still shows padding along a padded side, beyond the allowed fraction. */
  RESIDUAL_PADDING,
  /** The padding band visible in the generated canvas differs from the recorded padding. */
  PADDING_MASK_MISMATCH,
  /** The recorded crop box is not the one the pad/crop plan gives at the recorded generation size. */
  CROP_BOX_MISMATCH,
  /** The generated image's size differs from the recorded generation resolution or its ratio. */
  GENERATION_SIZE_MISMATCH
}
