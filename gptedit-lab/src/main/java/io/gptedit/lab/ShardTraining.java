package io.gptedit.lab;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gptedit.core.GpteditException;
import io.gptedit.core.geometry.AspectPreset;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.EditMask;
import io.gptedit.core.triplet.EditTriplet;
import io.gptedit.data.index.DatasetIndex;
import io.gptedit.data.index.TrainingBatches;
import io.gptedit.data.index.TrainingSet;
import io.gptedit.data.synthetic.SyntheticTruth;
import io.gptedit.models.conditioning.EmbeddingStore;
import io.gptedit.models.conditioning.TextFusion;
import io.gptedit.models.nn.DeviceException;
import io.gptedit.models.nn.Devices;
import io.gptedit.models.train.EditBatchSource;
import io.gptedit.models.train.EditCollator;
import io.gptedit.models.train.EditFineTuning;
import io.gptedit.models.train.EditSample;
import io.gptedit.models.train.EditorSpec;
import io.gptedit.models.train.FineTuneListener;
import io.gptedit.models.train.Precision;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fine-tunes an editor on a folder of WebDataset shards (as the curation pipeline writes them): a {@link
 * DatasetIndex} over the shards, aspect-bucketed batches of accepted samples ({@link TrainingBatches}), each
 * bucket at its own resolution, frozen text encodings cached per sample (in memory, and in an {@link EmbeddingStore}
 * beside the data when one is given), the paradigm's objective and checkpoints with the editor spec ({@link
 * EditFineTuning}); {@code Editors.open("checkpoint:" + output)} then edits with the result. {@code gptedit train}
 * is this class with flags.
 *
 * <pre>{@code
 * LabConfig recipe = LabConfig.builder(Path.of("runs/kontext")).optSteps(2000).optBatch(16).optSize(64).build();
 * ShardTraining training = ShardTraining.builder(Path.of("shards"), recipe).build();
 * training.train(listener);
 * }</pre>
 *
 * <p>The edit mask of the mask-balanced loss is the sample's exact one when its metadata carries the synthetic
 * world's truth, else the pixels whose channels differ by more than {@link Builder#optMaskTolerance}.
 *
 * @since 0.1
 */
public final class ShardTraining {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path data;
  private final LabConfig recipe;
  private final EditorSpec spec;
  private final int maskTolerance;
  private final boolean preload;
  private final Path embeddings;
  private final boolean onlyEmbedded;
  private final Device device;
  private final Precision precision;
  private final long samples;
  private final TrainingSet set;
  private final List<DatasetIndex.Entry> entries;
  private final Map<AspectPreset, Size> buckets;

  private ShardTraining(Builder b) {
    this.data = b.data;
    this.recipe = b.recipe;
    this.spec = b.spec != null ? b.spec : EditLab.editorSpec(b.recipe);
    this.maskTolerance = b.maskTolerance;
    this.preload = b.preload;
    this.embeddings = b.embeddings;
    this.onlyEmbedded = b.onlyEmbedded;
    this.device = b.device != null ? b.device : Devices.defaultDevice();
    this.precision = b.precision;
    if (onlyEmbedded && embeddings == null) {
      throw new IllegalStateException("optOnlyEmbedded needs an embedding folder (optEmbeddings)");
    }
    TrainingBatches batches;
    try (DatasetIndex index = DatasetIndex.build(data)) {
      DatasetIndex.Filter filter = DatasetIndex.Filter.ALL.verdict("accepted");
      this.samples = index.count(filter);
      if (samples == 0) {
        throw new GpteditException(data + " holds no accepted sample to train on");
      }
      batches =
          TrainingBatches.builder().optBatchSize(recipe.batch()).optSeed(recipe.seed()).optFilter(filter).build(index);
      this.entries = List.copyOf(index.entries(filter));
    }
    this.set = new TrainingSet(data, batches);
    if (preload) {
      set.preload();
    }
    this.buckets = Collections.unmodifiableMap(bucketSizes(spec, recipe.size()));
  }

  /**
   * Starts a training on a shard folder.
   *
   * @param data the shard folder (its dataset index is built or refreshed)
   * @param recipe steps, batch, learning rate, seed, loss, checkpoint interval, resume and the bucket side ({@link
   *     LabConfig#size()}: the 1:1 bucket's side; 3:2 and 2:3 get 1.5 times it on the long side); its {@link
   *     LabConfig#output()} is the run folder
   * @return the builder
   */
  public static Builder builder(Path data, LabConfig recipe) {
    return new Builder(data, recipe);
  }

