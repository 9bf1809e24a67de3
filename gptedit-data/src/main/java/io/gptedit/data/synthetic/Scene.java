package io.gptedit.data.synthetic;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import io.gptedit.core.image.EditMask;
import io.gptedit.core.image.RgbImage;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A procedural scene: a native size, a background and up to nine non-overlapping shapes on a 3x3 grid.
 *
 * <p>Geometry lives in continuous scene units (the native pixel grid), so a scene renders at any size: pixel
 * {@code (x, y)} of a {@code W x H} rendering samples the scene at its centre
 * {@code ((x + 0.5) * width / W, (y + 0.5) * height / H)}. There is no antialiasing, so which pixels a shape covers
 * is exact and an edit's mask is exactly the set of pixels whose colour changes.
 *
 * @param width the native width in pixels
 * @param height the native height in pixels
 * @param background the background
 * @param shapes the shapes, in drawing order; kind and colour pairs are unique, cells are distinct, and no shape
 *     shares a colour with the background
 * @since 0.1
 */
public record Scene(int width, int height, Background background, List<SceneShape> shapes) {
  /**
   * Validates the scene.
   *
   * @throws IllegalArgumentException if the size is out of range, two shapes share a cell or a kind and colour,
   *     or a shape has a background colour
   */
  public Scene {
    if (width < 1 || height < 1 || width > RgbImage.MAX_SIDE || height > RgbImage.MAX_SIDE) {
      throw new IllegalArgumentException("scene size must be 1.." + RgbImage.MAX_SIDE + ", got " + width + "x" + height);
    }
    requireNonNull(background, "background");
    shapes = ImmutableList.copyOf(requireNonNull(shapes, "shapes"));
    Set<GridCell> cells = EnumSet.noneOf(GridCell.class);
    for (int i = 0; i < shapes.size(); i++) {
      SceneShape s = shapes.get(i);
      if (!cells.add(s.cell())) {
        throw new IllegalArgumentException("two shapes in cell " + s.cell().words());
      }
      if (background.uses(s.color())) {
        throw new IllegalArgumentException("the " + s.noun() + " has a background colour");
      }
      for (int j = 0; j < i; j++) {
        if (shapes.get(j).is(s.kind(), s.color())) {
          throw new IllegalArgumentException("two shapes are a " + s.noun());
        }
      }
    }
  }

  /**
   * Returns the shape with a kind and colour.
   *
   * @param kind the kind
   * @param color the colour
   * @return the shape, if the scene has it
   */
  public Optional<SceneShape> find(ShapeKind kind, SceneColor color) {
    return shapes.stream().filter(s -> s.is(kind, color)).findFirst();
  }

  /**
   * Returns the cells no shape occupies, in grid order.
   *
   * @return the free cells
   */
  public List<GridCell> freeCells() {
    Set<GridCell> free = EnumSet.allOf(GridCell.class);
    shapes.forEach(s -> free.remove(s.cell()));
    return List.copyOf(free);
  }

  /**
   * Returns a copy with a shape replaced.
   *
   * @param old the shape to replace (by identity of kind and colour)
   * @param replacement the new shape, or {@code null} to remove it
   * @return the new scene
   */
  Scene replace(SceneShape old, SceneShape replacement) {
    List<SceneShape> out = new ArrayList<>(shapes.size());
    for (SceneShape s : shapes) {
      if (s.is(old.kind(), old.color())) {
        if (replacement != null) {
          out.add(replacement);
        }
      } else {
        out.add(s);
      }
    }
    return new Scene(width, height, background, out);
  }

  /**
   * Returns a copy with a shape added on top.
   *
   * @param shape the shape
   * @return the new scene
   */
  Scene with(SceneShape shape) {
    List<SceneShape> out = new ArrayList<>(shapes);
    out.add(shape);
    return new Scene(width, height, background, out);
  }

  /**
   * Returns a copy with another background.
   *
   * @param bg the background
   * @return the new scene
   */
  Scene withBackground(Background bg) {
    return new Scene(width, height, bg, shapes);
  }

  /**
   * Renders at the native size.
   *
   * @return the image
   */
  public RgbImage render() {
    return render(width, height);
  }

  /**
   * Renders at any size (see the class documentation for the sampling rule).
   *
   * @param w the output width
   * @param h the output height
   * @return the image
   */
  public RgbImage render(int w, int h) {
    byte[] px = new byte[w * h * 3];
    renderInto(px, w, 0, 0, w, h);
    return RgbImage.of(w, h, px);
  }

