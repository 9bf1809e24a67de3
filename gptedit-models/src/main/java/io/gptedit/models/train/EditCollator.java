package io.gptedit.models.train;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.EditMask;
import io.gptedit.core.image.Resampler;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.codec.LatentCodec;
import io.gptedit.models.conditioning.EmbeddingStore;
import io.gptedit.models.conditioning.ImageTensors;
import io.gptedit.models.conditioning.TextFusion;
import io.gptedit.models.editor.EditDenoiser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a batch of {@link EditSample}s into the tensors one training step reads, at the batch's bucket resolution:
 * target latents, the paradigm's condition (input latents or vision features), the edit mask in latent space and
 * the text fusion's prepared encodings. Everything here is frozen work (the codec, the condition encoder, the text
 * encoders), so each sample is encoded once per resolution and kept in a bounded in-memory cache (least recently
 * used first out), and the text fusion's encodings (the expensive part with a 7B MLLM) optionally also in a
 * persistent {@link EmbeddingStore} beside the shards, keyed by the sample's key, the bucket size and the
 * instruction, so later epochs and later runs read them instead of running the encoders.
 *
 * <p>The frozen encoders run on the denoiser's device (where {@code EditorSpec.build} put every part); the cached
 * encodings are plain Java arrays.
 *
 * <p>Images of another size than the bucket's are resized with the bicubic resampler (masks by nearest
 * neighbour). A latent pixel is in the mask when any image pixel it covers is.
 *
 * @since 0.1
 */
public final class EditCollator {
  /** One sample's frozen encodings. */
  private record Encoded(
      float[] target, float[] condition, long[] conditionShape, float[] mask, float[] structure,
      TextFusion.Prepared text) {}

  /**
   * One step's tensors.
   *
   * @param target the target latents (B, C, h, w)
   * @param condition the stacked conditions, batch first
   * @param mask the edit mask in latent space (B, C, h, w), 1 inside; null if any sample lacks a mask
   * @param structure the input's structure in latent space (B, C, h, w), 1 where a latent pixel covers a colour edge
   *     of the input ({@link EditMask#edges} at tolerance {@value #STRUCTURE_TOLERANCE}); null when {@code mask} is null
   * @param text the text fusion's prepared encodings, in batch order
   * @param size the image size of the batch
   */
  public record Batch(
      NDArray target, NDArray condition, NDArray mask, NDArray structure, List<TextFusion.Prepared> text, Size size) {}

  /** The per-channel difference above which neighbouring pixels are a colour edge of the structure mask. */
  public static final int STRUCTURE_TOLERANCE = 24;

  private final LatentCodec codec;
  private final EditDenoiser denoiser;
  private final TextFusion text;
  private final int capacity;
  private final EmbeddingStore store;
  private final Map<String, Encoded> cache;
  private final Device device;
  private long misses;

  /**
   * Creates a collator.
   *
   * @param codec the codec of the target latents
   * @param denoiser the paradigm whose condition to encode
   * @param text the text fusion whose frozen encoders to run
   * @param cacheEntries how many samples' encodings to keep (0 for none)
   */
  public EditCollator(LatentCodec codec, EditDenoiser denoiser, TextFusion text, int cacheEntries) {
    this(codec, denoiser, text, cacheEntries, null);
  }

  /**
   * Creates a collator whose text encodings also go through a persistent store.
   *
   * @param codec the codec of the target latents
   * @param denoiser the paradigm whose condition to encode
   * @param text the text fusion whose frozen encoders to run
   * @param cacheEntries how many samples' encodings to keep in memory (0 for none)
   * @param store the persistent store of the fusion's encodings (opened for {@code text.encoderId()}), or null;
   *     METAQUERY fusions never use it
   */
  public EditCollator(LatentCodec codec, EditDenoiser denoiser, TextFusion text, int cacheEntries,
      EmbeddingStore store) {
    this.store = store;
    this.codec = requireNonNull(codec, "codec");
    this.denoiser = requireNonNull(denoiser, "denoiser");
    this.text = requireNonNull(text, "text");
    checkArgument(cacheEntries >= 0, "cacheEntries must be >= 0, got %s", cacheEntries);
    this.capacity = cacheEntries;
    this.cache = new LinkedHashMap<>(16, 0.75f, true);
    this.device =
        denoiser.parameters().isEmpty() ? null : denoiser.parameters().values().iterator().next().getDevice();
  }

