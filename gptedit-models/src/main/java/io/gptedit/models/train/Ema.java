package io.gptedit.models.train;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An exponential moving average of weights: after each optimizer step,
 * {@code shadow <- decay * shadow + (1 - decay) * param}. The shadow copies live in the EMA's own manager.
 */
final class Ema implements AutoCloseable {
  private final double decay;
  private final NDManager manager;
  private final Map<String, NDArray> shadow = new LinkedHashMap<>();

  /**
   * Starts an average at the current weights.
   *
   * @param params the parameters to track
   * @param decay the decay, in [0, 1)
   */
  public Ema(Map<String, NDArray> params, double decay) {
    checkArgument(decay >= 0 && decay < 1, "decay must be in [0, 1), got %s", decay);
    this.decay = decay;
    checkArgument(!params.isEmpty(), "an EMA needs at least one parameter");
    this.manager = NDManager.newBaseManager(params.values().iterator().next().getDevice());
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      NDArray copy = e.getValue().duplicate();
      copy.attach(manager);
      shadow.put(e.getKey(), copy);
    }
  }

  /**
   * Folds the current weights into the average.
   *
   * @param params the parameters, by the same names as at construction
   */
  public void update(Map<String, NDArray> params) {
    for (Map.Entry<String, NDArray> e : shadow.entrySet()) {
      NDArray p = params.get(e.getKey());
      checkArgument(p != null, "EMA tracks '%s' but it is not among the parameters", e.getKey());
      try (NDArray part = p.mul(1 - decay)) {
        e.getValue().muli(decay).addi(part);
      }
    }
  }

  /**
   * Returns the averaged weights (live arrays owned by this object).
   *
   * @return the shadow weights by name
   */
  public Map<String, NDArray> weights() {
    return shadow;
  }

  @Override
  public void close() {
    manager.close();
  }
}
