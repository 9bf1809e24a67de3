package io.gptedit.lab;

import io.gptedit.core.image.RgbImage;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.curation.Stages;
import io.gptedit.data.synthetic.EditOp;
import io.gptedit.data.synthetic.Scene;
import io.gptedit.data.synthetic.SyntheticSample;
import io.gptedit.data.synthetic.SyntheticWorld;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The lab's candidate triplets before curation: the split of a key (held out or train), the lazy candidate stream
 * of a split with the drops that never reach the pipeline (invisible edits, ambiguous inputs), and the misaligned
 * variant's per-sample shift.
 */
final class LabCandidates {
  /** The share of candidates that belong to the held-out split. */
  static final double HELD_OUT_FRACTION = 1.0 / 16;


  private LabCandidates() {}

  /**
   * Returns whether a candidate key belongs to the held-out split.
   *
   * @param seed the lab seed
   * @param key the sample key
   * @return whether it is held out
   */
  static boolean isHeldOut(long seed, String key) {
    return Stages.selected(key, "lab-heldout-" + seed, HELD_OUT_FRACTION);
  }

  /**
   * Shifts an image's content by {@code (dx, dy)} pixels (right and down for positive values), replicating the
   * edge pixels into the uncovered border: {@code out(x, y) = in(clamp(x - dx), clamp(y - dy))}.
   *
   * @param image the image
   * @param dx horizontal shift
   * @param dy vertical shift
   * @return the shifted image (the same size)
   */
  static RgbImage shift(RgbImage image, int dx, int dy) {
    int w = image.width();
    int h = image.height();
    byte[] src = image.copyRgb();
    byte[] dst = new byte[src.length];
    for (int y = 0; y < h; y++) {
      int sy = Math.max(0, Math.min(h - 1, y - dy));
      for (int x = 0; x < w; x++) {
        int sx = Math.max(0, Math.min(w - 1, x - dx));
        System.arraycopy(src, (sy * w + sx) * 3, dst, (y * w + x) * 3, 3);
      }
    }
    return RgbImage.of(w, h, dst);
  }

  /**
   * Returns the misalignment the shifting editor applies to a request: {@code (dx, dy)}, each uniform in
   * {@code [-n, n]}, a function of the lab seed, the input's pixels and the prompt.
   *
   * @param seed the lab seed
   * @param n the largest shift, 0 for none
   * @param input the (unpadded) input
   * @param prompt the edit prompt
   * @return {@code {dx, dy}}
   */
  static int[] offset(long seed, int n, RgbImage input, String prompt) {
    if (n == 0) {
      return new int[] {0, 0};
    }
    long v = mix(mix(seed ^ 0x3C6EF372FE94F82BL) + Arrays.hashCode(input.copyRgb()) * 0x9E3779B97F4A7C15L
        + prompt.hashCode());
    int span = 2 * n + 1;
    return new int[] {(int) Math.floorMod(v, (long) span) - n, (int) Math.floorMod(mix(v), (long) span) - n};
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Why candidates never reached the pipeline. */
  static final class Drops {
    long drawn;
    long invisible;
    long ambiguous;
  }

  /** The candidates of one split, generated lazily as the pipeline pulls them. */
  static Iterator<EditTriplet> candidates(SyntheticWorld world, LabConfig c, boolean heldOut, int count, Drops drops) {
    return new Iterator<>() {
      private long i;
      private int emitted;
      private EditTriplet next;

      @Override
      public boolean hasNext() {
        while (next == null && emitted < count) {
          long index = i++;
          String id = String.format("syn-%08d", index);
          if (isHeldOut(c.seed(), id) != heldOut) {
            continue;
          }
          drops.drawn++;
          SplittableRandom r = new SplittableRandom(c.seed() * 1_000_003L + index);
          Scene scene = world.randomScene(r, c.size(), c.size());
          List<EditOp> program = world.randomProgram(scene, 1, r);
          int variant = r.nextInt(4);
          Optional<Scene> known = world.lookup(scene.render());
          if (known.isPresent() && !sameScene(known.get(), scene)) {
            drops.ambiguous++;
            continue;
          }
          SyntheticSample s = world.build(index, scene, program, variant);
          if (s.mask().count() == 0) {
            drops.invisible++;
            continue;
          }
          next = s.toTriplet();
          emitted++;
        }
        return next != null;
      }

      @Override
      public EditTriplet next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        EditTriplet t = next;
        next = null;
        return t;
      }
    };
  }

  /** Whether two scenes are the same up to the order of their shapes (which rendering and editing ignore). */
  static boolean sameScene(Scene a, Scene b) {
    return a.width() == b.width() && a.height() == b.height() && a.background().equals(b.background())
        && a.shapes().size() == b.shapes().size() && new HashSet<>(a.shapes()).equals(new HashSet<>(b.shapes()));
  }

}
