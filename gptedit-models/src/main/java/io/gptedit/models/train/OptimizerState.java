package io.gptedit.models.train;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Slot arrays per parameter, owned by one manager. Shared by the optimizers in this package. */
final class OptimizerState implements AutoCloseable {
  private NDManager manager;
  private final Map<String, NDArray> slots = new TreeMap<>();

  /** The state lives on the device of the first parameter it sees. */
  private NDManager manager(NDArray like) {
    if (manager == null) {
      manager = NDManager.newBaseManager(like.getDevice());
    }
    return manager;
  }

  /** Returns the slot, creating it as zeros (or a copy of {@code init}) on first use. */
  NDArray slot(String param, String slot, NDArray like, boolean copyOfLike) {
    return slots.computeIfAbsent(
        param + "/" + slot,
        k -> {
          NDManager m = manager(like);
          NDArray a = copyOfLike ? like.duplicate() : m.zeros(like.getShape(), like.getDataType());
          a.attach(m);
          return a;
        });
  }

  boolean has(String param, String slot) {
    return slots.containsKey(param + "/" + slot);
  }

  Map<String, NDArray> all() {
    return new LinkedHashMap<>(slots);
  }

  void load(Map<String, NDArray> tensors) {
    for (NDArray a : slots.values()) {
      a.close();
    }
    slots.clear();
    for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
      checkArgument(e.getKey().contains("/"), "optimizer state name '%s' is not <param>/<slot>", e.getKey());
      NDArray copy = manager(e.getValue()).create(e.getValue().getShape(), e.getValue().getDataType());
      e.getValue().copyTo(copy);
      slots.put(e.getKey(), copy);
    }
  }

  static void checkShapes(String name, NDArray param, NDArray grad) {
    checkArgument(
        param.getShape().equals(grad.getShape()),
        "gradient of '%s' has shape %s, parameter has %s",
        name,
        grad.getShape(),
        param.getShape());
  }

  /**
   * The Adam-family parameter update shared by the optimizers: {@code p -= stepSize * m / (sqrt(v) * vScale + eps)}.
   */
  static void adamUpdate(NDArray p, NDArray m, NDArray v, double vScale, double eps, double stepSize) {
    try (NDArray denom = v.sqrt();
        NDArray update = m.duplicate()) {
      if (vScale != 1) {
        denom.muli(vScale);
      }
      denom.addi(eps);
      update.divi(denom).muli(stepSize);
      p.subi(update);
    }
  }

  static double scalar(Map<String, Double> scalars, String key) {
    Double v = scalars.get(key);
    checkArgument(v != null, "optimizer state lacks scalar '%s' (has %s)", key, scalars.keySet());
    return v;
  }

  @Override
  public void close() {
    if (manager != null) {
      manager.close();
    }
  }
}
