package io.gptedit.models.train;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.gptedit.core.image.EditMask;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.triplet.EditTriplet;

/**
 * One training example of an editor: input, instruction, target and, when the data knows it, the mask of the
 * pixels the edit changes (used by {@link FlowMatchingLoss#maskBalanced}).
 *
 * @param key the sample key (caches of frozen encodings are keyed by it)
 * @param input the input image
 * @param target the target image, the same size as the input
 * @param instruction the instruction
 * @param mask the edit mask at the images' size, or null when unknown
 * @since 0.1
 */
public record EditSample(String key, RgbImage input, RgbImage target, String instruction, EditMask mask) {
  /**
   * Validates the sizes.
   *
   * @throws IllegalArgumentException if the images or the mask differ in size
   */
  public EditSample {
    requireNonNull(key, "key");
    requireNonNull(input, "input");
    requireNonNull(target, "target");
    requireNonNull(instruction, "instruction");
    checkArgument(
        input.width() == target.width() && input.height() == target.height(),
        "sample %s: input is %sx%s but target is %sx%s",
        key,
        input.width(),
        input.height(),
        target.width(),
        target.height());
    checkArgument(
        mask == null || (mask.width() == input.width() && mask.height() == input.height()),
        "sample %s: the mask is not the images' size",
        key);
  }

  /**
   * Returns a curated triplet as an example (the edited image is the target; no mask).
   *
   * @param triplet the triplet
   * @return the example
   */
  public static EditSample of(EditTriplet triplet) {
    return new EditSample(
        triplet.id(), triplet.input(), triplet.edited(), triplet.instruction().text(), null);
  }

  /**
   * Returns a copy with a mask.
   *
   * @param editMask the mask at the images' size
   * @return the example
   */
  public EditSample withMask(EditMask editMask) {
    return new EditSample(key, input, target, instruction, editMask);
  }
}
