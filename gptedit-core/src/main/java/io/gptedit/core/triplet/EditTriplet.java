package io.gptedit.core.triplet;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.gptedit.core.image.RgbImage;
import io.gptedit.core.instruction.EditInstruction;
import io.gptedit.core.metadata.SampleId;
import io.gptedit.core.metadata.SampleMetadata;

/**
 * One training or evaluation sample: an input image, an instruction and the edited image, with its metadata.
 *
 * @param id the sample key, a valid {@link SampleId}
 * @param input the image before the edit
 * @param instruction the edit instruction
 * @param edited the image after the edit
 * @param metadata the per-sample record; its id must equal {@code id}
 * @since 0.1
 */
public record EditTriplet(
    String id, RgbImage input, EditInstruction instruction, RgbImage edited, SampleMetadata metadata) {

  /**
   * Validates the triplet.
   *
   * @throws IllegalArgumentException if the id is not a valid {@link SampleId} or disagrees with the metadata's
   */
  public EditTriplet {
    SampleId.check(id);
    requireNonNull(input, "input");
    requireNonNull(instruction, "instruction");
    requireNonNull(edited, "edited");
    requireNonNull(metadata, "metadata");
    checkArgument(
        metadata.id().equals(id), "triplet id '%s' differs from metadata id '%s'", id, metadata.id());
  }
}
