package io.gptedit.core.editor;

import io.gptedit.core.image.RgbImage;

/**
 * An instruction-guided image editor: an input image and an instruction in, an edited image out.
 *
 * <p>Every editor in the SDK implements this one interface: the DJL diffusion transformers in
 * {@code gptedit-models}, ONNX graphs, remote APIs and the synthetic world's exact editor. The benchmarks in
 * {@code gptedit-eval} depend on nothing else, so any editor can be scored.
 *
 * <p>Implementations must be safe to call from several threads unless their documentation says otherwise, and
 * release native memory in {@link #close()}.
 *
 * @since 0.1
 */
public interface ImageEditor extends AutoCloseable {

  /**
   * Edits an image.
   *
   * @param input the image to edit
   * @param instruction the edit instruction in natural language
   * @param options seed, steps, guidance and other per-call options
   * @return the edited image; its size is the editor's choice (usually the input's size or a preset size)
   * @throws EditException if the edit could not be produced
   */
  RgbImage edit(RgbImage input, String instruction, EditOptions options);

  /**
   * Edits an image with {@link EditOptions#defaults()}.
   *
   * @param input the image to edit
   * @param instruction the edit instruction
   * @return the edited image
   * @throws EditException if the edit could not be produced
   */
  default RgbImage edit(RgbImage input, String instruction) {
    return edit(input, instruction, EditOptions.defaults());
  }

  /**
   * Returns a short name for reports and output folders (for example {@code flux-kontext-dev}).
   *
   * @return the editor's name; file-name safe
   */
  default String name() {
    return getClass().getSimpleName();
  }

  /** Releases resources held by the editor; the default does nothing. */
  @Override
  default void close() {}
}
