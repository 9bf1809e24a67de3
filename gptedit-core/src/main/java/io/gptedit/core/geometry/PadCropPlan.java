package io.gptedit.core.geometry;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.gptedit.core.image.Resampler;
import io.gptedit.core.image.RgbImage;

/**
 * How one image is padded to a supported aspect ratio and how the generated image is cropped back.
 *
 * <p>The rules, all in exact integer arithmetic:
 *
 * <ol>
 *   <li><b>Preset.</b> {@link AspectPreset#nearest(int, int)}: nearest ratio on a log scale; ties cannot occur.
 *   <li><b>Canvas.</b> The smallest canvas of exactly the preset's ratio {@code a:b} that contains the image
 *       unscaled: {@code k = max(ceil(w / a), ceil(h / b))}, canvas {@code (k a) x (k b)}. Every canvas of ratio
 *       {@code a:b} with integer sides is a multiple of {@code (a, b)} because {@code gcd(a, b) = 1}, so none
 *       smaller exists.
 *   <li><b>Centring.</b> Content is centred; when the padding on an axis is odd, the extra pixel goes to the
 *       right (horizontal) or the bottom (vertical): {@code left = floor(padX / 2)}, {@code right = padX - left}.
 *       The image is never scaled or cropped.
 *   <li><b>Crop at any generation size.</b> A generated image of size {@code G} with exactly the canvas's ratio
 *       has scale {@code s = G.w / canvas.w = G.h / canvas.h}. Each edge {@code e} of the content box maps to
 *       {@code round(e * s)} with halves rounded up, computed as {@code floor((2 e G.w + canvas.w) / (2 canvas.w))};
 *       mapping edges (not origin and size) keeps every side within one pixel of its exact scaled length and
 *       the box inside the canvas. A side that would round to 0 pixels is widened to 1. At the canvas size
 *       itself ({@code s = 1}) the crop box is the content box, so crop-after-pad returns the original pixels
 *       bit for bit.
 * </ol>
 *
 * @param original the image size before padding
 * @param preset the chosen aspect preset
 * @param canvas the padded size
 * @param padding pixels added on each side
 * @param padColor the padding colour, {@code 0xRRGGBB}
 * @since 0.1
 */