  /**
   * Returns how many samples had to be encoded (cache misses) so far.
   *
   * @return the number of encodings run
   */
  public synchronized long encodings() {
    return misses;
  }

  /**
   * Collates a batch at a resolution.
   *
   * @param samples the samples (same aspect bucket)
   * @param size the batch's image size; both sides divisible by the codec's factor times the patch size
   * @param manager the step's manager (owns every array returned)
   * @return the tensors
   * @throws IllegalArgumentException if the size does not fit the codec and patch grid
   */
  public synchronized Batch collate(List<EditSample> samples, Size size, NDManager manager) {
    checkArgument(!samples.isEmpty(), "empty batch");
    int granule = codec.spatialFactor() * denoiser.patchSize();
    checkArgument(
        size.width() % granule == 0 && size.height() % granule == 0,
        "batch size %sx%s is not a multiple of the codec factor x patch (%s)",
        size.width(),
        size.height(),
        granule);
    List<Encoded> encoded = new ArrayList<>(samples.size());
    List<Integer> missing = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      String key = samples.get(i).key() + "@" + size.width() + "x" + size.height();
      keys.add(key);
      Encoded e = cache.get(key);
      encoded.add(e);
      if (e == null) {
        missing.add(i);
      }
    }
    if (!missing.isEmpty()) {
      List<EditSample> todo = new ArrayList<>();
      for (int i : missing) {
        todo.add(samples.get(i));
      }
      List<Encoded> fresh = encode(todo, size);
      for (int k = 0; k < missing.size(); k++) {
        int i = missing.get(k);
        encoded.set(i, fresh.get(k));
        if (capacity > 0) {
          cache.put(keys.get(i), fresh.get(k));
          if (cache.size() > capacity) {
            cache.remove(cache.keySet().iterator().next());
          }
        }
      }
    }
    int b = samples.size();
    int f = codec.spatialFactor();
    int c = codec.latentChannels();
    int h = size.height() / f;
    int w = size.width() / f;
    int per = c * h * w;
    float[] target = new float[b * per];
    boolean masked = true;
    for (Encoded e : encoded) {
      masked &= e.mask() != null;
    }
    float[] mask = masked ? new float[b * per] : null;
    float[] structure = masked ? new float[b * per] : null;
    long[] cs = encoded.get(0).conditionShape();
    int condPer = encoded.get(0).condition().length;
    float[] cond = new float[b * condPer];
    List<TextFusion.Prepared> prepared = new ArrayList<>(b);
    for (int i = 0; i < b; i++) {
      Encoded e = encoded.get(i);
      System.arraycopy(e.target(), 0, target, i * per, per);
      checkArgument(e.condition().length == condPer, "conditions of one batch differ in shape");
      System.arraycopy(e.condition(), 0, cond, i * condPer, condPer);
      if (masked) {
        System.arraycopy(e.mask(), 0, mask, i * per, per);
        System.arraycopy(e.structure(), 0, structure, i * per, per);
      }
      prepared.add(e.text());
    }
    long[] condShape = cs.clone();
    condShape[0] = b;
    return new Batch(
        manager.create(target, new Shape(b, c, h, w)),
        manager.create(cond, new Shape(condShape)),
        masked ? manager.create(mask, new Shape(b, c, h, w)) : null,
        masked ? manager.create(structure, new Shape(b, c, h, w)) : null,
        prepared,
        size);
  }

  /**
   * Tells whether the persistent store already holds a sample's text encodings at a bucket size (the entry
   * {@link #text} would read), without reading or computing anything.
   *
   * @param sample the sample
   * @param size the bucket's image size
   * @return false with no store, for METAQUERY (never stored) and when the entry is absent
   */
  public boolean textStored(EditSample sample, Size size) {
    requireNonNull(sample, "sample");
    requireNonNull(size, "size");
    return store != null && text.config().mode() != TextFusion.Mode.METAQUERY
        && java.nio.file.Files.isRegularFile(
            store.entry(sample.key(), size.width() + "x" + size.height(), sample.instruction()));
  }

  /**
   * Returns a sample's text encodings at a bucket size, as a batch of that size would read them: from the persistent
   * store when it holds them, else computed (and stored). Fills a store ahead of training without encoding images.
   *
   * @param sample the sample
   * @param size the bucket's image size
   * @return the text fusion's prepared encodings
   */
  public TextFusion.Prepared text(EditSample sample, Size size) {
    requireNonNull(sample, "sample");
    requireNonNull(size, "size");
    RgbImage work = resized(sample.input(), size);
    return store == null || text.config().mode() == TextFusion.Mode.METAQUERY
        ? text.prepare(work, sample.instruction())
        : store.getOrCompute(sample.key(), size.width() + "x" + size.height(), sample.instruction(),
            () -> text.prepare(work, sample.instruction()));
  }

  /** Encodes samples at a size, batched through the codec. */
  private List<Encoded> encode(List<EditSample> samples, Size size) {
    misses += samples.size();
    List<Encoded> out = new ArrayList<>(samples.size());
    try (NDManager m = NDManager.newBaseManager(device)) {
      List<NDArray> inputs = new ArrayList<>();
      List<NDArray> targets = new ArrayList<>();
      List<RgbImage> works = new ArrayList<>();
      for (EditSample s : samples) {
        RgbImage in = resized(s.input(), size);
        works.add(in);
        inputs.add(ImageTensors.toTensor(in, m));
        targets.add(ImageTensors.toTensor(resized(s.target(), size), m));
      }
      float[] targetLatents = codec.encode(NDArrays.concat(new NDList(targets), 0), m).toFloatArray();
      int per = targetLatents.length / samples.size();
      for (int i = 0; i < samples.size(); i++) {
        EditSample s = samples.get(i);
        float[] t = new float[per];
        System.arraycopy(targetLatents, i * per, t, 0, per);
        NDArray condition = denoiser.encodeCondition(works.get(i), inputs.get(i), codec, m);
        float[] mask = s.mask() == null ? null : latentMask(s.mask().resized(size.width(), size.height()));
        RgbImage work = works.get(i);
        float[] structure = mask == null ? null : latentMask(EditMask.edges(work, STRUCTURE_TOLERANCE));
        TextFusion.Prepared prepared = store == null || text.config().mode() == TextFusion.Mode.METAQUERY
            ? text.prepare(work, s.instruction())
            : store.getOrCompute(s.key(), size.width() + "x" + size.height(), s.instruction(),
                () -> text.prepare(work, s.instruction()));
        out.add(new Encoded(t, condition.toFloatArray(), condition.getShape().getShape(), mask, structure, prepared));
      }
    }
    return out;
  }

  private static RgbImage resized(RgbImage image, Size size) {
    return image.width() == size.width() && image.height() == size.height()
        ? image
        : Resampler.bicubic(image, size.width(), size.height());
  }

  /** The mask on the latent grid, repeated over the latent channels, channel-major. */
  private float[] latentMask(EditMask mask) {
    int f = codec.spatialFactor();
    int c = codec.latentChannels();
    int h = mask.height() / f;
    int w = mask.width() / f;
    float[] out = new float[c * h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        boolean edited = false;
        for (int dy = 0; dy < f && !edited; dy++) {
          for (int dx = 0; dx < f && !edited; dx++) {
            edited = mask.contains(x * f + dx, y * f + dy);
          }
        }
        if (edited) {
          for (int k = 0; k < c; k++) {
            out[(k * h + y) * w + x] = 1f;
          }
        }
      }
    }
    return out;
  }
}