  /**
   * Renders into a region of an interleaved RGB buffer.
   *
   * @param px the buffer, {@code stride} pixels wide
   * @param stride the buffer's width in pixels
   * @param x0 the region's left column
   * @param y0 the region's top row
   * @param w the region's width
   * @param h the region's height
   * @throws IllegalArgumentException if the region is empty or does not lie inside the buffer
   */
  public void renderInto(byte[] px, int stride, int x0, int y0, int w, int h) {
    checkArgument(
        w >= 1 && h >= 1 && x0 >= 0 && y0 >= 0 && stride >= 1 && (long) x0 + w <= stride
            && ((long) y0 + h) * stride * 3 <= px.length,
        "region %sx%s at (%s, %s) does not lie inside a buffer of %s bytes, %s pixels wide",
        w, h, x0, y0, px.length, stride);
    double sx = (double) width / w;
    double sy = (double) height / h;
    int c1 = background.first().rgb();
    int c2 = background.second().rgb();
    double period =
        switch (background.pattern()) {
          case PLAIN -> 1;
          case STRIPES -> width / 8.0;
          case CHECKER -> Math.min(width, height) / 6.0;
        };
    int[] colParity = new int[w];
    for (int x = 0; x < w; x++) {
      colParity[x] = (int) Math.floor((x + 0.5) * sx / period) & 1;
    }
    for (int y = 0; y < h; y++) {
      int rowParity = background.pattern() == Background.Pattern.CHECKER
          ? (int) Math.floor((y + 0.5) * sy / period) & 1
          : 0;
      int o = ((y0 + y) * stride + x0) * 3;
      for (int x = 0; x < w; x++, o += 3) {
        int c = background.pattern() == Background.Pattern.PLAIN || ((colParity[x] ^ rowParity) == 0) ? c1 : c2;
        px[o] = (byte) (c >>> 16);
        px[o + 1] = (byte) (c >>> 8);
        px[o + 2] = (byte) c;
      }
    }
    for (SceneShape s : shapes) {
      int c = s.color().rgb();
      byte rr = (byte) (c >>> 16);
      byte gg = (byte) (c >>> 8);
      byte bb = (byte) c;
      cover(s, w, h, (x, y) -> {
        int o = ((y0 + y) * stride + x0 + x) * 3;
        px[o] = rr;
        px[o + 1] = gg;
        px[o + 2] = bb;
      });
    }
  }

  /**
   * Returns the pixels a shape of this scene covers in a {@code w x h} rendering (the same sampling rule as {@link
   * #render(int, int)}; shapes sit in distinct cells, so footprints do not overlap).
   *
   * @param shape one of this scene's shapes
   * @param w the rendering's width
   * @param h the rendering's height
   * @return the footprint
   * @throws IllegalArgumentException if the shape is not in this scene
   */
  public EditMask footprint(SceneShape shape, int w, int h) {
    if (!shapes.contains(shape)) {
      throw new IllegalArgumentException("the " + shape.noun() + " is not in this scene");
    }
    java.util.BitSet bits = new java.util.BitSet(w * h);
    cover(shape, w, h, (x, y) -> bits.set(y * w + x));
    return EditMask.of(w, h, bits);
  }

  /** Visits every pixel of a {@code w x h} rendering whose centre a shape covers. */
  private void cover(SceneShape s, int w, int h, PixelVisitor visitor) {
    double sx = (double) width / w;
    double sy = (double) height / h;
    double cellW = width / 3.0;
    double cellH = height / 3.0;
    double half = Math.min(cellW, cellH) / 2;
    double cx = (s.cell().column() + 0.5) * cellW;
    double cy = (s.cell().row() + 0.5) * cellH;
    double r = s.scale() * half;
    int xa = Math.max(0, (int) Math.floor((cx - r) / sx - 0.5));
    int xb = Math.min(w - 1, (int) Math.ceil((cx + r) / sx - 0.5));
    int ya = Math.max(0, (int) Math.floor((cy - r) / sy - 0.5));
    int yb = Math.min(h - 1, (int) Math.ceil((cy + r) / sy - 0.5));
    for (int y = ya; y <= yb; y++) {
      double dv = (y + 0.5) * sy - cy;
      for (int x = xa; x <= xb; x++) {
        if (s.kind().contains((x + 0.5) * sx - cx, dv, r)) {
          visitor.visit(x, y);
        }
      }
    }
  }

  @FunctionalInterface
  private interface PixelVisitor {
    void visit(int x, int y);
  }

  /**
   * Describes the scene in the words {@link SceneText#parseScene} reads back.
   *
   * @return such as {@code a picture of a small red circle in the top left on a plain mint background}
   */
  public String describe() {
    return SceneText.describe(this);
  }
}
