package io.gptedit.data.index;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import io.gptedit.core.geometry.AspectPreset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The trainer's batch source: for step {@code s}, a batch of catalogued samples that all share one aspect preset
 * (an aspect-ratio bucket), drawn with mixture weights over the values of one index column (sources, tasks or
 * instruction types).
 *
 * <p><b>Resumable without replay.</b> {@link #batch(long)} is a pure function of the catalogue, the weights, the
 * batch size, the seed and the step: the step's random source is seeded from {@code (seed, step)} alone, so a run
 * resumed at step {@code s} asks for step {@code s} and gets exactly the batch an uninterrupted run got, without
 * drawing steps {@code 0 .. s-1}. Batches are drawn with replacement (like {@link DatasetIndex#sampleMixture});
 * there are no epochs (for one shuffled epoch without replacement use {@link DatasetIndex#presetBatches}).
 *
 * <p><b>Distribution.</b> Let {@code p_g} be the weight of group {@code g} normalised over the weighted groups that
 * have samples (groups without a weight, or with weight 0, are never drawn), {@code n_g} its number of samples and
 * {@code n_gb} its number in bucket {@code b}. A batch first picks its bucket with probability {@code P(b) = sum_g
 * p_g n_gb / n_g}, then fills every slot independently: a group with probability {@code p_g (n_gb / n_g) / P(b)},
 * then one of that group's samples in that bucket uniformly. Hence every draw lands in group {@code g} with
 * probability exactly {@code p_g}, and within its group every sample is equally likely, as with an unbucketed
 * mixture; only the grouping into one-bucket batches differs. Without a mixture every catalogued sample is equally
 * likely (each group weighs its size; {@code P(b)} is proportional to the bucket's size). Because the slots of a batch share its
 * bucket, group shares vary more from batch to batch than independent draws would (when groups live in different
 * buckets a batch may hold one group only); they converge to {@code p_g} over many batches (property-tested).
 *
 * <pre>{@code
 * try (DatasetIndex index = DatasetIndex.build(shards)) {
 *   TrainingBatches batches = TrainingBatches.builder()
 *       .batchSize(16).seed(42)
 *       .filter(DatasetIndex.Filter.ALL.verdict("accepted"))
 *       .mixture(DatasetIndex.Column.DATASET, Map.of("omniedit", 0.5, "hqedit", 0.3, "ultraedit", 0.2))
 *       .build(index);                        // copies the catalogue; the index may be closed now
 *   List<DatasetIndex.Entry> b = batches.batch(step);   // the same for the same seed and step, in any run
 * }
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class TrainingBatches {
  private static final String ALL = "(all)";

  private final int batchSize;
  private final long seed;
  private final long candidates;
  private final AspectPreset[] buckets;
  private final double[] bucketCdf;
  /** Per bucket: the cumulative group probabilities given the bucket. */
  private final double[][] groupCdf;
  /** Per bucket and group: the group's entries in that bucket, by key. */
  private final DatasetIndex.Entry[][][] entries;
  private final Map<String, Double> proportions;
  private final Map<AspectPreset, Double> bucketShares;

  private TrainingBatches(int batchSize, long seed, Map<String, List<DatasetIndex.Entry>> groups, Map<String, Double> weights) {
    this.batchSize = batchSize;
    this.seed = seed;
    // Groups that can be drawn: weighted (or every group without a mixture) and non-empty.
    Map<String, Double> p = new TreeMap<>();
    double total = 0;
    for (Map.Entry<String, List<DatasetIndex.Entry>> g : new TreeMap<>(groups).entrySet()) {
      double w = weights == null ? g.getValue().size() : weights.getOrDefault(g.getKey(), 0.0);
      if (w > 0 && !g.getValue().isEmpty()) {
        p.put(g.getKey(), w);
        total += w;
      }
    }
    checkArgument(total > 0, "no group with a positive weight has samples: weights %s, groups %s",
        weights == null ? "(natural)" : weights, groups.keySet());
    String[] names = p.keySet().toArray(new String[0]);
    double[] share = new double[names.length];
    Map<String, Double> props = new LinkedHashMap<>();
    for (int g = 0; g < names.length; g++) {
      share[g] = p.get(names[g]) / total;
      props.put(names[g], share[g]);
    }
    this.proportions = Collections.unmodifiableMap(props);
    // q[b][g] = p_g * n_gb / n_g.
    List<AspectPreset> used = new ArrayList<>();
    List<double[]> q = new ArrayList<>();
    List<DatasetIndex.Entry[][]> es = new ArrayList<>();
    long count = 0;
    for (AspectPreset b : AspectPreset.values()) {
      double[] qb = new double[names.length];
      DatasetIndex.Entry[][] eb = new DatasetIndex.Entry[names.length][];
      boolean any = false;
      for (int g = 0; g < names.length; g++) {
        List<DatasetIndex.Entry> all = groups.get(names[g]);
        List<DatasetIndex.Entry> in = new ArrayList<>();
        for (DatasetIndex.Entry e : all) {
          if (requireNonNull(e, "entry").preset() == b) {
            in.add(e);
          }
        }
        eb[g] = in.toArray(new DatasetIndex.Entry[0]);
        qb[g] = share[g] * in.size() / all.size();
        any |= !in.isEmpty();
        count += in.size();
      }
      if (any) {
        used.add(b);
        q.add(qb);
        es.add(eb);
      }
    }
    this.candidates = count;
    this.buckets = used.toArray(new AspectPreset[0]);
    this.entries = es.toArray(new DatasetIndex.Entry[0][][]);
    this.bucketCdf = new double[buckets.length];
    this.groupCdf = new double[buckets.length][];
    Map<AspectPreset, Double> shares = new EnumMap<>(AspectPreset.class);
    double acc = 0;
    for (int b = 0; b < buckets.length; b++) {
      double pb = Arrays.stream(q.get(b)).sum();
      acc += pb;
      bucketCdf[b] = acc;
      shares.put(buckets[b], pb);
      double[] cdf = new double[names.length];
      double a = 0;
      for (int g = 0; g < names.length; g++) {
        a += q.get(b)[g] / pb;
        cdf[g] = a;
      }
      groupCdf[b] = cdf;
    }
    this.bucketShares = Collections.unmodifiableMap(shares);
  }

  /**
   * Returns a builder (batch size 1, seed 0, every sample, no mixture until set).
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the batch of a step: {@link #batchSize()} entries of one aspect preset, in draw order.
   *
   * @param step the step, from 0; any non-negative number, in any order
   * @return the batch; the same list for the same catalogue, weights, batch size, seed and step
   */
  public List<DatasetIndex.Entry> batch(long step) {
    checkArgument(step >= 0, "step must be >= 0, got %s", step);
    SplittableRandom r = new SplittableRandom(mix(seed ^ mix(step + 0x632BE59BD9B4E019L)));
    int b = pick(bucketCdf, r.nextDouble());
    double[] cdf = groupCdf[b];
    DatasetIndex.Entry[][] eb = entries[b];
    List<DatasetIndex.Entry> out = new ArrayList<>(batchSize);
    for (int i = 0; i < batchSize; i++) {
      DatasetIndex.Entry[] g = eb[pick(cdf, r.nextDouble())];
      out.add(g[r.nextInt(g.length)]);
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * Returns the aspect preset of a step's batch (the same as every entry of {@link #batch(long)}).
   *
   * @param step the step
   * @return its bucket
   */
  public AspectPreset bucket(long step) {
    return batch(step).get(0).preset();
  }

  /** @return samples per batch */
  public int batchSize() {
    return batchSize;
  }

  /** @return the seed */
  public long seed() {
    return seed;
  }

  /** @return how many catalogued samples can be drawn (those of the drawable groups) */
  public long candidates() {
    return candidates;
  }

  /**
   * Returns the share of draws each group converges to: the weights normalised over the weighted groups that have
   * samples. Without a mixture a group's weight is its number of samples (so every sample is equally likely); a
   * source built from an index without a mixture has the single group {@code "(all)"}.
   *
   * @return group to share, in group order
   */
  public Map<String, Double> proportions() {
    return proportions;
  }

  /**
   * Returns the share of batches each aspect preset gets ({@code P(b)} above); presets without samples are absent.
   *
   * @return preset to share
   */
  public Map<AspectPreset, Double> bucketShares() {
    return bucketShares;
  }

  /** Returns the first index whose cumulative value exceeds {@code u} (the last one if rounding leaves none). */
  private static int pick(double[] cdf, double u) {
    int lo = 0;
    int hi = cdf.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (u < cdf[mid]) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    // Skip empty groups that share the cumulative value of the one before (probability 0, never chosen).
    while (lo > 0 && cdf[lo] == cdf[lo - 1]) {
      lo--;
    }
    return lo;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Builds {@link TrainingBatches}. */
  public static final class Builder {
    private int batchSize = 1;
    private long seed;
    private DatasetIndex.Filter filter = DatasetIndex.Filter.ALL;
    private DatasetIndex.Column column;
    private Map<String, Double> weights;

    private Builder() {}

    /**
     * Sets samples per batch (default 1).
     *
     * @param n at least 1
     * @return this builder
     */
    public Builder optBatchSize(int n) {
      checkArgument(n >= 1, "batchSize must be >= 1, got %s", n);
      this.batchSize = n;
      return this;
    }

    /**
     * Sets the seed (default 0).
     *
     * @param s the seed
     * @return this builder
     */
    public Builder optSeed(long s) {
      this.seed = s;
      return this;
    }

    /**
     * Restricts the catalogue read by {@link #build(DatasetIndex)} (default every sample; such as accepted only).
     *
     * @param f the filter
     * @return this builder
     */
    public Builder optFilter(DatasetIndex.Filter f) {
      this.filter = requireNonNull(f, "filter");
      return this;
    }

    /**
     * Sets mixture weights over the values of a column (default: no mixture, every sample equally likely). Values
     * without a weight are never drawn; weights of values without samples are ignored.
     *
     * @param by the column whose values the weights name ({@code null} values are {@code "(none)"})
     * @param w value to non-negative finite weight, at least one positive
     * @return this builder
     */
    public Builder optMixture(DatasetIndex.Column by, Map<String, Double> w) {
      requireNonNull(by, "column");
      checkWeights(w);
      this.column = by;
      this.weights = Map.copyOf(w);
      return this;
    }

    /**
     * Reads the catalogue from an index (the entries matching the filter, grouped by the mixture's column) and
     * builds the batch source. The result holds its own copy; the index may be closed afterwards.
     *
     * @param index the index
     * @return the batch source
     * @throws IllegalArgumentException if no drawable group has samples
     */
    public TrainingBatches build(DatasetIndex index) {
      requireNonNull(index, "index");
      Map<String, List<DatasetIndex.Entry>> groups =
          column == null ? Map.of(ALL, index.entries(filter)) : index.entriesBy(column, filter);
      return new TrainingBatches(batchSize, seed, groups, weights);
    }

    /**
     * Builds the batch source over a catalogue the caller grouped itself (such as an index's entries split further
     * by the caller): the mixture's weights name this map's keys, its column is not used; the filter is not used.
     *
     * @param groups group name to its entries (every entry once; order within a group matters for determinism)
     * @return the batch source
     * @throws IllegalArgumentException if no drawable group has samples
     */
    public TrainingBatches build(Map<String, List<DatasetIndex.Entry>> groups) {
      requireNonNull(groups, "groups");
      Map<String, List<DatasetIndex.Entry>> copy = new TreeMap<>();
      groups.forEach((k, v) -> copy.put(requireNonNull(k, "group name"), List.copyOf(v)));
      return new TrainingBatches(batchSize, seed, copy, weights);
    }

    private static void checkWeights(Map<String, Double> w) {
      requireNonNull(w, "weights");
      boolean positive = false;
      for (Map.Entry<String, Double> e : w.entrySet()) {
        Double v = e.getValue();
        checkArgument(v != null && v >= 0 && Double.isFinite(v), "weight of %s must be finite and >= 0, got %s",
            e.getKey(), v);
        positive |= v > 0;
      }
      checkArgument(positive, "at least one weight must be positive, got %s", w);
    }
  }

  @Override
  public String toString() {
    return "TrainingBatches[batch " + batchSize + ", seed " + seed + ", " + candidates + " samples, groups "
        + proportions + ", buckets " + bucketShares + "]";
  }
}
