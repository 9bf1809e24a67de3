package io.gptedit.models.nn;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ordered list of a model's parameters: name (diffusers naming), shape and how to initialise it randomly.
 *
 * <p>Models declare their parameters here once; loading, random initialisation, saving and training all go
 * through this list, so a checkpoint that names a tensor the model does not declare is "unexpected" and a
 * declared tensor the checkpoint lacks is "missing".
 *
 * @since 0.1
 */
public final class ParameterSpec {
  /** How a parameter starts when a model is created with random weights. */
  public enum Init {
    /** Gaussian with standard deviation 1/sqrt(fan in) (the product of all dimensions but the first). */
    FAN_IN,
    /** Gaussian with standard deviation 0.02 (biases, embeddings). */
    SMALL,
    /** One plus a Gaussian of standard deviation 0.1 (norm scales). */
    NEAR_ONE,
    /** All zeros. */
    ZERO
  }

  /**
   * One declared parameter.
   *
   * @param name the parameter name
   * @param shape its shape
   * @param init its random initialisation
   */
  public record Entry(String name, Shape shape, Init init) {
    /** Validates the entry. */
    public Entry {
      requireNonNull(name, "name");
      requireNonNull(shape, "shape");
      requireNonNull(init, "init");
    }
  }

  private final Map<String, Entry> entries = new LinkedHashMap<>();

  /** Creates an empty spec. */
  public ParameterSpec() {}

  /**
   * Declares a parameter.
   *
   * @param name the name
   * @param init the random initialisation
   * @param dims the shape
   * @return this spec
   * @throws IllegalArgumentException if the name is declared twice
   */
  public ParameterSpec add(String name, Init init, long... dims) {
    if (entries.putIfAbsent(name, new Entry(name, new Shape(dims), init)) != null) {
      throw new IllegalArgumentException("parameter declared twice: " + name);
    }
    return this;
  }

  /**
   * Declares a linear layer's {@code weight} (out, in) and {@code bias} (out).
   *
   * @param prefix the layer name, for example {@code x_embedder}
   * @param in input features
   * @param out output features
   * @param bias whether the layer has a bias
   * @return this spec
   */
  public ParameterSpec linear(String prefix, long in, long out, boolean bias) {
    add(prefix + ".weight", Init.FAN_IN, out, in);
    if (bias) {
      add(prefix + ".bias", Init.SMALL, out);
    }
    return this;
  }

  /**
   * Declares a 2-D convolution's {@code weight} (out, in, k, k) and {@code bias} (out).
   *
   * @param prefix the layer name
   * @param in input channels
   * @param out output channels
   * @param kernel the kernel side
   * @return this spec
   */
  public ParameterSpec conv(String prefix, long in, long out, long kernel) {
    add(prefix + ".weight", Init.FAN_IN, out, in, kernel, kernel);
    add(prefix + ".bias", Init.SMALL, out);
    return this;
  }

  /**
   * Declares a normalisation layer's {@code weight} (near one) and {@code bias} (small).
   *
   * @param prefix the layer name
   * @param channels the normalised channels
   * @return this spec
   */
  public ParameterSpec norm(String prefix, long channels) {
    add(prefix + ".weight", Init.NEAR_ONE, channels);
    add(prefix + ".bias", Init.SMALL, channels);
    return this;
  }

  /**
   * Returns every declared parameter in declaration order.
   *
   * @return an unmodifiable view keyed by name
   */
  public Map<String, Entry> entries() {
    return Collections.unmodifiableMap(entries);
  }

  /**
   * Returns the total number of scalar parameters.
   *
   * @return the sum of the shapes' sizes
   */
  public long parameterCount() {
    return entries.values().stream().mapToLong(e -> e.shape().size()).sum();
  }
}