  /** @return the number of accepted samples trained on */
  public long samples() {
    return samples;
  }

  /** @return the editor's architecture */
  public EditorSpec spec() {
    return spec;
  }

  /** @return each aspect bucket's resolution, on the model's granule */
  public Map<AspectPreset, Size> buckets() {
    return buckets;
  }

  /**
   * Trains, or continues the run folder's latest checkpoint when the recipe says {@link LabConfig#resume()}; with
   * {@link Builder#optOnlyEmbedded}, on the samples the embedding folder holds only.
   *
   * @param listener step and checkpoint events (a progress display)
   * @return the run's result
   * @throws GpteditException when a shard, the run folder or a checkpoint cannot be read or written
   */
  public Result train(FineTuneListener listener) {
    requireNonNull(listener, "listener");
    try (EditorSpec.Parts parts = spec.build(EditorSpec.NO_EXTERNALS, device)) {
      EmbeddingStore store = store(parts);
      EditCollator collator = collator(parts, store);
      TrainingSet set = onlyEmbedded ? embeddedSet(store) : this.set;
      EditBatchSource source = (step, micro) -> {
        List<EditSample> b = new ArrayList<>();
        for (EditTriplet t : set.batch(step)) {
          b.add(sample(t));
        }
        return new EditBatchSource.MicroBatch(b, buckets.get(set.bucket(step)));
      };
      EditFineTuning.Result r =
          EditFineTuning.run(
              EditLab.recipeOf(recipe).withPrecision(precision), parts.denoiser(), parts.text(), collator, source, spec, recipe.output(),
              recipe.resume(), Map.of("data", data.toAbsolutePath().toString()), configJson(), listener);
      return new Result(r, store == null ? 0 : store.hits(), store == null ? 0 : store.misses());
    }
  }

  /**
   * Counts the accepted samples whose text encoding the {@linkplain Builder#optEmbeddings embedding folder} holds
   * at their bucket, for this editor's text encoders, from the folder's manifest ({@link EmbeddingStore#samplesAt});
   * computes nothing and decodes no image.
   *
   * @return the counts per bucket
   * @throws IllegalStateException when no embedding folder was given
   */
  public EmbeddingCoverage embeddingCoverage() {
    try (EditorSpec.Parts parts = spec.build(EditorSpec.NO_EXTERNALS, device)) {
      EmbeddingStore store = requireStore(parts);
      boolean storable = parts.text().config().mode() != TextFusion.Mode.METAQUERY;
      Map<AspectPreset, Set<String>> stored = storedByBucket(store);
      Map<AspectPreset, long[]> counts = new EnumMap<>(AspectPreset.class);
      for (DatasetIndex.Entry e : entries) {
        boolean has = storable && stored.get(e.preset()).contains(e.key());
        counts.computeIfAbsent(e.preset(), p -> new long[2])[has ? 0 : 1]++;
      }
      Map<AspectPreset, BucketCoverage> out = new EnumMap<>(AspectPreset.class);
      counts.forEach((p, c) -> out.put(p, new BucketCoverage(buckets.get(p), c[0], c[1])));
      return new EmbeddingCoverage(store.folder(), Collections.unmodifiableMap(out), storable);
    }
  }

  /** The store's samples at each bucket's resolution (its preprocessing), from its manifest. */
  private Map<AspectPreset, Set<String>> storedByBucket(EmbeddingStore store) {
    Map<AspectPreset, Set<String>> out = new EnumMap<>(AspectPreset.class);
    buckets.forEach((p, size) -> out.put(p, store.samplesAt(size.width() + "x" + size.height())));
    return out;
  }

