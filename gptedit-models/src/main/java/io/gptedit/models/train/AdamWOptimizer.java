package io.gptedit.models.train;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), as PyTorch's {@code torch.optim.AdamW} computes it:
 *
 * <pre>
 *   p &lt;- p (1 - lr wd)
 *   m &lt;- b1 m + (1 - b1) g            v &lt;- b2 v + (1 - b2) g^2
 *   p &lt;- p - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 *
 * The paper's stage 2 uses lr 1e-6, betas (0.9, 0.99) and weight decay 0.
 *
 * @param beta1 the first-moment decay, in [0, 1)
 * @param beta2 the second-moment decay, in [0, 1)
 * @param eps added to the denominator, positive
 * @param weightDecay the decoupled weight decay, non-negative
 * @since 0.1
 */
public record AdamWOptimizer(double beta1, double beta2, double eps, double weightDecay) {

  /**
   * Validates the hyper-parameters.
   *
   * @throws IllegalArgumentException if one is out of range
   */
  public AdamWOptimizer {
    checkArgument(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1), got %s", beta1);
    checkArgument(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1), got %s", beta2);
    checkArgument(eps > 0, "eps must be > 0, got %s", eps);
    checkArgument(weightDecay >= 0, "weightDecay must be >= 0, got %s", weightDecay);
  }

  /**
   * Returns PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, weight decay 0.01.
   *
   * @return the defaults
   */
  public static AdamWOptimizer defaults() {
    return new AdamWOptimizer(0.9, 0.999, 1e-8, 0.01);
  }

  /**
   * Returns the paper's stage-2 settings: betas (0.9, 0.99), eps 1e-8, weight decay 0.
   *
   * @return the stage-2 hyper-parameters
   */
  public static AdamWOptimizer paperStage2() {
    return new AdamWOptimizer(0.9, 0.99, 1e-8, 0.0);
  }

  /**
   * Creates an optimizer with these hyper-parameters and empty state.
   *
   * @return a new optimizer; close it to free its state
   */
  public ParameterOptimizer create() {
    return new Impl(this);
  }

  /**
   * The implementation: the moments live in flat float32 buckets ({@link ParameterBuckets}), so a step is a few
   * ops per bucket plus one in-place update per parameter, whatever the number of tensors. The arithmetic per
   * value is the same as the per-tensor form in the class comment (same ops, same order, same operand types).
   */
  private static final class Impl implements ParameterOptimizer, BucketedOptimizer {
    private static final String M = "exp_avg";
    private static final String V = "exp_avg_sq";
    private final AdamWOptimizer h;
    private NDManager manager;
    private ParameterBuckets layout;
    private final List<NDArray> m = new ArrayList<>();
    private final List<NDArray> v = new ArrayList<>();
    /** One bucket's worth of float32 that updates are computed into, and its views per bucket and slot. */
    private final List<List<NDArray>> updateViews = new ArrayList<>();
    private final List<NDArray> updateHeads = new ArrayList<>();
    /** The state by {@code <param>/<slot>}: views of the buckets (or, before the first step, loaded copies). */
    private final Map<String, NDArray> named = new LinkedHashMap<>();
    private long t;

    /** The hyper-parameters, for provenance records. */
    @Override
    public String toString() {
      return h.toString();
    }

    Impl(AdamWOptimizer h) {
      this.h = h;
    }

    @Override
    public void step(Map<String, NDArray> params, Map<String, NDArray> grads, double lr) {
      Map<String, NDArray> present = new LinkedHashMap<>();
      for (Map.Entry<String, NDArray> e : params.entrySet()) {
        NDArray g = grads.get(e.getKey());
        if (g != null) {
          OptimizerState.checkShapes(e.getKey(), e.getValue(), g);
          present.put(e.getKey(), g);
        }
      }
      if (present.isEmpty()) {
        t++;
        return;
      }
      ParameterBuckets l = ParameterBuckets.of(present, ParameterBuckets.DEFAULT_CAPACITY);
      try (NDManager scope = present.values().iterator().next().getManager().newSubManager()) {
        step(params, l, l.gather(present, scope), lr);
      }
    }

