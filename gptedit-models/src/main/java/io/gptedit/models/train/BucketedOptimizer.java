package io.gptedit.models.train;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;

/**
 * An optimizer that updates from gradients already gathered into flat buckets ({@link ParameterBuckets}), which
 * {@link FineTuner} gathers once per step for the gradient norm, the clipping and the update.
 */
interface BucketedOptimizer {
  /**
   * Applies one update.
   *
   * @param params the trainable parameters by name; updated in place
   * @param layout the buckets' layout (the names and shapes of the gradients, in order)
   * @param gathered one flat float32 gradient per bucket (owned by the caller, changed in place)
   * @param lr the learning rate for this step
   */
  void step(Map<String, NDArray> params, ParameterBuckets layout, List<NDArray> gathered, double lr);
}