  /**
   * The accepted samples whose encodings the store holds at their bucket: a key list for the dataset index's filter,
   * and the index re-read with it.
   */
  private TrainingSet embeddedSet(EmbeddingStore store) {
    Map<AspectPreset, Set<String>> stored = storedByBucket(store);
    List<String> keys = new ArrayList<>();
    for (DatasetIndex.Entry e : entries) {
      if (stored.get(e.preset()).contains(e.key())) {
        keys.add(e.key());
      }
    }
    if (keys.isEmpty()) {
      throw new GpteditException(store.folder() + " holds no encoding of an accepted sample of " + data
          + " at its bucket: fill it first (fillEmbeddings, gptedit train --embed-only)");
    }
    Path list = null;
    try {
      list = Files.createTempFile("gptedit-embedded-keys", ".txt");
      Files.write(list, keys, StandardCharsets.UTF_8);
      try (DatasetIndex index = DatasetIndex.build(data)) {
        DatasetIndex.Filter filter = DatasetIndex.Filter.ALL.verdict("accepted").keys(list);
        return new TrainingSet(data, TrainingBatches.builder().optBatchSize(recipe.batch()).optSeed(recipe.seed())
            .optFilter(filter).build(index));
      }
    } catch (IOException e) {
      throw new GpteditException("cannot write the key list of " + store.folder() + ": " + e.getMessage(), e);
    } finally {
      if (list != null) {
        try {
          Files.deleteIfExists(list);
        } catch (IOException ignored) {
          // a temporary file; the next run writes its own
        }
      }
    }
  }

  /**
   * Computes and stores the text encoding of every accepted sample at its bucket (those already stored are read).
   *
   * @return how many were read and how many computed
   * @throws IllegalStateException when no embedding folder was given
   */
  public EmbeddingFill fillEmbeddings() {
    try (EditorSpec.Parts parts = spec.build(EditorSpec.NO_EXTERNALS, device)) {
      EmbeddingStore store = requireStore(parts);
      EditCollator collator = collator(parts, store);
      for (DatasetIndex.Entry e : entries) {
        collator.text(sample(set.sample(e.key())), buckets.get(e.preset()));
      }
      return new EmbeddingFill(store.folder(), store.hits(), store.misses());
    }
  }

  private EmbeddingStore store(EditorSpec.Parts parts) {
    return embeddings == null ? null : EmbeddingStore.open(embeddings, parts.text().encoderId());
  }

  private EmbeddingStore requireStore(EditorSpec.Parts parts) {
    if (embeddings == null) {
      throw new IllegalStateException("no embedding folder: set one with optEmbeddings");
    }
    return store(parts);
  }

  private EditCollator collator(EditorSpec.Parts parts, EmbeddingStore store) {
    return new EditCollator(parts.codec(), parts.denoiser(), parts.text(), preload ? (int) samples : 4096, store);
  }

  private EditSample sample(EditTriplet t) {
    EditMask mask =
        SyntheticTruth.of(t.metadata()).map(SyntheticTruth::mask)
            .orElseGet(() -> EditMask.between(t.input(), t.edited(), maskTolerance));
    return EditSample.of(t).withMask(mask);
  }

