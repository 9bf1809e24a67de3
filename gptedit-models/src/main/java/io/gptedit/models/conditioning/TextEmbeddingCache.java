package io.gptedit.models.conditioning;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A bounded, least-recently-used cache of prompt encodings, so that a prompt (and the empty negative prompt the
 * samplers' guidance asks for on every edit) is run through the text encoders once.
 *
 * <p>Entries are keyed by the encoders' identity (the very objects, so two conditioners over other weights never
 * share an entry), their settings, the prompt and the token length; values are kept on the Java heap as float
 * arrays and copied into the caller's manager on every hit. The size bound counts those floats: a Flux prompt
 * (512 x 4096 T5 states + 768 pooled) is about 8 MiB, an SD3 prompt (333 x 4096 + 2048) about 5.3 MiB. An encoding
 * larger than the whole bound is returned uncached. Thread-safe; one cache may be shared by several conditioners.
 *
 * @since 0.1
 */
public final class TextEmbeddingCache {
  /** The default bound: 256 MiB, about 30 Flux prompts. */
  public static final long DEFAULT_MAX_BYTES = 256L << 20;

  private final long maxBytes;
  private final LinkedHashMap<Key, Value> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;
  private long hits;
  private long misses;

  /** Creates a cache bounded by {@link #DEFAULT_MAX_BYTES}. */
  public TextEmbeddingCache() {
    this(DEFAULT_MAX_BYTES);
  }

  /**
   * Creates a cache.
   *
   * @param maxBytes the most bytes of cached floats (0 disables caching)
   * @throws IllegalArgumentException if {@code maxBytes} is negative
   */
  public TextEmbeddingCache(long maxBytes) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must be >= 0, got " + maxBytes);
    }
    this.maxBytes = maxBytes;
  }

  /** The identity of a cached encoding: which encoders, with which settings, on which prompt and length. */
  private record Key(List<Object> encoders, String settings, String prompt, int length) {}

  private record Value(float[] tokens, long[] tokenShape, float[] pooled, long[] pooledShape) {
    long bytes(Key key) {
      return 4L * (tokens.length + pooled.length) + 2L * key.prompt().length() + 64;
    }
  }

  /**
   * Returns the cached encoding, or computes, stores and returns it.
   *
   * @param encoders the encoder objects (compared by identity; null for an absent one)
   * @param settings the settings that change the encoding
   * @param prompt the prompt
   * @param length the token length
   * @param compute encodes into the manager it is given
   * @param manager the manager of the result
   * @return the encoding, owned by {@code manager}
   */
  TextConditioning get(
      List<Object> encoders,
      String settings,
      String prompt,
      int length,
      Function<NDManager, TextConditioning> compute,
      NDManager manager) {
    Key key = new Key(
        Collections.unmodifiableList(new ArrayList<>(encoders)), requireNonNull(settings), requireNonNull(prompt),
        length);
    Value v;
    synchronized (this) {
      v = entries.get(key);
      if (v != null) {
        hits++;
      } else {
        misses++;
      }
    }
    if (v == null) {
      try (NDManager scope = manager.newSubManager()) {
        TextConditioning c = compute.apply(scope);
        v = new Value(c.tokens().toFloatArray(), c.tokens().getShape().getShape(), c.pooled().toFloatArray(),
            c.pooled().getShape().getShape());
      }
      put(key, v);
    }
    NDArray tokens = manager.create(v.tokens(), new Shape(v.tokenShape()));
    NDArray pooled = manager.create(v.pooled(), new Shape(v.pooledShape()));
    return new TextConditioning(tokens, pooled);
  }

  private synchronized void put(Key key, Value v) {
    long size = v.bytes(key);
    if (size > maxBytes || entries.containsKey(key)) {
      return;
    }
    entries.put(key, v);
    bytes += size;
    Iterator<Map.Entry<Key, Value>> it = entries.entrySet().iterator();
    while (bytes > maxBytes && it.hasNext()) {
      Map.Entry<Key, Value> oldest = it.next();
      bytes -= oldest.getValue().bytes(oldest.getKey());
      it.remove();
    }
  }

  /**
   * Returns the number of cached encodings.
   *
   * @return the entry count
   */
  public synchronized int size() {
    return entries.size();
  }

  /**
   * Returns the bytes the cached encodings take.
   *
   * @return the byte count (at most the bound)
   */
  public synchronized long bytes() {
    return bytes;
  }

  /**
   * Returns how many lookups found their encoding.
   *
   * @return the hit count
   */
  public synchronized long hits() {
    return hits;
  }

  /**
   * Returns how many lookups had to encode.
   *
   * @return the miss count
   */
  public synchronized long misses() {
    return misses;
  }

  /** Drops every entry (the counters stay). */
  public synchronized void clear() {
    entries.clear();
    bytes = 0;
  }
}
