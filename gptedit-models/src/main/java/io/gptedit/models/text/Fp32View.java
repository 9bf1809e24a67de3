package io.gptedit.models.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.gptedit.models.nn.Layers;
import io.gptedit.models.nn.ModelWeights;

/**
 * Reads a text encoder's parameters as float32 inside a forward's scope. Parameters stored as float16 (half the
 * memory) are widened per use: the encoders compute in float32 either way, because T5 v1.1's activations overflow
 * float16 (transformers keeps its {@code wo} in float32 and clamps for the same reason).
 */
final class Fp32View {
  private Fp32View() {}

  /** Returns the parameter, or a float32 copy owned by {@code scope} when it is stored as float16. */
  static NDArray get(ModelWeights p, String name, NDManager scope) {
    NDArray w = p.get(name);
    if (w.getDataType() == DataType.FLOAT32) {
      return w;
    }
    // A one-element float32 operand first: type promotion makes the sum float32, and it belongs to the scope, never
    // to the parameters' manager (a cast would attach there).
    return scope.zeros(new Shape(1)).add(w);
  }

  /** {@code x W^T + b} with float32 weights (through {@link Layers#linear} when stored as float32). */
  static NDArray linear(NDArray x, ModelWeights p, String prefix, NDManager scope) {
    if (p.get(prefix + ".weight").getDataType() == DataType.FLOAT32) {
      return Layers.linear(x, p, prefix);
    }
    NDArray w = get(p, prefix + ".weight", scope);
    NDArray b = p.has(prefix + ".bias") ? get(p, prefix + ".bias", scope) : null;
    return x.getNDArrayInternal().linear(x, w, b).singletonOrThrow();
  }
}
