package io.gptedit.models.flow;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The rectified-flow Euler sampler: for each step, {@code x <- x + (t_next - t) * v(x, t)}.
 *
 * <p>Each step runs in its own sub-manager, so the only array that outlives a step is the new {@code x}: memory
 * stays flat however many steps run.
 *
 * @since 0.1
 */
public final class EulerSampler {
  /** The velocity field the sampler integrates (the denoiser, with its conditioning and guidance). */
  @FunctionalInterface
  public interface Velocity {
    /**
     * Predicts the velocity at {@code x} and time {@code t}.
     *
     * @param x the current sample, owned by {@code scope}
     * @param t the current time in [0, 1]
     * @param scope the step's manager: attach everything created to it
     * @return the velocity, shaped like {@code x}
     */
    NDArray at(NDArray x, float t, NDManager scope);
  }

  /** Observes progress; called after every step. */
  @FunctionalInterface
  public interface StepListener {
    /**
     * Reports a finished step.
     *
     * @param step the finished step, from 1
     * @param steps the total number of steps
     */
    void onStep(int step, int steps);
  }

  private EulerSampler() {}

  /**
   * Integrates from the first time of the schedule to its last.
   *
   * @param noise the starting sample (pure noise at {@code times[0]})
   * @param times the schedule, {@code steps + 1} times
   * @param velocity the velocity field
   * @param listener progress callback
   * @return the final sample, attached to {@code noise}'s manager
   */
  public static NDArray sample(NDArray noise, double[] times, Velocity velocity, StepListener listener) {
    requireNonNull(velocity, "velocity");
    requireNonNull(listener, "listener");
    NDManager owner = noise.getManager();
    NDArray x = noise.duplicate();
    int steps = times.length - 1;
    for (int i = 0; i < steps; i++) {
      float t = (float) times[i];
      float tNext = (float) times[i + 1];
      try (NDManager scope = owner.newSubManager()) {
        x.attach(scope);
        NDArray v = velocity.at(x, t, scope);
        NDArray next = x.add(v.mul(tNext - t));
        next.attach(owner);
        x = next;
      }
      listener.onStep(i + 1, steps);
    }
    return x;
  }
}
