package io.gptedit.data.synthetic;

import io.gptedit.core.image.EditMask;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.instruction.EditInstruction;
import io.gptedit.core.metadata.SampleId;
import io.gptedit.core.metadata.SampleMetadata;
import io.gptedit.core.triplet.EditTriplet;
import java.util.List;

/**
 * One generated sample with exact ground truth: the scene before and after, the edit program, the instruction,
 * both renderings and the mask of pixels the edit changes.
 *
 * @param index the sample's index in its world
 * @param id the sample id, {@code syn-} and the zero-padded index
 * @param scene the scene before the edit
 * @param program the atomic edits, in order (1 to 3)
 * @param targetScene the scene after the edit
 * @param instruction the instruction text
 * @param steps one sentence per atomic edit
 * @param input the input rendering
 * @param target the exact target rendering
 * @param mask the pixels that differ between input and target
 * @since 0.1
 */
public record SyntheticSample(
    long index,
    String id,
    Scene scene,
    List<EditOp> program,
    Scene targetScene,
    String instruction,
    List<String> steps,
    RgbImage input,
    RgbImage target,
    EditMask mask) {

  /** The dataset name synthetic samples carry in their metadata. */
  public static final String DATASET = "synthetic";

  /** Validates the sample. */
  public SyntheticSample {
    SampleId.check(id);
    requireNonNull(scene, "scene");
    program = ImmutableList.copyOf(program);
    requireNonNull(targetScene, "targetScene");
    requireNonNull(instruction, "instruction");
    steps = ImmutableList.copyOf(steps);
    requireNonNull(input, "input");
    requireNonNull(target, "target");
    requireNonNull(mask, "mask");
    if (program.isEmpty() || program.size() != steps.size()) {
      throw new IllegalArgumentException("program and steps must be non-empty and of equal length");
    }
  }

  /**
   * Returns the task name metadata records: the edit's kind for one edit, {@code c2} or {@code c3} for chains.
   *
   * @return the task
   */
  public String task() {
    return program.size() == 1 ? program.get(0).task() : "c" + program.size();
  }

  /**
   * Returns the instruction as the SDK's value: plain for one edit, composed (with its atomic steps) for chains.
   *
   * @return the instruction
   */
  public EditInstruction editInstruction() {
    return program.size() == 1 ? EditInstruction.of(instruction) : EditInstruction.composed(instruction, steps);
  }

  /**
   * Returns the metadata record for the sample as a source triplet (before any curation).
   *
   * @return the metadata
   */
  public SampleMetadata metadata() {
    return SampleMetadata.builder(id, DATASET, editInstruction(), new Size(input.width(), input.height()))
        .optTask(task())
        .optSourceId(Long.toString(index))
        .optInputDescription(scene.describe())
        .optExtension(SyntheticTruth.EXTENSION, truth().toJson())
        .build();
  }

  /**
   * Returns the sample's exact ground truth (its scene and program), as its metadata carries it.
   *
   * @return the truth
   */
  public SyntheticTruth truth() {
    return new SyntheticTruth(scene, program);
  }

  /**
   * Returns the sample as an edit triplet with the exact target as the edited image.
   *
   * @return the triplet
   */
  public EditTriplet toTriplet() {
    return new EditTriplet(id, input, editInstruction(), target, metadata());
  }
}
