package io.gptedit.models.editor;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.gptedit.models.flow.TimeSchedule;

/**
 * How an editor samples: the number of Euler steps, the time schedule and the guidance, each a default that
 * {@link io.gptedit.core.editor.EditOptions} can override per call (steps, guidance scale, image guidance scale).
 *
 * @param steps default Euler steps
 * @param schedule the time schedule
 * @param guidance the guidance
 * @since 0.1
 */
public record SamplingConfig(int steps, TimeSchedule schedule, Guidance guidance) {
  /** Validates the config. */
  public SamplingConfig {
    checkArgument(steps >= 1, "steps must be >= 1, got %s", steps);
    requireNonNull(schedule, "schedule");
    requireNonNull(guidance, "guidance");
  }

  /** What guides the sampler towards the condition. */
  public enum GuidanceKind {
    /** One pass, no guidance (models trained without condition dropout, such as the lab's). */
    NONE,
    /** Flux's guidance embedding: the scale is an input of the transformer (FLUX.1-dev, Kontext-dev); one pass. */
    EMBEDDED,
    /**
     * InstructPix2Pix classifier-free guidance over a 3-way batch (prompt + image, negative + image, negative + no
     * image): {@code v = v_none + s_txt (v_full - v_img) + s_img (v_img - v_none)}.
     */
    INSTRUCT_PIX2PIX
  }

  /**
   * A guidance setting.
   *
   * @param kind the kind
   * @param scale the guidance scale (EMBEDDED) or text scale s_txt (INSTRUCT_PIX2PIX); unused for NONE
   * @param imageScale the image scale s_img (INSTRUCT_PIX2PIX only)
   */
  public record Guidance(GuidanceKind kind, double scale, double imageScale) {
    /** Validates the setting. */
    public Guidance {
      requireNonNull(kind, "kind");
      checkArgument(Double.isFinite(scale) && Double.isFinite(imageScale), "guidance scales must be finite");
    }

    /**
     * No guidance.
     *
     * @return the setting
     */
    public static Guidance none() {
      return new Guidance(GuidanceKind.NONE, 0, 0);
    }

    /**
     * Flux's embedded guidance.
     *
     * @param scale the default scale (3.5 in diffusers' Kontext pipeline and the paper's CLI)
     * @return the setting
     */
    public static Guidance embedded(double scale) {
      return new Guidance(GuidanceKind.EMBEDDED, scale, 0);
    }

    /**
     * InstructPix2Pix classifier-free guidance.
     *
     * @param textScale s_txt (7.0 in UltraEdit)
     * @param imageScale s_img (1.5 in UltraEdit)
     * @return the setting
     */
    public static Guidance instructPix2Pix(double textScale, double imageScale) {
      return new Guidance(GuidanceKind.INSTRUCT_PIX2PIX, textScale, imageScale);
    }
  }

  /**
   * FLUX.1 Kontext-dev's defaults: 28 steps (the paper's released CLI), BFL's schedule, embedded guidance 3.5.
   *
   * @return the config
   */
  public static SamplingConfig kontext() {
    return new SamplingConfig(28, TimeSchedule.BFL, Guidance.embedded(3.5));
  }

  /**
   * UltraEdit's SD3 InstructPix2Pix defaults: 28 steps, SD3's schedule, text guidance 7.0 and image guidance 1.5.
   *
   * @return the config
   */
  public static SamplingConfig instructPix2Pix() {
    return new SamplingConfig(28, TimeSchedule.SD3, Guidance.instructPix2Pix(7.0, 1.5));
  }

  /**
   * Unguided sampling on the unshifted schedule, for models trained without condition dropout or a guidance
   * embedding (the tiny presets).
   *
   * @param steps the number of Euler steps
   * @return the config
   */
  public static SamplingConfig unguided(int steps) {
    return new SamplingConfig(steps, TimeSchedule.LINEAR, Guidance.none());
  }
}
