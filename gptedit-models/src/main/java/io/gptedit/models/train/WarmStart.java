package io.gptedit.models.train;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.core.GpteditException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts a model's parameters from a pretrained base's, as the paper's editors start from a pretrained backbone:
 * every parameter the base has under the same name and shape is copied; a 2-D input projection that the new
 * paradigm made wider (channel-wise conditioning's {@code x_embedder}, {@code 2C} channels where the base read
 * {@code C}) gets the base's columns first and zeros in the new ones, as InstructPix2Pix widens its first
 * convolution, so at step 0 the widened model computes exactly what the base computes and ignores the new input;
 * every other parameter (a new projector, a new connector) keeps its own initialisation.
 *
 * <p>Copies are made in place ({@code target}'s arrays keep their identity, so a denoiser built over them sees the
 * base's values), on the target's device, in the target's data type.
 *
 * @since 0.1
 */
public final class WarmStart {
  private WarmStart() {}

  /**
   * What a warm start did.
   *
   * @param copied parameters copied unchanged from the base
   * @param widened parameters whose first columns came from the base and the rest were zeroed
   * @param kept parameters the base does not have (or has in an incompatible shape): left as initialised
   * @param unused base parameters the target does not have
   */
  public record Report(List<String> copied, List<String> widened, List<String> kept, List<String> unused) {
    /** Copies the lists. */
    public Report {
      copied = List.copyOf(copied);
      widened = List.copyOf(widened);
      kept = List.copyOf(kept);
      unused = List.copyOf(unused);
    }

    /**
     * Returns a one-line summary.
     *
     * @return e.g. {@code 88 copied, 1 widened (x_embedder.weight), 4 kept, 0 unused}
     */
    public String summary() {
      return copied.size() + " copied, " + widened.size() + " widened" + (widened.isEmpty() ? "" : " " + widened)
          + ", " + kept.size() + " kept" + (kept.isEmpty() ? "" : " " + kept) + ", " + unused.size() + " unused"
          + (unused.isEmpty() ? "" : " " + unused);
    }
  }

  /**
   * Copies a base's parameters into a model's.
   *
   * @param base the pretrained parameters by name
   * @param target the model's parameters by name (written in place)
   * @return what was copied, widened and kept
   * @throws GpteditException if nothing at all matches (the base is another model)
   */
  public static Report apply(Map<String, NDArray> base, Map<String, NDArray> target) {
    requireNonNull(base, "base");
    requireNonNull(target, "target");
    List<String> copied = new ArrayList<>();
    List<String> widened = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    for (Map.Entry<String, NDArray> e : target.entrySet()) {
      String name = e.getKey();
      NDArray to = e.getValue();
      NDArray from = base.get(name);
      if (from == null) {
        kept.add(name);
        continue;
      }
      Shape fs = from.getShape();
      Shape ts = to.getShape();
      if (fs.equals(ts)) {
        try (NDManager scope = to.getManager().newSubManager()) {
          NDArray v = onto(from, to, scope);
          v.copyTo(to);
        }
        copied.add(name);
      } else if (fs.dimension() == 2 && ts.dimension() == 2 && fs.get(0) == ts.get(0) && fs.get(1) < ts.get(1)) {
        try (NDManager scope = to.getManager().newSubManager()) {
          NDArray v = onto(from, to, scope);
          v.concat(scope.zeros(new Shape(ts.get(0), ts.get(1) - fs.get(1)), to.getDataType(), to.getDevice()), 1)
              .copyTo(to);
        }
        widened.add(name);
      } else {
        kept.add(name);
      }
    }
    List<String> unused = new ArrayList<>();
    for (String name : base.keySet()) {
      if (!target.containsKey(name)) {
        unused.add(name);
      }
    }
    if (copied.isEmpty() && widened.isEmpty()) {
      throw new GpteditException(
          "the base has no parameter of the target's names and shapes (base has " + base.size() + ", e.g. "
              + base.keySet().stream().limit(3).toList() + "; target " + target.keySet().stream().limit(3).toList()
              + ")");
    }
    return new Report(copied, widened, kept, unused);
  }

  /** A copy of {@code from} on {@code to}'s device and in its data type, owned by {@code scope}. */
  private static NDArray onto(NDArray from, NDArray to, NDManager scope) {
    NDArray d = from.toDevice(to.getDevice(), true);
    d.attach(scope);
    return d.toType(to.getDataType(), false);
  }
}
