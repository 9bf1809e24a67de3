package io.gptedit.models.nn;

import static java.util.Objects.requireNonNull;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Block-wise activation checkpointing for DJL's engine-agnostic autograd.
 *
 * <p>A model that checkpoints (for example {@code FluxTransformer} with {@code setActivationCheckpointing(true)})
 * runs its blocks without recording, keeping only each block's input, and makes the last block's output a fresh
 * leaf that the rest of the graph is recorded from. It then {@link #defer defers} a {@link Recomputation}: once
 * the loss has been back-propagated to that leaf, the recomputation runs each block again, in reverse, with
 * recording, and back-propagates the upstream gradient through it (as the scalar {@code sum(out * upstream)},
 * whose gradient with respect to {@code out} is exactly {@code upstream}). Peak memory then holds one block's
 * saved activations instead of all of them, for one more forward pass of the blocks.
 *
 * <p>Deferred recomputations belong to the thread that ran the forward pass (as PyTorch's autograd tape does);
 * {@link #backward} back-propagates a loss and then runs this thread's pending recomputations, last first. A
 * training loop must call it instead of {@code collector.backward(loss)} (the library's {@code FineTuner} does).
 * Recomputations whose manager has been closed are dropped.
 *
 * @since 0.1
 */
public final class ActivationCheckpointing {
  private static final ThreadLocal<Deque<Pending>> PENDING = ThreadLocal.withInitial(ArrayDeque::new);

  private record Pending(Recomputation work, NDManager owner) {}

  /** The deferred backward pass of a checkpointed segment. */
  @FunctionalInterface
  public interface Recomputation {
    /**
     * Recomputes the segment with recording and back-propagates the gradient that has reached its output.
     *
     * @param collector the collector of the running backward pass
     */
    void backward(GradientCollector collector);
  }

  private ActivationCheckpointing() {}

  /**
   * Registers a segment's backward pass, to run after the next {@link #backward} on this thread.
   *
   * @param work the recomputation
   * @param owner the manager owning the segment's saved inputs (a closed owner drops the recomputation)
   */
  public static void defer(Recomputation work, NDManager owner) {
    requireNonNull(work, "work");
    requireNonNull(owner, "owner");
    Deque<Pending> q = PENDING.get();
    q.removeIf(p -> !p.owner().isOpen());
    q.push(new Pending(work, owner));
  }

  /**
   * Back-propagates a loss, then runs the recomputations this thread has deferred, last first.
   *
   * @param collector the open gradient collector
   * @param loss the scalar loss
   */
  public static void backward(GradientCollector collector, NDArray loss) {
    requireNonNull(collector, "collector");
    try {
      collector.backward(loss);
      Deque<Pending> q = PENDING.get();
      while (!q.isEmpty()) {
        Pending p = q.pop();
        if (p.owner().isOpen()) {
          p.work().backward(collector);
        }
      }
    } finally {
      PENDING.get().clear();
    }
  }

  /**
   * Drops this thread's pending recomputations (for a forward pass whose loss is never back-propagated).
   *
   * @return how many were dropped
   */
  public static int discardPending() {
    Deque<Pending> q = PENDING.get();
    int n = q.size();
    q.clear();
    return n;
  }

  /**
   * Back-propagates upstream gradients through several outputs at once: the scalar {@code sum_i sum(out_i * g_i)}.
   * Null gradients are skipped. When no output is connected to anything that requires gradients (a frozen part
   * of the model fed with data), there is nothing to propagate and nothing happens.
   *
   * @param collector the open gradient collector
   * @param upstream each output with the gradient that has reached it
   */
  public static void backwardWith(GradientCollector collector, Map<NDArray, NDArray> upstream) {
    NDArray total = null;
    for (Map.Entry<NDArray, NDArray> e : upstream.entrySet()) {
      if (e.getValue() != null) {
        NDArray term = e.getKey().mul(e.getValue()).sum();
        total = total == null ? term : total.add(term);
      }
    }
    if (total == null) {
      return;
    }
    try {
      collector.backward(total);
    } catch (EngineException ex) {
      // DJL cannot ask whether a non-leaf is part of the graph (hasGradient answers for leaves only); libtorch
      // refuses a backward from a value that is not, and then there is nothing to propagate.
      String msg = String.valueOf(ex.getMessage());
      if (!msg.contains("does not require grad")) {
        throw ex;
      }
    }
  }

  /**
   * Runs a piece of a forward pass without recording, engine-agnostically: every parameter that requires
   * gradients is switched off for the duration (inputs must already be detached) and switched back after.
   *
   * @param parameters the parameters the piece reads
   * @param body the piece
   * @param <T> its result
   * @return the result
   */
  public static <T> T withoutRecording(Iterable<NDArray> parameters, java.util.function.Supplier<T> body) {
    List<NDArray> switched = new ArrayList<>();
    try {
      for (NDArray p : parameters) {
        if (p.hasGradient()) {
          p.setRequiresGradient(false);
          switched.add(p);
        }
      }
      return body.get();
    } finally {
      for (NDArray p : switched) {
        p.setRequiresGradient(true);
      }
    }
  }

  /**
   * Returns a leaf's gradient: zeros if the backward pass did not reach it, null if it does not require gradients.
   *
   * @param leaf a leaf
   * @return its gradient, or null
   */
  public static NDArray gradientOrNull(NDArray leaf) {
    try {
      return leaf.getGradient();
    } catch (IllegalStateException ex) {
      return null;
    }
  }
}
