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
    if (!tensors.isEmpty()) {
      slots.putAll(copies(tensors, manager(tensors.values().iterator().next())));
    }
  }

  /**
   * Copies saved state arrays (named {@code <param>/<slot>}) into a manager, for an optimizer's {@code loadState}.
   *
   * @throws IllegalArgumentException if a name is not {@code <param>/<slot>}
   */
  static Map<String, NDArray> copies(Map<String, NDArray> tensors, NDManager manager) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
      checkArgument(e.getKey().contains("/"), "optimizer state name '%s' is not <param>/<slot>", e.getKey());
      NDArray copy = manager.create(e.getValue().getShape(), e.getValue().getDataType());
      e.getValue().copyTo(copy);
      out.put(e.getKey(), copy);
    }
    return out;
  }

  static void checkShapes(String name, NDArray param, NDArray grad) {
    checkShapes(name, grad, param.getShape());
  }

  static void checkShapes(String name, NDArray grad, ai.djl.ndarray.types.Shape expected) {
    checkArgument(
        expected.equals(grad.getShape()),
        "gradient of '%s' has shape %s, parameter has %s",
        name,
        grad.getShape(),
        expected);
  }

  /**
   * The Adam-family parameter update shared by the optimizers: {@code p -= stepSize * m / (sqrt(v) * vScale + eps)},
   * with its scalar operands from {@code scalars} (made once per optimizer step, not once per parameter).
   */
  static void adamUpdate(
      NDArray p, NDArray m, NDArray v, double vScale, double eps, double stepSize, StepScalars scalars) {
    try (NDArray denom = v.sqrt()) {
      if (vScale != 1) {
        denom.muli(scalars.of(vScale));
      }
      denom.addi(scalars.of(eps));
      try (NDArray update = m.div(denom)) {
        p.subi(update.muli(scalars.of(stepSize)));
      }
    }
  }

  /**
   * The scalar operands of one optimizer step, each made once and shared by every parameter's update: DJL's {@code
   * muli(Number)} makes (and frees) a scalar array from Java memory per call, which cost more than the update of a
   * small parameter. Float64, as DJL makes a {@code double} operand, so the arithmetic is unchanged.
   */
  static final class StepScalars implements AutoCloseable {
    private final NDManager manager;
    private final Map<Double, NDArray> values = new java.util.HashMap<>();

    StepScalars(NDArray like) {
      this.manager = NDManager.newBaseManager(like.getDevice());
    }

    NDArray of(double value) {
      return values.computeIfAbsent(value, manager::create);
    }

    @Override
    public void close() {
      manager.close();
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
