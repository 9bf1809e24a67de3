package io.gptedit.models.safetensors;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * One tensor's entry in a safetensors header.
 *
 * @param name the tensor name
 * @param dtype the element type
 * @param shape the shape (empty for a scalar)
 * @param begin the first byte, relative to the start of the data section
 * @param end one past the last byte, relative to the start of the data section
 * @since 0.1
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {

  /** Validates the entry and copies the shape. */
  public TensorInfo {
    requireNonNull(name, "name");
    requireNonNull(dtype, "dtype");
    shape = shape.clone();
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException("bad offsets [" + begin + ", " + end + ") for " + name);
    }
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /**
   * Returns the number of elements (1 for a scalar).
   *
   * @return the product of the shape
   */
  public long elementCount() {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /**
   * Returns the number of data bytes.
   *
   * @return {@code end - begin}
   */
  public long byteLength() {
    return end - begin;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorInfo t
        && name.equals(t.name)
        && dtype == t.dtype
        && Arrays.equals(shape, t.shape)
        && begin == t.begin
        && end == t.end;
  }

  @Override
  public int hashCode() {
    return (name.hashCode() * 31 + dtype.hashCode()) * 31 + Arrays.hashCode(shape) + Long.hashCode(begin);
  }

  @Override
  public String toString() {
    return name + " " + dtype + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
  }
}