    @Override
    public void step(Map<String, NDArray> params, ParameterBuckets l, List<NDArray> gathered, double lr) {
      checkArgument(
          gathered.size() == l.buckets().size(), "%s gathered arrays for %s buckets", gathered.size(),
          l.buckets().size());
      t++;
      double bc1 = 1 - Math.pow(h.beta1, t);
      double bc2Sqrt = Math.sqrt(1 - Math.pow(h.beta2, t));
      if (l.buckets().isEmpty()) {
        return;
      }
      useLayout(l, gathered.get(0));
      double vScale = 1 / bc2Sqrt;
      double stepSize = lr / bc1;
      try (OptimizerState.StepScalars sc = new OptimizerState.StepScalars(gathered.get(0))) {
        for (int b = 0; b < gathered.size(); b++) {
          ParameterBuckets.Bucket bucket = l.buckets().get(b);
          NDArray g = gathered.get(b);
          NDArray mb = m.get(b);
          NDArray vb = v.get(b);
          if (h.weightDecay != 0) {
            for (ParameterBuckets.Slot s : bucket.slots()) {
              param(params, s).muli(sc.of(1 - lr * h.weightDecay));
            }
          }
          try (NDArray gSq = g.square()) {
            vb.muli(sc.of(h.beta2)).addi(gSq.muli(sc.of(1 - h.beta2)));
          }
          mb.muli(sc.of(h.beta1)).addi(g.muli(sc.of(1 - h.beta1)));
          try (NDArray denom = vb.sqrt()) {
            if (vScale != 1) {
              denom.muli(sc.of(vScale));
            }
            denom.addi(sc.of(h.eps));
            if (bucket.slots().size() == 1) {
              ParameterBuckets.Slot s = bucket.slots().get(0);
              try (NDArray update = mb.div(denom);
                  NDArray shaped = update.reshape(s.shape())) {
                param(params, s).subi(shaped.muli(sc.of(stepSize)));
              }
            } else {
              NDArray update = updateHeads.get(b);
              update.set(ALL, mb);
              update.divi(denom).muli(sc.of(stepSize));
              List<NDArray> views = updateViews.get(b);
              for (int i = 0; i < views.size(); i++) {
                param(params, bucket.slots().get(i)).subi(views.get(i));
              }
            }
          }
        }
      }
    }

    private static NDArray param(Map<String, NDArray> params, ParameterBuckets.Slot s) {
      NDArray p = params.get(s.name());
      checkArgument(p != null, "no parameter '%s' for its gradient", s.name());
      return p;
    }

