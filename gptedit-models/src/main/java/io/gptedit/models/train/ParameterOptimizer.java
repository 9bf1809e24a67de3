package io.gptedit.models.train;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * Updates named parameters in place from their gradients.
 *
 * <p>An optimizer owns its state arrays (moments, initial weights, ...) in a manager of its own; close it to free
 * them. {@link #stateTensors()} and {@link #stateScalars()} expose everything a checkpoint needs, and {@link
 * #loadState(Map, Map)} restores it, so a resumed run continues bit-exactly.
 *
 * @since 0.1
 */
public interface ParameterOptimizer extends AutoCloseable {

  /**
   * Applies one update.
   *
   * @param params the trainable parameters by name; updated in place
   * @param grads the gradients by name; a parameter without a gradient entry is left alone
   * @param lr the learning rate for this step (from a schedule)
   * @throws IllegalArgumentException if a gradient's shape differs from its parameter's
   */
  void step(Map<String, NDArray> params, Map<String, NDArray> grads, double lr);

  /**
   * Returns how many updates have been applied.
   *
   * @return the step count
   */
  long steps();

  /**
   * Returns the state arrays, named {@code <parameter>/<slot>}; the arrays are the live state (copy them to save).
   *
   * @return the state tensors
   */
  Map<String, NDArray> stateTensors();

  /**
   * Returns the scalar state (step count and, for Prodigy, the step-size estimate).
   *
   * @return the scalars by name
   */
  Map<String, Double> stateScalars();

  /**
   * Restores state saved from {@link #stateTensors()} and {@link #stateScalars()}.
   *
   * @param tensors the state arrays by name (copied in)
   * @param scalars the scalars by name
   * @throws IllegalArgumentException if a required entry is missing
   */
  void loadState(Map<String, NDArray> tensors, Map<String, Double> scalars);

  /** Frees the state arrays. */
  @Override
  void close();
}
