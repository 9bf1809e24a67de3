package io.gptedit.models.train;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The trainable tensors laid out back to back in flat buckets, so that the optimizer's arithmetic over a whole model
 * runs as a few large ops instead of a dozen small ones per tensor (what PyTorch's multi-tensor {@code foreach}
 * optimizers do on a GPU, and what DeepSpeed's flat gradient buckets do).
 *
 * <p>Why: on a model of many small tensors, every op's fixed cost (the engine's dispatch, and in Java the native
 * call and the array wrapper) outweighs its arithmetic. The lab's small config has 62 trainable tensors; a
 * per-tensor AdamW step with clipping and the gradient norm made about 1,400 native calls. With buckets, the
 * gradients are gathered once per bucket ({@link #gather}), the norm, the clipping and the moment updates are a
 * handful of ops per bucket, and only the final in-place update touches each tensor.
 *
 * <p>Buckets hold whole tensors in the given order and are closed when the next tensor would take them past {@code
 * capacity} values; a tensor larger than that gets a bucket of its own. The capacity bounds the temporaries of
 * one bucket's arithmetic (a gathered gradient and a denominator: two buckets' worth of float32), so that at scale
 * (billions of trainable values) the flat layout costs hundreds of MiB, not another copy of the gradients.
 *
 * <p>A layout is a value: two layouts of the same names, shapes and capacity are equal, so an optimizer keeps its
 * flat state as long as it is handed the same layout.
 */
final class ParameterBuckets {
  /**
   * The default capacity: 2^26 float32 values (256 MiB) per bucket. Measured on an H200 with the Kontext-dev stage-2
   * selection (3.9 B trainable values): with 2^22 (940 buckets, some 20 kernel launches each) the optimizer side of a
   * step cost about 400 ms more than PyTorch's; larger buckets make it a few dozen launches per step.
   */
  static final long DEFAULT_CAPACITY = 1L << 26;

  /**
   * One tensor's place.
   *
   * @param name the parameter's name
   * @param shape its shape
   * @param offset its first value's index in the bucket
   */
  record Slot(String name, Shape shape, long offset) {
    long size() {
      return shape.size();
    }
  }

  /**
   * One bucket.
   *
   * @param slots its tensors, in order
   * @param size its values
   */
  record Bucket(List<Slot> slots, long size) {
    Bucket {
      slots = List.copyOf(slots);
    }

    /** The split points of the bucket's flat array, for {@code NDArray.split(long[])}. */
    long[] splitPoints() {
      long[] points = new long[slots.size() - 1];
      for (int i = 1; i < slots.size(); i++) {
        points[i - 1] = slots.get(i).offset();
      }
      return points;
    }
  }

  private final List<Bucket> buckets;
  private final long capacity;

  private ParameterBuckets(List<Bucket> buckets, long capacity) {
    this.buckets = List.copyOf(buckets);
    this.capacity = capacity;
  }

  /**
   * Lays out tensors in their iteration order.
   *
   * @param tensors the tensors by name (parameters or their gradients: only names and shapes are read)
   * @param capacity values per bucket before a new one is started, positive
   * @return the layout
   */
  static ParameterBuckets of(Map<String, NDArray> tensors, long capacity) {
    checkArgument(capacity > 0, "capacity must be positive, got %s", capacity);
    List<Bucket> out = new ArrayList<>();
    List<Slot> current = new ArrayList<>();
    long size = 0;
    for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
      Shape shape = e.getValue().getShape();
      long n = shape.size();
      if (!current.isEmpty() && size + n > capacity) {
        out.add(new Bucket(current, size));
        current = new ArrayList<>();
        size = 0;
      }
      current.add(new Slot(e.getKey(), shape, size));
      size += n;
    }
    if (!current.isEmpty()) {
      out.add(new Bucket(current, size));
    }
    return new ParameterBuckets(out, capacity);
  }

  List<Bucket> buckets() {
    return buckets;
  }

  /** The largest bucket's size in values. */
  long largest() {
    long max = 0;
    for (Bucket b : buckets) {
      max = Math.max(max, b.size());
    }
    return max;
  }

  /**
   * Gathers tensors into one new float32 array per bucket (a copy: the caller owns and may change it).
   *
   * @param tensors the tensors by name; must hold every slot's name with its shape
   * @param manager owns the gathered arrays
   * @return one 1-D array per bucket
   */
  List<NDArray> gather(Map<String, NDArray> tensors, NDManager manager) {
    List<NDArray> out = new ArrayList<>(buckets.size());
    for (Bucket b : buckets) {
      out.add(gather(b, tensors, manager));
    }
    return out;
  }

  /**
   * Gathers one bucket's tensors into a new float32 array.
   *
   * @param b the bucket
   * @param tensors the tensors by name; must hold every slot's name with its shape
   * @param manager owns the gathered array
   * @return a 1-D array of the bucket's size
   */
  static NDArray gather(Bucket b, Map<String, NDArray> tensors, NDManager manager) {
    try (NDManager scope = manager.newSubManager()) {
      NDList parts = new NDList(b.slots().size() + 1);
      for (Slot s : b.slots()) {
        NDArray t = tensors.get(s.name());
        checkArgument(t != null, "no tensor '%s' to gather", s.name());
        checkArgument(
            t.getShape().equals(s.shape()), "'%s' has shape %s, the layout has %s", s.name(), t.getShape(),
            s.shape());
        NDArray flat = t.reshape(-1);
        flat.attach(scope);
        parts.add(flat);
      }
      if (parts.size() == 1) {
        // The engine's concatenation copies; with one part it needs a second (empty) one: NDArrays.concat would
        // copy a single array through Java memory, and toType(same type, true) returns the same tensor.
        parts.add(scope.zeros(new Shape(0), parts.head().getDataType()));
      }
      NDArray gathered = parts.head().getNDArrayInternal().concat(parts.subNDList(1), 0);
      if (gathered.getDataType() != DataType.FLOAT32) {
        gathered = gathered.toType(DataType.FLOAT32, false);
      }
      gathered.attach(manager);
      return gathered;
    }
  }

  /**
   * Returns views of a bucket's flat array per slot, in the slots' shapes (owned by the flat array's manager).
   *
   * @param b the bucket
   * @param flat a 1-D array of the bucket's size
   * @return one view per slot, in order
   */
  static List<NDArray> views(Bucket b, NDArray flat) {
    List<NDArray> out = new ArrayList<>(b.slots().size());
    NDList parts = b.slots().size() == 1 ? new NDList(flat) : flat.split(b.splitPoints());
    for (int i = 0; i < parts.size(); i++) {
      out.add(parts.get(i).reshape(b.slots().get(i).shape()));
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ParameterBuckets other && capacity == other.capacity && buckets.equals(other.buckets);
  }

  @Override
  public int hashCode() {
    return buckets.hashCode() * 31 + Long.hashCode(capacity);
  }

  @Override
  public String toString() {
    return buckets.size() + " bucket(s), largest " + largest() + " values";
  }
}
