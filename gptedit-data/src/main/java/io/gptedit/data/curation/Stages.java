package io.gptedit.data.curation;

import static java.util.Objects.requireNonNull;

import com.google.common.hash.Hashing;
import io.gptedit.core.geometry.AspectPreset;
import io.gptedit.core.geometry.PadCropPlan;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.instruction.EditInstruction;
import io.gptedit.core.quality.PaddingMaskCheck;
import io.gptedit.core.quality.QualityVerdict;
import io.gptedit.core.quality.RejectCode;
import io.gptedit.core.quality.RejectReason;
import io.gptedit.core.quality.ResidualPaddingCheck;
import io.gptedit.core.remote.ChatService;
import io.gptedit.core.remote.GeneratedImage;
import io.gptedit.core.remote.ImageEditRequest;
import io.gptedit.core.remote.ImageEditService;
import io.gptedit.core.remote.ImageGenerationRequest;
import io.gptedit.core.remote.ImageGenerationService;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The pipeline's stages as plain functions over values, so the same steps can run on another engine.
 * {@link CurationPipeline} strings them together with retries, the ledger and the shard writer.
 *
 * @since 0.1
 */
public final class Stages {
  private Stages() {}

  /**
   * The input padded for generation.
   *
   * @param plan the pad/crop plan (white padding to the nearest preset)
   * @param canvas the padded input
   */
  public record Padded(PadCropPlan plan, RgbImage canvas) {}

  /**
   * Pads an input with white to the nearest preset (never resizing it).
   *
   * @param input the input
   * @return the plan and the canvas
   */
  public static Padded pad(RgbImage input) {
    PadCropPlan plan = PadCropPlan.forImage(input);
    return new Padded(plan, plan.pad(input));
  }

  /**
   * Asks the editor to render the edit of a padded input at a generation size.
   *
   * @param service the image-edit service
   * @param padded the padded input
   * @param prompt the instruction
   * @param generation the output size (must have the canvas's ratio)
   * @return the generated image
   */
  public static GeneratedImage regenerate(ImageEditService service, Padded padded, String prompt, Size generation) {
    return service.edit(ImageEditRequest.of(padded.canvas(), prompt, generation));
  }

  /**
   * Makes a new input from text (the HQ-Edit generate split).
   *
   * @param service the generation service
   * @param description the input's description
   * @param size the size to render
   * @return the generated image
   */
  public static GeneratedImage generateInput(ImageGenerationService service, String description, Size size) {
    return service.generate(ImageGenerationRequest.of(description, size));
  }

  /**
   * Runs both quality checks on a generated canvas, in the paper's order: the residual-padding check on the crop
   * at the generation resolution, then the padding-mask check on the whole canvas (with the crop box the plan
   * gives at its size as the recorded one). The verdict lists the reasons in that order; the first one is the
   * sample's reject reason in the ledger.
   *
   * @param generated the generated canvas
   * @param plan the plan
   * @param generation the requested generation size
   * @param residual the residual-padding check
   * @param mask the padding-mask check
   * @return the combined verdict
   */
  public static QualityVerdict check(
      RgbImage generated, PadCropPlan plan, Size generation, ResidualPaddingCheck residual, PaddingMaskCheck mask) {
    Size actual = new Size(generated.width(), generated.height());
    if (!actual.equals(generation) || !generation.sameRatioAs(plan.canvas())) {
      return new QualityVerdict(List.of(RejectReason.of(
          RejectCode.GENERATION_SIZE_MISMATCH,
          "generated " + actual + " for a request of " + generation + " on canvas " + plan.canvas())));
    }
    QualityVerdict v = residual.check(plan.crop(generated), plan);
    return v.and(mask.check(generated, plan, generation, plan.cropBoxAt(generation)));
  }

  /**
   * Crops the padding away and resizes back to the input's size.
   *
   * @param generated the generated canvas
   * @param plan the plan
   * @return the output at the input's size
   */
  public static RgbImage crop(RgbImage generated, PadCropPlan plan) {
    return plan.cropToOriginal(generated);
  }

  /**
   * Rewrites an instruction to match the regenerated output.
   *
   * @param chat the chat service
   * @param model the chat model
   * @param instruction the instruction
   * @param input the input image
   * @param output the regenerated output
   * @return the instruction with its rewrite
   */
  public static EditInstruction rewrite(
      ChatService chat, String model, EditInstruction instruction, RgbImage input, RgbImage output) {
    String text = ChatPrompts.instruction(chat.complete(ChatPrompts.rewrite(model, instruction.original(), input, output)));
    return instruction.withRewrite(text);
  }

  /**
   * Builds a C3 instruction (the Complex-Edit recipe): three atomic edits proposed for the image, fused into one.
   *
   * @param chat the chat service
   * @param model the chat model
   * @param input the image
   * @return the composed instruction with its three steps
   */
  public static EditInstruction composeC3(ChatService chat, String model, RgbImage input) {
    List<String> steps = ChatPrompts.lines(chat.complete(ChatPrompts.propose(model, input, 3)), 3);
    String fused = ChatPrompts.instruction(chat.complete(ChatPrompts.compose(model, steps)));
    return EditInstruction.composed(fused, steps);
  }

  /**
   * Decides by hashing whether a sample is selected for an optional stage: the first 8 bytes of
   * {@code murmur3_128(salt + ":" + id)} as an unsigned fraction of 2^64, compared with {@code fraction}.
   *
   * @param id the sample id
   * @param salt the stage name, so stages select independently
   * @param fraction the share to select, 0 to 1
   * @return whether the sample is selected
   */
  public static boolean selected(String id, String salt, double fraction) {
    requireNonNull(id, "id");
    if (fraction <= 0) {
      return false;
    }
    if (fraction >= 1) {
      return true;
    }
    long h = Hashing.murmur3_128().hashString(salt + ":" + id, StandardCharsets.UTF_8).asLong();
    double u = (h >>> 11) * 0x1.0p-53;
    return u < fraction;
  }

  /**
   * Picks the preset of a generated input by hashing the id (uniform over the three presets).
   *
   * @param id the sample id
   * @return the preset
   */
  public static AspectPreset presetFor(String id) {
    int h = Hashing.murmur3_128().hashString("preset:" + id, StandardCharsets.UTF_8).asInt();
    return AspectPreset.values()[Math.floorMod(h, 3)];
  }
}
