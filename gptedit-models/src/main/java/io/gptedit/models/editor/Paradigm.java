package io.gptedit.models.editor;

import io.gptedit.core.GpteditException;
import java.util.Arrays;
import java.util.Locale;

/**
 * The paper's three conditioning paradigms (its section 3.2 and Table 4): how an editor sees the input image.
 *
 * @since 0.1
 */
public enum Paradigm {
  /** FLUX.1 Kontext: the input's latents as extra image tokens after the noisy ones ({@link KontextDenoiser}). */
  KONTEXT("kontext"),
  /**
   * SD3 InstructPix2Pix (UltraEdit): the input's latents concatenated to the noisy latents on channels
   * ({@link ChannelWiseDenoiser}).
   */
  CHANNEL_WISE("channel-wise"),
  /**
   * Flux with SigLIP (UniWorld): the input's vision features projected into the text-token stream
   * ({@link SiglipTokenDenoiser}).
   */
  SIGLIP_TOKEN("siglip-token");

  private final String tag;

  Paradigm(String tag) {
    this.tag = tag;
  }

  /**
   * Returns the paradigm's short name, used in tables, file names and the command line.
   *
   * @return for example {@code kontext}
   */
  public String tag() {
    return tag;
  }

  /**
   * Parses a paradigm by its tag or constant name, ignoring case and {@code -} versus {@code _}.
   *
   * @param name the name, such as {@code kontext}, {@code channel-wise} or {@code SIGLIP_TOKEN}
   * @return the paradigm
   * @throws GpteditException if no paradigm has that name (the message lists the choices)
   */
  public static Paradigm parse(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    for (Paradigm p : values()) {
      if (p.tag.equals(n)) {
        return p;
      }
    }
    throw new GpteditException(
        "unknown paradigm '" + name + "'; choose one of "
            + Arrays.stream(values()).map(Paradigm::tag).toList());
  }
}
