package io.gptedit.models.train;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fp16 side of a {@link FineTuner}: float16 copies of every parameter (the ones the loss reads; trainable
 * copies require gradients), float32 gradient accumulators for the trainable ones, and the dynamic {@link
 * LossScaler}. The float32 parameters stay the master weights. A frozen parameter that is already float16 (a base
 * loaded in float16) is read as it is: no copy, no master.
 */
final class HalfPrecision {
  private final Map<String, NDArray> master;
  private final Map<String, NDArray> half;
  private final Map<String, NDArray> accumulated;
  private final List<NDArray> flat;
  private final LossScaler scaler;

  /**
   * With a layout (a bucketed optimizer's), the float32 accumulators are views of one flat array per bucket ({@link
   * #flat()}), so the optimizer reads the accumulated gradients without gathering (copying) them; with null, one
   * accumulator per trainable parameter.
   */
  HalfPrecision(
      Map<String, NDArray> master, Map<String, NDArray> trainable, LossScaler scaler, NDManager base,
      ParameterBuckets layout) {
    master.forEach(
        (n, a) ->
            checkArgument(
                a.getDataType() == DataType.FLOAT32
                    || (a.getDataType() == DataType.FLOAT16 && !trainable.containsKey(n)),
                "fp16 training needs float32 master weights for trained parameters and float32 or float16 frozen "
                    + "ones; parameter '%s' is %s",
                n,
                a.getDataType()));
    master.forEach((n, a) -> a.setRequiresGradient(false));
    this.master = master;
    this.scaler = scaler;
    Map<String, NDArray> h = new LinkedHashMap<>();
    Map<String, NDArray> acc = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : master.entrySet()) {
      if (e.getValue().getDataType() == DataType.FLOAT16) {
        h.put(e.getKey(), e.getValue()); // frozen and already float16: read as it is
        continue;
      }
      NDArray copy = e.getValue().toType(DataType.FLOAT16, true);
      copy.attach(base);
      copy.setRequiresGradient(trainable.containsKey(e.getKey()));
      h.put(e.getKey(), copy);
      if (trainable.containsKey(e.getKey()) && layout == null) {
        acc.put(e.getKey(), base.zeros(e.getValue().getShape(), DataType.FLOAT32));
      }
    }
    List<NDArray> buckets = new java.util.ArrayList<>();
    if (layout != null) {
      for (ParameterBuckets.Bucket b : layout.buckets()) {
        NDArray flat = base.zeros(new Shape(b.size()), DataType.FLOAT32);
        buckets.add(flat);
        List<NDArray> views = ParameterBuckets.views(b, flat);
        for (int i = 0; i < views.size(); i++) {
          acc.put(b.slots().get(i).name(), views.get(i));
        }
      }
    }
    this.half = Collections.unmodifiableMap(h);
    this.accumulated = Collections.unmodifiableMap(acc);
    this.flat = layout == null ? null : List.copyOf(buckets);
  }

  /** The accumulators' flat buckets (in the layout's order), or null without a layout. */
  List<NDArray> flat() {
    return flat;
  }

  /** The float16 copies, by name: what the loss function reads. */
  Map<String, NDArray> views() {
    return half;
  }

  /** The float32 gradient accumulators of the trainable parameters. */
  Map<String, NDArray> accumulated() {
    return accumulated;
  }

  LossScaler scaler() {
    return scaler;
  }

  /**
   * Adds the float16 copies' gradients, in float32, to the accumulators and zeroes them: per tensor, one in-place
   * addition of the float16 gradient to its float32 accumulator (the engine widens each value as it adds: the same
   * float32 sums, bit for bit, as a cast followed by an addition) and one {@code zero_} of the gradient (which also
   * clears an overflow's infinities). With a layout the accumulators are views of the flat buckets, so the optimizer
   * reads them without gathering. This replaced, with a layout, a concatenation of each bucket's float16 gradients,
   * a cast and one addition per bucket: fewer calls, but 22 bytes of memory traffic per value instead of 10, and on
   * the CPU, where the engine's float16 concatenation and cast are slow, 2 to 32 times slower (600 tensors of 64
   * values; 60 of 262,144: {@code HalfPrecisionBenchmark}, docs/benchmarks.md).
   */
  void accumulateGradients() {
    for (Map.Entry<String, NDArray> e : accumulated.entrySet()) {
      NDArray copy = half.get(e.getKey());
      try (NDArray g16 = FineTuner.gradientOf(e.getKey(), copy)) {
        e.getValue().addi(g16);
      }
      zeroGradient(copy);
    }
  }

  /**
   * PyTorch's {@code grad.zero_()} as DJL's PyTorch engine exposes it ({@code JniUtils.zeroGrad}), found at run time
   * because the engine is a runtime dependency; null on another engine.
   */
  private static final MethodHandle ZERO_GRAD = zeroGradHandle();

  private static MethodHandle zeroGradHandle() {
    try {
      Class<?> array = Class.forName("ai.djl.pytorch.engine.PtNDArray");
      Class<?> jni = Class.forName("ai.djl.pytorch.jni.JniUtils");
      return MethodHandles.publicLookup()
          .findStatic(jni, "zeroGrad", MethodType.methodType(void.class, array))
          .asType(MethodType.methodType(void.class, NDArray.class));
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }

  /** Zeroes a float16 copy's gradient in place: one native call on PyTorch, an indexed fill elsewhere. */
  static void zeroGradient(NDArray copy) {
    if (ZERO_GRAD != null && copy.getClass().getName().equals("ai.djl.pytorch.engine.PtNDArray")) {
      try {
        ZERO_GRAD.invokeExact(copy);
        return;
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable e) {
        throw new IllegalStateException("zeroing the gradient of a float16 copy failed", e);
      }
    }
    try (NDArray g = copy.getGradient();
        NDManager scope = g.getManager().newSubManager()) {
      g.set(new NDIndex(":"), scope.zeros(new Shape(), g.getDataType()));
    }
  }

  /**
   * Copies the named master weights into their float16 copies: one copy per tensor that rounds each value to float16
   * as it goes (as a cast does, bit for bit), in place. It was a cast into a new array and then DJL's indexed copy of
   * that array: two kernels, an allocation, and 10 bytes of memory traffic per value instead of 6 (about 600
   * tensors and 4 B values at Kontext-dev's stage 2). Gathering a bucket's masters into one array first would take
   * fewer calls but more traffic (the masters are separate tensors), and measured slower on the CPU as well.
   */
  void refresh(Collection<String> names) {
    for (String n : names) {
      NDArray copy = half.get(n);
      NDArray weights = master.get(n);
      if (copy != weights) { // a frozen parameter given in float16 is its own copy
        copy.set(new NDIndex(":"), weights);
      }
    }
  }
}