  private String configJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("data", data.toAbsolutePath().toString());
    n.put("steps", recipe.steps());
    n.put("batch", recipe.batch());
    n.put("lr", recipe.lr());
    n.put("seed", recipe.seed());
    n.put("loss", recipe.loss().toString());
    n.put("size", recipe.size());
    return n.toString();
  }

  /** Bucket resolutions: the 1:1 side, and 1.5 times it on the long side of 3:2 and 2:3, on the model's granule. */
  static Map<AspectPreset, Size> bucketSizes(EditorSpec s, int size) {
    int factor = s.codec().vae() == null ? 1 : s.codec().vae().spatialFactor();
    int granule = factor * 2;
    int side = Math.max(granule, size / granule * granule);
    int longSide = Math.max(granule, (size * 3 / 2) / granule * granule);
    Map<AspectPreset, Size> out = new EnumMap<>(AspectPreset.class);
    out.put(AspectPreset.SQUARE, new Size(side, side));
    out.put(AspectPreset.LANDSCAPE, new Size(longSide, side));
    out.put(AspectPreset.PORTRAIT, new Size(side, longSide));
    return out;
  }

  /**
   * A finished training.
   *
   * @param run the fine-tuning's result (steps, checkpoints)
   * @param embeddingsRead text encodings read from the embedding folder (0 without one)
   * @param embeddingsComputed text encodings computed and stored there (0 without one)
   */
  public record Result(EditFineTuning.Result run, long embeddingsRead, long embeddingsComputed) {
    /** Validates. */
    public Result {
      requireNonNull(run, "run");
    }
  }

  /**
   * One bucket's share of the embedding folder.
   *
   * @param size the bucket's resolution
   * @param stored accepted samples whose encoding is stored
   * @param missing accepted samples whose encoding is not
   */
  public record BucketCoverage(Size size, long stored, long missing) {}

  /**
   * Which accepted samples the embedding folder holds.
   *
   * @param folder the folder of this editor's text encoders
   * @param buckets counts per aspect bucket
   * @param storable false for a MetaQuery fusion, whose MLLM runs per step with the queries and is never stored
   */
  public record EmbeddingCoverage(Path folder, Map<AspectPreset, BucketCoverage> buckets, boolean storable) {
    /** @return stored samples over all buckets */
    public long stored() {
      return buckets.values().stream().mapToLong(BucketCoverage::stored).sum();
    }

    /** @return missing samples over all buckets */
    public long missing() {
      return buckets.values().stream().mapToLong(BucketCoverage::missing).sum();
    }
  }

  /**
   * The result of {@link #fillEmbeddings()}.
   *
   * @param folder the folder of this editor's text encoders
   * @param read encodings that were already stored
   * @param computed encodings computed and stored now
   */
  public record EmbeddingFill(Path folder, long read, long computed) {}

  /** Settings of a {@link ShardTraining}. */
  public static final class Builder {
    private final Path data;
    private final LabConfig recipe;
    private EditorSpec spec;
    private int maskTolerance = 16;
    private boolean preload;
    private Path embeddings;
    private boolean onlyEmbedded;
    private Device device;
    private Precision precision = Precision.FP32;

    private Builder(Path data, LabConfig recipe) {
      this.data = requireNonNull(data, "data");
      this.recipe = requireNonNull(recipe, "recipe");
    }

    /**
     * The device the editor is built on and trained on: its weights, the frozen encoders' work and every step
     * ({@link EditorSpec#build(EditorSpec.Resolver, Device)}); default the engine's ({@link Devices#defaultDevice()}).
     *
     * @param device the device
     * @return this builder
     * @throws DeviceException if the engine does not have the device
     */
    public Builder optDevice(Device device) {
      this.device = Devices.require(device);
      return this;
    }

    /**
     * The compute precision of the training steps (default FP32): FP16 runs the denoiser and the fusion's connector
     * in float16 over float32 master weights ({@link io.gptedit.models.train.EditFineTuning}); a METAQUERY fusion
     * is refused in FP16 when training starts. The precision is part of the recipe a resume compares.
     *
     * @param precision FP32 or FP16
     * @return this builder
     */
    public Builder optPrecision(Precision precision) {
      this.precision = requireNonNull(precision, "precision");
      return this;
    }

    /**
     * The editor's architecture (as a run folder's {@code editor.json}); default: the recipe's tiny pixel-space
     * preset of its paradigm ({@link EditLab#editorSpec}).
     *
     * @param spec the spec
     * @return this builder
     */
    public Builder optEditorSpec(EditorSpec spec) {
      this.spec = requireNonNull(spec, "spec");
      return this;
    }

    /**
     * The per-channel change that counts as edited when a sample has no exact edit mask (default 16).
     *
     * @param tolerance 0 to 255
     * @return this builder
     */
    public Builder optMaskTolerance(int tolerance) {
      if (tolerance < 0 || tolerance > 255) {
        throw new IllegalArgumentException("mask tolerance must be in 0..255, got " + tolerance);
      }
      this.maskTolerance = tolerance;
      return this;
    }

    /**
     * Reads every sample into memory first (small data sets); default false.
     *
     * @param preload whether to
     * @return this builder
     */
    public Builder optPreload(boolean preload) {
      this.preload = preload;
      return this;
    }

    /**
     * Keeps the frozen text encoders' outputs (per sample, bucket and instruction, under the encoders' identity) in
     * this folder, such as {@code <data>/embeddings}: later epochs and runs read them instead of running the
     * encoders.
     *
     * @param folder the folder
     * @return this builder
     */
    public Builder optEmbeddings(Path folder) {
      this.embeddings = requireNonNull(folder, "folder");
      return this;
    }

    /**
     * Trains only on the accepted samples whose text encodings the embedding folder already holds at their bucket
     * (from its manifest, through the dataset index's key filter), so no frozen encoder runs during training; the
     * rest wait for a later {@code fillEmbeddings}. Needs {@link #optEmbeddings}. Default false.
     *
     * @param only whether to
     * @return this builder
     */
    public Builder optOnlyEmbedded(boolean only) {
      this.onlyEmbedded = only;
      return this;
    }

    /**
     * Indexes the shards and plans the batches.
     *
     * @return the training
     * @throws GpteditException when the folder holds no accepted sample or a shard cannot be read
     * @throws IllegalStateException when {@code optOnlyEmbedded} is set without an embedding folder
     */
    public ShardTraining build() {
      return new ShardTraining(this);
    }
  }
}
