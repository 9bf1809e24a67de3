package io.gptedit.data.synthetic;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.gptedit.core.image.EditMask;
import io.gptedit.core.image.RgbImage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The synthetic world's object-level edit metrics, from a sample's exact {@link SyntheticTruth}: they measure what a
 * person looking at the output sees, which pixel shares ({@link EditMetrics}) average away on small scenes that are
 * mostly background.
 *
 * <ul>
 *   <li><b>Object preservation</b>: every object of the input the edit does not touch (and that covers at least
 *       one pixel) is <em>kept</em> when at least {@value #KEPT_SHARE} of its pixels are within the tolerance of
 *       the input; OP is kept / untouched objects.
 *   <li><b>Edit success</b> (single edits): recolour, the object's pixels have the new colour; add, the new
 *       object's pixels are there; remove, its pixels are the target's background; move and resize, the new
 *       footprint is there and the vacated pixels are background; for recolour, add, move and resize the object's
 *       colour must also not spill: at most half its footprint's pixel count, more than one pixel away from the
 *       footprint, may take that colour where the target does not have it (a stripe of the colour through the
 *       right place fails; a blockier shape does not); background change, the background pixels have
 *       the new background and every object is kept. "Is there" means at least {@value #KEPT_SHARE} of the pixels
 *       within the tolerance of the exact target.
 *   <li><b>Background identity</b>: the share of background pixels (no object in the input, outside the edit
 *       mask) within the tolerance of the input.
 * </ul>
 *
 * @since 0.1
 */
public final class ObjectMetrics {
  /** The share of an object's pixels that must match for it to count as kept or present. */
  public static final double KEPT_SHARE = 0.75;

  private ObjectMetrics() {}

  /**
   * One sample's object-level scores.
   *
   * @param untouched the visible objects the edit does not touch
   * @param kept how many of them were kept
   * @param editSuccess 1 or 0 for a single edit; empty for chains
   * @param backgroundIdentity the background pixels' identity share; empty when there are none
   */
  public record Result(int untouched, int kept, OptionalDouble editSuccess, OptionalDouble backgroundIdentity) {
    /** Validates the counts. */
    public Result {
      checkArgument(untouched >= 0 && kept >= 0 && kept <= untouched, "kept must be in [0, untouched]");
      requireNonNull(editSuccess, "editSuccess");
      requireNonNull(backgroundIdentity, "backgroundIdentity");
    }
  }

  /**
   * Scores an output.
   *
   * @param truth the sample's truth
   * @param output the editor's output, at the truth's native size
   * @param tolerance the largest per-channel difference that still matches, 0 to 255
   * @return the scores
   * @throws IllegalArgumentException if the output is not the scene's size or the tolerance is out of range
   */
  public static Result score(SyntheticTruth truth, RgbImage output, int tolerance) {
    requireNonNull(truth, "truth");
    requireNonNull(output, "output");
    checkArgument(tolerance >= 0 && tolerance <= 255, "tolerance must be 0..255, got %s", tolerance);
    Scene in = truth.scene();
    int w = in.width();
    int h = in.height();
    checkArgument(
        output.width() == w && output.height() == h,
        "output is %sx%s but the scene is %sx%s",
        output.width(),
        output.height(),
        w,
        h);
    RgbImage input = in.render();
    Scene targetScene = truth.targetScene();
    RgbImage target = targetScene.render();
    List<SceneShape> touched = new ArrayList<>();
    Scene s = in;
    for (EditOp op : truth.program()) {
      referenced(op, s).ifPresent(touched::add);
      s = op.apply(s);
    }
    int untouched = 0;
    int kept = 0;
    for (SceneShape shape : in.shapes()) {
      if (touched.stream().anyMatch(t -> t.kind() == shape.kind() && t.color() == shape.color())) {
        continue;
      }
      EditMask f = in.footprint(shape, w, h);
      if (f.count() == 0) {
        continue; // too small to cover a pixel centre: nobody can see it
      }
      untouched++;
      if (share(output, input, f, tolerance) >= KEPT_SHARE) {
        kept++;
      }
    }
    OptionalDouble es =
        truth.program().size() == 1
            ? OptionalDouble.of(success(truth.program().get(0), in, targetScene, output, target, tolerance,
                untouched == kept) ? 1 : 0)
            : OptionalDouble.empty();
    EditMask edit = EditMask.between(input, target);
    java.util.BitSet bg = new java.util.BitSet(w * h);
    bg.set(0, w * h);
    for (SceneShape shape : in.shapes()) {
      EditMask f = in.footprint(shape, w, h);
      for (int p = 0; p < w * h; p++) {
        if (f.get(p)) {
          bg.clear(p);
        }
      }
    }
    for (int p = 0; p < w * h; p++) {
      if (edit.get(p)) {
        bg.clear(p);
      }
    }
    EditMask background = EditMask.of(w, h, bg);
    OptionalDouble bgIdentity =
        background.count() == 0 ? OptionalDouble.empty() : OptionalDouble.of(share(output, input, background, tolerance));
    return new Result(untouched, kept, es, bgIdentity);
  }

  /** The input object an edit changes, if it changes one. */
  private static java.util.Optional<SceneShape> referenced(EditOp op, Scene scene) {
    if (op instanceof EditOp.Recolour r) {
      return scene.find(r.kind(), r.from());
    } else if (op instanceof EditOp.Remove r) {
      return scene.find(r.kind(), r.color());
    } else if (op instanceof EditOp.Move m) {
      return scene.find(m.kind(), m.color());
    } else if (op instanceof EditOp.Resize r) {
      return scene.find(r.kind(), r.color());
    }
    return java.util.Optional.empty();
  }

  private static boolean success(
      EditOp op, Scene in, Scene out, RgbImage output, RgbImage target, int tol, boolean allKept) {
    int w = in.width();
    int h = in.height();
    if (op instanceof EditOp.Recolour r) {
      EditMask now = out.footprint(out.find(r.kind(), r.to()).orElseThrow(), w, h);
      return present(now, output, target, tol) && !spilled(r.to(), now, output, target, tol);
    } else if (op instanceof EditOp.Add a) {
      EditMask now = out.footprint(out.find(a.kind(), a.color()).orElseThrow(), w, h);
      return present(now, output, target, tol) && !spilled(a.color(), now, output, target, tol);
    } else if (op instanceof EditOp.Remove r) {
      return present(in.footprint(in.find(r.kind(), r.color()).orElseThrow(), w, h), output, target, tol);
    } else if (op instanceof EditOp.Move || op instanceof EditOp.Resize) {
      SceneShape before = referenced(op, in).orElseThrow();
      SceneShape after = out.find(before.kind(), before.color()).orElseThrow();
      EditMask now = out.footprint(after, w, h);
      EditMask old = in.footprint(before, w, h);
      java.util.BitSet vacated = new java.util.BitSet(w * h);
      for (int p = 0; p < w * h; p++) {
        if (old.get(p) && !now.get(p)) {
          vacated.set(p);
        }
      }
      return present(now, output, target, tol) && present(EditMask.of(w, h, vacated), output, target, tol)
          && !spilled(after.color(), now, output, target, tol);
    } else if (op instanceof EditOp.ChangeBackground) {
      java.util.BitSet bg = new java.util.BitSet(w * h);
      bg.set(0, w * h);
      for (SceneShape shape : out.shapes()) {
        EditMask f = out.footprint(shape, w, h);
        for (int p = 0; p < w * h; p++) {
          if (f.get(p)) {
            bg.clear(p);
          }
        }
      }
      return present(EditMask.of(w, h, bg), output, target, tol) && allKept;
    }
    throw new IllegalStateException("unknown edit " + op);
  }

  /**
   * Whether the edited object's colour was painted where the target does not have it: more pixels than half the
   * footprint, each more than one pixel away from the footprint (so a blockier or one-pixel-larger shape is not
   * spill), match the colour while the target there does not. A smear or a stripe through the right place is not a
   * successful edit.
   */
  private static boolean spilled(SceneColor color, EditMask footprint, RgbImage output, RgbImage target, int tol) {
    int w = output.width();
    int h = output.height();
    java.util.BitSet near = new java.util.BitSet(w * h);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (!footprint.get(y * w + x)) {
          continue;
        }
        for (int yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) {
          for (int xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) {
            near.set(yy * w + xx);
          }
        }
      }
    }
    int rgb = color.rgb();
    int cr = (rgb >> 16) & 0xFF;
    int cg = (rgb >> 8) & 0xFF;
    int cb = rgb & 0xFF;
    ByteBuffer o = output.buffer();
    ByteBuffer t = target.buffer();
    int n = output.width() * output.height();
    int spill = 0;
    for (int p = 0, i = 0; p < n; p++, i += 3) {
      if (near.get(p)) {
        continue;
      }
      boolean outputHasIt = Math.abs((o.get(i) & 0xFF) - cr) <= tol && Math.abs((o.get(i + 1) & 0xFF) - cg) <= tol
          && Math.abs((o.get(i + 2) & 0xFF) - cb) <= tol;
      boolean targetHasIt = Math.abs((t.get(i) & 0xFF) - cr) <= tol && Math.abs((t.get(i + 1) & 0xFF) - cg) <= tol
          && Math.abs((t.get(i + 2) & 0xFF) - cb) <= tol;
      if (outputHasIt && !targetHasIt) {
        spill++;
      }
    }
    return spill > footprint.count() / 2;
  }

  /** Whether at least {@link #KEPT_SHARE} of the region matches the target (an empty region is present). */
  private static boolean present(EditMask region, RgbImage output, RgbImage target, int tol) {
    return region.count() == 0 || share(output, target, region, tol) >= KEPT_SHARE;
  }

  /** The share of a region's pixels whose every channel is within the tolerance of the reference. */
  private static double share(RgbImage out, RgbImage ref, EditMask region, int tol) {
    ByteBuffer a = out.buffer();
    ByteBuffer b = ref.buffer();
    int n = out.width() * out.height();
    long in = 0;
    long ok = 0;
    for (int p = 0, i = 0; p < n; p++, i += 3) {
      if (!region.get(p)) {
        continue;
      }
      in++;
      if (Math.abs((a.get(i) & 0xFF) - (b.get(i) & 0xFF)) <= tol
          && Math.abs((a.get(i + 1) & 0xFF) - (b.get(i + 1) & 0xFF)) <= tol
          && Math.abs((a.get(i + 2) & 0xFF) - (b.get(i + 2) & 0xFF)) <= tol) {
        ok++;
      }
    }
    return in == 0 ? 1.0 : (double) ok / in;
  }
}