    /** Makes the flat state match a layout: on first use, or (rarely) when the set of gradients changes. */
    private void useLayout(ParameterBuckets l, NDArray like) {
      if (l.equals(layout)) {
        return;
      }
      // The old manager (null before the first step without a loaded state) owns the state being replaced.
      NDManager old = manager;
      manager = NDManager.newBaseManager(like.getDevice());
      // The current state per parameter (views of the old buckets, or loaded copies), gathered into the new layout
      // bucket by bucket; a bucket without any starts from zeros made flat (no per-tensor zeros and no copy: at the
      // first step of a billions-of-values selection that would double the moments' memory), and a parameter seen
      // for the first time starts from zeros, as PyTorch's lazily created state does.
      m.clear();
      v.clear();
      java.util.Set<String> inLayout = new java.util.HashSet<>();
      for (ParameterBuckets.Bucket b : l.buckets()) {
        boolean any = false;
        for (ParameterBuckets.Slot s : b.slots()) {
          inLayout.add(s.name());
          any |= named.containsKey(s.name() + "/" + M) || named.containsKey(s.name() + "/" + V);
        }
        if (!any) {
          m.add(manager.zeros(new Shape(b.size()), DataType.FLOAT32));
          v.add(manager.zeros(new Shape(b.size()), DataType.FLOAT32));
          continue;
        }
        try (NDManager tmp = old.newSubManager()) {
          Map<String, NDArray> ms = new LinkedHashMap<>();
          Map<String, NDArray> vs = new LinkedHashMap<>();
          for (ParameterBuckets.Slot s : b.slots()) {
            ms.put(s.name(), stateOr(s, M, tmp));
            vs.put(s.name(), stateOr(s, V, tmp));
          }
          m.add(ParameterBuckets.gather(b, ms, manager));
          v.add(ParameterBuckets.gather(b, vs, manager));
        }
      }
      // The state of parameters without a gradient this time is kept as it is (per tensor), for when they have one.
      Map<String, NDArray> parked = new LinkedHashMap<>();
      named.forEach((key, a) -> {
        if (!inLayout.contains(key.substring(0, key.lastIndexOf('/')))) {
          NDArray copy = a.duplicate();
          copy.attach(manager);
          parked.put(key, copy);
        }
      });
      if (old != null) {
        old.close();
      }
      named.clear();
      named.putAll(parked);
      updateHeads.clear();
      updateViews.clear();
      long scratchSize = 0;
      for (ParameterBuckets.Bucket b : l.buckets()) {
        if (b.slots().size() > 1) {
          scratchSize = Math.max(scratchSize, b.size());
        }
      }
      NDArray scratch = scratchSize == 0 ? null : manager.zeros(new Shape(scratchSize), DataType.FLOAT32);
      for (int i = 0; i < l.buckets().size(); i++) {
        ParameterBuckets.Bucket b = l.buckets().get(i);
        name(b, m.get(i), M);
        name(b, v.get(i), V);
        if (b.slots().size() > 1) {
          NDArray head = scratch.get(new NDIndex("0:" + b.size()));
          updateHeads.add(head);
          updateViews.add(ParameterBuckets.views(b, head));
        } else {
          updateHeads.add(null);
          updateViews.add(List.of());
        }
      }
      layout = l;
    }

    private NDArray stateOr(ParameterBuckets.Slot s, String slot, NDManager owner) {
      NDArray a = named.get(s.name() + "/" + slot);
      if (a != null) {
        OptimizerState.checkShapes(s.name() + "/" + slot, a, s.shape());
        return a;
      }
      return owner.zeros(s.shape(), DataType.FLOAT32);
    }

    private void name(ParameterBuckets.Bucket b, NDArray flat, String slot) {
      List<NDArray> views = ParameterBuckets.views(b, flat);
      for (int i = 0; i < views.size(); i++) {
        named.put(b.slots().get(i).name() + "/" + slot, views.get(i));
      }
    }

    @Override
    public long steps() {
      return t;
    }

    @Override
    public Map<String, NDArray> stateTensors() {
      return new java.util.TreeMap<>(named);
    }

    @Override
    public Map<String, Double> stateScalars() {
      return Map.of("step", (double) t);
    }

    @Override
    public void loadState(Map<String, NDArray> tensors, Map<String, Double> scalars) {
      Device device = tensors.isEmpty() ? Device.cpu() : tensors.values().iterator().next().getDevice();
      NDManager loaded = NDManager.newBaseManager(device);
      Map<String, NDArray> copies = OptimizerState.copies(tensors, loaded);
      t = (long) OptimizerState.scalar(scalars, "step");
      close();
      manager = loaded;
      named.putAll(copies);
    }

    @Override
    public void close() {
      if (manager != null) {
        manager.close();
        manager = null;
      }
      layout = null;
      m.clear();
      v.clear();
      updateHeads.clear();
      updateViews.clear();
      named.clear();
    }
  }

  private static final NDIndex ALL = new NDIndex(":");
}