public record PadCropPlan(
    Size original, AspectPreset preset, Size canvas, Padding padding, int padColor) {

  /** White: the paper pads with white. */
  public static final int WHITE = 0xFFFFFF;

  /**
   * Validates that the parts describe one consistent plan.
   *
   * @throws IllegalArgumentException if the canvas does not have the preset's ratio, the padding does not add up
   *     to the canvas, or the colour has bits above 24
   */
  public PadCropPlan {
    requireNonNull(original, "original");
    requireNonNull(preset, "preset");
    requireNonNull(canvas, "canvas");
    requireNonNull(padding, "padding");
    checkArgument((padColor & ~0xFFFFFF) == 0, "padColor must be 0xRRGGBB, got 0x%s", Integer.toHexString(padColor));
    checkArgument(
        (long) canvas.width() * preset.ratioHeight() == (long) canvas.height() * preset.ratioWidth(),
        "canvas %s does not have the %s ratio %s",
        canvas,
        preset,
        preset.ratioLabel());
    checkArgument(
        original.width() + padding.left() + padding.right() == canvas.width()
            && original.height() + padding.top() + padding.bottom() == canvas.height(),
        "original %s plus padding %s does not make canvas %s",
        original,
        padding,
        canvas);
  }

  /**
   * Plans white padding for an image of the given size.
   *
   * @param width the image width
   * @param height the image height
   * @return the plan
   */
  public static PadCropPlan forSize(int width, int height) {
    return forSize(width, height, WHITE);
  }

  /**
   * Plans padding with a given colour for an image of the given size, at the nearest preset.
   *
   * @param width the image width
   * @param height the image height
   * @param padColor the padding colour, {@code 0xRRGGBB}
   * @return the plan
   */
  public static PadCropPlan forSize(int width, int height, int padColor) {
    return forSize(width, height, AspectPreset.nearest(width, height), padColor);
  }

  /**
   * Plans padding to a chosen preset (the smallest canvas of that ratio containing the image).
   *
   * @param width the image width
   * @param height the image height
   * @param preset the target preset, not necessarily the nearest
   * @param padColor the padding colour, {@code 0xRRGGBB}
   * @return the plan
   */
  public static PadCropPlan forSize(int width, int height, AspectPreset preset, int padColor) {
    Size original = new Size(width, height);
    int a = preset.ratioWidth();
    int b = preset.ratioHeight();
    long k = Math.max(ceilDiv(width, a), ceilDiv(height, b));
    long cw = k * a;
    long ch = k * b;
    checkArgument(cw <= Integer.MAX_VALUE && ch <= Integer.MAX_VALUE, "canvas too large for %s", original);
    int padX = (int) cw - width;
    int padY = (int) ch - height;
    Padding padding = new Padding(padX / 2, padY / 2, padX - padX / 2, padY - padY / 2);
    return new PadCropPlan(original, preset, new Size((int) cw, (int) ch), padding, padColor);
  }

  /**
   * Plans padding for an image.
   *
   * @param image the image
   * @return the plan with white padding at the nearest preset
   */
  public static PadCropPlan forImage(RgbImage image) {
    return forSize(image.width(), image.height());
  }

  private static long ceilDiv(long x, long y) {
    return (x + y - 1) / y;
  }

  /**
   * Returns where the original image sits on the canvas.
   *
   * @return the content box at the canvas size
   */
  public Box contentBox() {
    return new Box(padding.left(), padding.top(), original.width(), original.height());
  }

  /**
   * Returns the content box mapped to a generation size (see the class documentation for the rounding rule).
   *
   * @param generation the size the padded canvas was rendered at; must have exactly the canvas's ratio
   * @return the crop box in the generated image
   * @throws IllegalArgumentException if the generation size has another ratio
   */
  public Box cropBoxAt(Size generation) {
    requireNonNull(generation, "generation");
    checkArgument(
        generation.sameRatioAs(canvas),
        "generation size %s does not have the canvas %s ratio %s",
        generation,
        canvas,
        preset.ratioLabel());
    int x0 = scaleEdge(padding.left(), generation.width(), canvas.width());
    int x1 = scaleEdge(padding.left() + original.width(), generation.width(), canvas.width());
    int y0 = scaleEdge(padding.top(), generation.height(), canvas.height());
    int y1 = scaleEdge(padding.top() + original.height(), generation.height(), canvas.height());
    int[] xs = atLeastOne(x0, x1, generation.width());
    int[] ys = atLeastOne(y0, y1, generation.height());
    return new Box(xs[0], ys[0], xs[1] - xs[0], ys[1] - ys[0]);
  }

  /** round(edge * g / c) with halves up, exactly. */
  private static int scaleEdge(int edge, int g, int c) {
    return (int) ((2L * edge * g + c) / (2L * c));
  }

  private static int[] atLeastOne(int lo, int hi, int limit) {
    if (hi > lo) {
      return new int[] {lo, hi};
    }
    return lo < limit ? new int[] {lo, lo + 1} : new int[] {limit - 1, limit};
  }

  /**
   * Pads an image according to this plan.
   *
   * @param image the original image; must have the planned size
   * @return the padded canvas
   * @throws IllegalArgumentException if the image is not of the planned size
   */
  public RgbImage pad(RgbImage image) {
    checkArgument(
        image.width() == original.width() && image.height() == original.height(),
        "plan is for %s, image is %sx%s",
        original,
        image.width(),
        image.height());
    return image.pad(padding.left(), padding.top(), padding.right(), padding.bottom(), padColor);
  }

  /**
   * Crops the content region out of a generated image, at the generated image's resolution.
   *
   * @param generated the image rendered from the padded canvas; must have the canvas's ratio
   * @return the content region, unscaled
   */
  public RgbImage crop(RgbImage generated) {
    Box box = cropBoxAt(new Size(generated.width(), generated.height()));
    return generated.crop(box.x(), box.y(), box.width(), box.height());
  }

  /**
   * Crops the content region and resizes it (bicubic) back to the original size, as the paper does.
   *
   * @param generated the image rendered from the padded canvas
   * @return an image of the original size
   */
  public RgbImage cropToOriginal(RgbImage generated) {
    return Resampler.bicubic(crop(generated), original.width(), original.height());
  }
}
