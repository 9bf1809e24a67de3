package io.gptedit.models.mllm;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.nn.WeightLoadException;
import java.nio.file.Path;

/**
 * SigLIP's image preprocessing as transformers' {@code SiglipImageProcessor} (PIL backend) does it: resize to a
 * fixed {@code height x width} with Pillow's filter (bit-exact), rescale by 1/255, normalise with the config's mean
 * and std (0.5 for SigLIP), channels first.
 *
 * @since 0.1
 */
public final class SiglipImageProcessor {
  private final int height;
  private final int width;
  private final PilResize.Filter filter;
  private final PixelNormalization norm;

  private SiglipImageProcessor(int height, int width, PilResize.Filter filter, PixelNormalization norm) {
    checkArgument(height > 0 && width > 0, "size must be positive, got %sx%s", width, height);
    this.height = height;
    this.width = width;
    this.filter = requireNonNull(filter, "filter");
    this.norm = requireNonNull(norm, "norm");
  }

  /**
   * The processor of a released SigLIP checkpoint: a square {@code size} with bicubic resampling, mean and std 0.5.
   *
   * @param size the side (384 for so400m-patch14-384, 512 for siglip2-so400m-patch16-512)
   * @return the processor
   */
  public static SiglipImageProcessor square(int size) {
    return new SiglipImageProcessor(size, size, PilResize.Filter.BICUBIC,
        new PixelNormalization(1.0 / 255, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f}));
  }

  /**
   * Reads a {@code preprocessor_config.json} of a SigLIP checkpoint.
   *
   * @param file the file
   * @return the processor
   * @throws WeightLoadException if the file is unreadable, a field is mistyped, or it asks for an unsupported
   *     filter or a resize-free pipeline
   */
  public static SiglipImageProcessor fromFile(Path file) {
    PreprocessorJson j = PreprocessorJson.read(file);
    if (!j.bool("do_resize", true)) {
      throw j.error("do_resize false is not supported (the tower needs its fixed size)");
    }
    PreprocessorJson size = j.child("size");
    if (size == null) {
      throw j.error("no size");
    }
    PilResize.Filter filter;
    try {
      filter = PilResize.Filter.fromPil(j.integer("resample", 3));
    } catch (IllegalArgumentException e) {
      throw j.error(e.getMessage());
    }
    float[] half = {0.5f, 0.5f, 0.5f};
    int h = size.integer("height");
    int w = size.integer("width");
    if (h <= 0 || w <= 0) {
      throw j.error("size must be positive, got " + w + "x" + h);
    }
    return new SiglipImageProcessor(h, w, filter, PixelNormalization.read(j, half, half));
  }

  /**
   * Returns the output height.
   *
   * @return pixels
   */
  public int height() {
    return height;
  }

  /**
   * Returns the output width.
   *
   * @return pixels
   */
  public int width() {
    return width;
  }

  /**
   * Preprocesses one image.
   *
   * @param image the image
   * @return {@code 3 x height x width} floats, channel-first
   */
  public float[] preprocess(RgbImage image) {
    requireNonNull(image, "image");
    return norm.chw(PilResize.resize(image, width, height, filter), width, height);
  }

  /**
   * Preprocesses one image into {@code pixel_values}.
   *
   * @param image the image
   * @param manager the manager of the result
   * @return (1, 3, height, width)
   */
  public NDArray pixelValues(RgbImage image, NDManager manager) {
    return manager.create(preprocess(image), new Shape(1, 3, height, width));
  }
}
