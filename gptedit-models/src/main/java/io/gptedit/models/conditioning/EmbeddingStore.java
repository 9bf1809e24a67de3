package io.gptedit.models.conditioning;

import static java.util.Objects.requireNonNull;

import io.gptedit.models.safetensors.DType;
import io.gptedit.models.safetensors.SafetensorsException;
import io.gptedit.models.safetensors.SafetensorsFile;
import io.gptedit.models.safetensors.SafetensorsWriter;
import io.gptedit.models.text.EncodedText;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A persistent cache of the frozen encoders' outputs ({@link TextFusion.Prepared}: the text encoder's tokens and
 * pooled vector, the MLLM's hidden states) in a folder beside a dataset's shards, so training runs a 7B MLLM once
 * per sample rather than once per step, across runs.
 *
 * <p>An entry is keyed by the sample's id, the preprocessing (for training: the bucket size the image was resized
 * to) and the instruction, under a subfolder per encoder identity ({@link TextFusion#encoderId()}, which names the
 * weights' folders, storage and the MLLM's prompt layout and pixel budget): {@code <folder>/<sha256(encoder)>/
 * <sha256(sample, preprocessing, instruction)>.safetensors}, with the full key in the file's metadata and checked on
 * every read, and the encoder identity in {@code encoder.txt}. Files are written to a temporary name and moved into
 * place, so a crash never leaves a half entry. A file that exists but cannot be read, or whose key differs, is an
 * {@link EmbeddingStoreException} naming it (delete it to recompute), never a silent recomputation.
 *
 * <p>The folder's {@value #MANIFEST} lists every stored entry's sample id and preprocessing, one tab-separated line
 * each, appended after the entry is in place: {@link #samplesAt} answers "which samples are stored at this
 * preprocessing" without opening an entry or a shard, and a dataset index filters on it ({@code
 * DatasetIndex.Filter.keys}). An entry whose line a crash lost is found again: when the folder holds more entries
 * than the manifest names, {@link #samplesAt} rebuilds it from the entries' own metadata.
 *
 * <p>METAQUERY samples are not stored: their MLLM runs on every step with the trainable queries.
 *
 * @since 0.1
 */
public final class EmbeddingStore {
  /** The format tag written into every entry. */
  public static final String FORMAT = "gptedit-embeddings-1";
  /** The file, in an encoder's folder, that lists the stored entries' sample ids and preprocessing. */
  public static final String MANIFEST = "samples.tsv";
  private static final long MAX_KEY_CHARS = 1 << 16;

  private final Path folder;
  private final String encoderId;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();

  private EmbeddingStore(Path folder, String encoderId) {
    this.folder = folder;
    this.encoderId = encoderId;
  }

  /**
   * Opens (creating if needed) the store of one encoder identity under a root folder.
   *
   * @param root the cache root, for example {@code <shards>/embeddings}
   * @param encoderId the frozen encoders' identity ({@link TextFusion#encoderId()})
   * @return the store
   * @throws EmbeddingStoreException if the folder cannot be created, or its {@code encoder.txt} names another
   *     encoder
   */
  public static EmbeddingStore open(Path root, String encoderId) {
    requireNonNull(root, "root");
    requireNonNull(encoderId, "encoderId");
    Path folder = root.resolve(sha256(encoderId).substring(0, 32));
    Path marker = folder.resolve("encoder.txt");
    try {
      Files.createDirectories(folder);
      if (Files.isRegularFile(marker)) {
        String existing = Files.readString(marker, StandardCharsets.UTF_8);
        if (!existing.equals(encoderId)) {
          throw new EmbeddingStoreException(marker + " names the encoder '" + existing + "', not '" + encoderId + "'");
        }
      } else {
        Path tmp = Files.createTempFile(folder, "encoder", ".tmp");
        Files.writeString(tmp, encoderId, StandardCharsets.UTF_8);
        move(tmp, marker);
      }
    } catch (IOException e) {
      throw new EmbeddingStoreException(folder + ": cannot prepare the embedding store: " + e.getMessage());
    }
    return new EmbeddingStore(folder, encoderId);
  }

  /**
   * Returns this encoder's folder.
   *
   * @return the folder holding the entries
   */
  public Path folder() {
    return folder;
  }

  /**
   * Returns the number of reads served from the store.
   *
   * @return hits
   */
  public long hits() {
    return hits.get();
  }

  /**
   * Returns the number of reads that had to compute.
   *
   * @return misses
   */
  public long misses() {
    return misses.get();
  }

  /**
   * Returns the file an entry lives in.
   *
   * @param sample the sample id
   * @param preprocessing the preprocessing (for example the bucket size)
   * @param instruction the instruction
   * @return the path (which may not exist)
   */
  public Path entry(String sample, String preprocessing, String instruction) {
    return folder.resolve(sha256(key(sample, preprocessing, instruction)) + ".safetensors");
  }

  private static String key(String sample, String preprocessing, String instruction) {
    requireNonNull(sample, "sample");
    requireNonNull(preprocessing, "preprocessing");
    requireNonNull(instruction, "instruction");
    if (sample.length() + preprocessing.length() + instruction.length() > MAX_KEY_CHARS) {
      throw new IllegalArgumentException("the key of sample '" + sample.substring(0, Math.min(80, sample.length()))
          + "' is longer than " + MAX_KEY_CHARS + " characters");
    }
    return sample + '\u0000' + preprocessing + '\u0000' + instruction;
  }

  /**
   * Reads an entry.
   *
   * @param sample the sample id
   * @param preprocessing the preprocessing
   * @param instruction the instruction
   * @return the stored encodings, or empty when there is no entry
   * @throws EmbeddingStoreException if the entry exists but is unreadable or belongs to another key
   */
  public Optional<TextFusion.Prepared> get(String sample, String preprocessing, String instruction) {
    Path file = entry(sample, preprocessing, instruction);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      Map<String, String> meta = f.metadata();
      if (!FORMAT.equals(meta.get("format")) || !encoderId.equals(meta.get("encoder"))
          || !sample.equals(meta.get("sample")) || !preprocessing.equals(meta.get("preprocessing"))
          || !instruction.equals(meta.get("instruction"))) {
        throw new EmbeddingStoreException(file + ": the entry's key " + meta + " is not sample '" + sample
            + "', preprocessing '" + preprocessing + "' of encoder '" + encoderId + "' (delete it to recompute)");
      }
      EncodedText text = null;
      if (f.tensors().containsKey("text_tokens")) {
        long[] s = f.info("text_tokens").shape();
        text = new EncodedText(f.readFloats("text_tokens"), Math.toIntExact(s[0]), Math.toIntExact(s[1]),
            f.readFloats("text_pooled"));
      }
      float[] mllm = null;
      int mllmTokens = 0;
      if (f.tensors().containsKey("mllm")) {
        mllm = f.readFloats("mllm");
        mllmTokens = Math.toIntExact(f.info("mllm").shape()[0]);
      }
      return Optional.of(new TextFusion.Prepared(text, mllm, mllmTokens, null, instruction));
    } catch (SafetensorsException | IllegalArgumentException e) {
      throw new EmbeddingStoreException(file + ": unreadable embedding entry (delete it to recompute): "
          + e.getMessage());
    }
  }

  /**
   * Writes an entry (replacing any).
   *
   * @param sample the sample id
   * @param preprocessing the preprocessing
   * @param prepared the encodings (without an image: METAQUERY samples are not stored)
   * @throws IllegalArgumentException if the encodings carry an image
   * @throws EmbeddingStoreException if the file cannot be written
   */
  public void put(String sample, String preprocessing, TextFusion.Prepared prepared) {
    requireNonNull(prepared, "prepared");
    if (prepared.image() != null) {
      throw new IllegalArgumentException("METAQUERY encodings (with their image) are not stored");
    }
    Path file = entry(sample, preprocessing, prepared.instruction());
    SafetensorsWriter w = new SafetensorsWriter().metadata("format", FORMAT).metadata("encoder", encoderId)
        .metadata("sample", sample).metadata("preprocessing", preprocessing)
        .metadata("instruction", prepared.instruction());
    EncodedText t = prepared.text();
    if (t != null) {
      w.addFloats("text_tokens", DType.F32, new long[] {t.length(), t.dim()}, t.tokens());
      w.addFloats("text_pooled", DType.F32, new long[] {t.pooled().length}, t.pooled());
    }
    if (prepared.mllm() != null) {
      int tokens = prepared.mllmTokens();
      w.addFloats("mllm", DType.F32, new long[] {tokens, tokens == 0 ? 0 : prepared.mllm().length / tokens},
          prepared.mllm());
    }
    try {
      Path tmp = Files.createTempFile(folder, "entry", ".tmp");
      try {
        w.write(tmp);
        move(tmp, file);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException | SafetensorsException e) {
      throw new EmbeddingStoreException(file + ": cannot write the embedding entry: " + e.getMessage());
    }
    appendManifest(sample, preprocessing);
  }

  /**
   * Returns the manifest file ({@value #MANIFEST}) of this encoder's folder.
   *
   * @return the path (which may not exist yet)
   */
  public Path manifest() {
    return folder.resolve(MANIFEST);
  }

  /**
   * Returns the ids of the samples stored at a preprocessing, from the manifest (rebuilt first when the folder holds
   * entries it does not name). An id here means an entry exists for that sample and preprocessing; reading it still
   * checks the instruction.
   *
   * @param preprocessing the preprocessing, such as a bucket size {@code "64x64"}
   * @return the sample ids
   * @throws EmbeddingStoreException if the manifest or an entry cannot be read
   */
  public Set<String> samplesAt(String preprocessing) {
    requireNonNull(preprocessing, "preprocessing");
    Set<String> out = new HashSet<>();
    synchronized (this) {
      if (entryCount() > manifestLines()) {
        rebuildManifest();
      }
      try (BufferedReader r = Files.newBufferedReader(manifest(), StandardCharsets.UTF_8)) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          int tab = line.indexOf('\t');
          if (tab > 0 && line.substring(tab + 1).equals(preprocessing)) {
            out.add(line.substring(0, tab));
          }
        }
      } catch (NoSuchFileException e) {
        return out;
      } catch (IOException e) {
        throw new EmbeddingStoreException(manifest() + ": cannot read the manifest: " + e.getMessage());
      }
    }
    return out;
  }

  /**
   * Rewrites the manifest from the entries' own metadata (after a crash lost lines, or for a store written before
   * the manifest existed).
   *
   * @return the number of entries listed
   * @throws EmbeddingStoreException if an entry or the manifest cannot be read or written
   */
  public synchronized long rebuildManifest() {
    StringBuilder lines = new StringBuilder();
    long n = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, "*.safetensors")) {
      for (Path file : entries) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
          Map<String, String> meta = f.metadata();
          if (!FORMAT.equals(meta.get("format")) || meta.get("sample") == null || meta.get("preprocessing") == null) {
            throw new EmbeddingStoreException(file + ": not an embedding entry of format " + FORMAT);
          }
          lines.append(meta.get("sample")).append('\t').append(meta.get("preprocessing")).append('\n');
          n++;
        }
      }
      Path tmp = Files.createTempFile(folder, "manifest", ".tmp");
      try {
        Files.writeString(tmp, lines, StandardCharsets.UTF_8);
        move(tmp, manifest());
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException | SafetensorsException e) {
      throw new EmbeddingStoreException(folder + ": cannot rebuild the manifest: " + e.getMessage());
    }
    return n;
  }

  private synchronized void appendManifest(String sample, String preprocessing) {
    // One write per line with O_APPEND: lines from concurrent processes do not interleave.
    byte[] line = (sample + '\t' + preprocessing + '\n').getBytes(StandardCharsets.UTF_8);
    try {
      Files.write(manifest(), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new EmbeddingStoreException(manifest() + ": cannot append to the manifest: " + e.getMessage());
    }
  }

  private long entryCount() {
    long n = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, "*.safetensors")) {
      for (Path ignored : entries) {
        n++;
      }
    } catch (IOException e) {
      throw new EmbeddingStoreException(folder + ": cannot list the entries: " + e.getMessage());
    }
    return n;
  }

  /** Distinct lines of the manifest (a sample recomputed by two processes is listed twice). */
  private long manifestLines() {
    Set<String> lines = new HashSet<>();
    try (BufferedReader r = Files.newBufferedReader(manifest(), StandardCharsets.UTF_8)) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.isEmpty()) {
          lines.add(line);
        }
      }
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      throw new EmbeddingStoreException(manifest() + ": cannot read the manifest: " + e.getMessage());
    }
    return lines.size();
  }

  /**
   * Returns the stored encodings, computing and storing them on a miss.
   *
   * @param sample the sample id
   * @param preprocessing the preprocessing
   * @param instruction the instruction
   * @param compute runs the frozen encoders (called on a miss only)
   * @return the encodings
   */
  public TextFusion.Prepared getOrCompute(String sample, String preprocessing, String instruction,
      Supplier<TextFusion.Prepared> compute) {
    Optional<TextFusion.Prepared> stored = get(sample, preprocessing, instruction);
    if (stored.isPresent()) {
      hits.incrementAndGet();
      return stored.get();
    }
    misses.incrementAndGet();
    TextFusion.Prepared p = requireNonNull(compute.get(), "computed encodings");
    if (p.image() == null) {
      put(sample, preprocessing, p);
    }
    return p;
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "EmbeddingStore(" + folder + ", " + encoderId + ")";
  }
}
