package io.gptedit.core.remote;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.editor.EditException;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.core.geometry.AspectPreset;
import io.gptedit.core.geometry.PadCropPlan;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.RgbImage;
import java.util.Map;

/**
 * An {@link ImageEditor} over an {@link ImageEditService} that only renders the three GPT-Image-1 sizes: the
 * paper's procedure for any input size. The input is padded (never resized) to its nearest preset (or
 * {@link EditOptions#targetPreset()}), edited at that preset's native size, and the content region is cropped
 * and resized back to the input's size, so the output always has the input's size.
 *
 * <p>Service failures become {@link EditException}s that keep {@link RemoteException#retryable()}.
 *
 * @since 0.1
 */
public final class PadCropEditor implements ImageEditor {
  private final ImageEditService service;
  private final String name;
  private final int padColor;

  /**
   * Wraps a service.
   *
   * @param service the edit service (an {@link OpenAiClient}, a stand-in, ...)
   * @param name the editor's name for reports and output folders
   * @param padColor the padding colour, {@code 0xRRGGBB} (the paper pads with white)
   */
  public PadCropEditor(ImageEditService service, String name, int padColor) {
    this.service = requireNonNull(service, "service");
    this.name = requireNonNull(name, "name");
    this.padColor = padColor;
  }

  @Override
  public RgbImage edit(RgbImage input, String instruction, EditOptions options) {
    AspectPreset preset =
        options.targetPreset().orElse(AspectPreset.nearest(input.width(), input.height()));
    PadCropPlan plan = PadCropPlan.forSize(input.width(), input.height(), preset, padColor);
    Size generation = preset.generationSize();
    GeneratedImage generated;
    try {
      generated =
          service.edit(new ImageEditRequest(plan.pad(input), instruction, generation, Map.copyOf(options.extra())));
    } catch (RemoteException e) {
      throw new EditException(name + ": " + e.getMessage(), e.retryable(), e);
    }
    RgbImage out = generated.image();
    if (out.width() != generation.width() || out.height() != generation.height()) {
      throw new EditException(
          name + ": service returned " + out.width() + "x" + out.height() + ", asked for " + generation, true);
    }
    return plan.cropToOriginal(out);
  }

  @Override
  public String name() {
    return name;
  }
}
