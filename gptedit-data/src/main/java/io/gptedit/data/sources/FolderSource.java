package io.gptedit.data.sources;

import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageDecodeException;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.instruction.EditInstruction;
import io.gptedit.core.metadata.MetadataCodec;
import io.gptedit.core.metadata.MetadataException;
import io.gptedit.core.metadata.SampleMetadata;
import io.gptedit.core.triplet.EditTriplet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Reads a plain folder of triplets: for each key, {@code <key>.input.png} (or any image extension),
 * {@code <key>.edited.png} (or {@code <key>.output.*}), and either {@code <key>.json} (our metadata format) or
 * {@code <key>.txt} (the instruction). Keys are listed in name order; a key with a missing part is reported.
 *
 * <p>{@link #keys} and {@link #read} are the listing and the per-key decoding this source runs, for engines that
 * spread the keys over workers (gptedit-spark).
 *
 * @see TripletSource
 * @since 0.1
 */
public final class FolderSource extends AbstractSource {
  private final Path dir;
  private final String dataset;
  private final Deque<String> keys;

  private FolderSource(Path dir, String dataset, Deque<String> keys) {
    this.dir = dir;
    this.dataset = dataset;
    this.keys = keys;
  }

  /**
   * Opens a folder.
   *
   * @param dir the folder
   * @param dataset the dataset name for samples described only by a {@code .txt}
   * @return the source
   * @throws SourceException if the folder cannot be listed
   */
  public static FolderSource open(Path dir, String dataset) {
    return new FolderSource(dir, dataset, new ArrayDeque<>(keys(dir)));
  }

  /**
   * Lists a folder's keys: the distinct file names up to their first dot, in name order.
   *
   * @param dir the folder
   * @return the keys
   * @throws SourceException if the folder cannot be listed
   */
  public static List<String> keys(Path dir) {
    TreeSet<String> keys = new TreeSet<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.map(p -> p.getFileName().toString()).filter(n -> n.indexOf('.') > 0).forEach(n -> keys.add(n.substring(0, n.indexOf('.'))));
    } catch (IOException e) {
      throw new SourceException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    return List.copyOf(keys);
  }

  private static Path find(Path dir, String key, String... roles) {
    for (String role : roles) {
      for (String ext : new String[] {"png", "jpg", "jpeg", "webp"}) {
        Path p = dir.resolve(key + "." + role + "." + ext);
        if (Files.isRegularFile(p)) {
          return p;
        }
      }
    }
    return null;
  }

  /**
   * Reads one key's sample, as this source does.
   *
   * @param dir the folder
   * @param dataset the dataset name for a sample described only by a {@code .txt}
   * @param key the key ({@link #keys})
   * @return the sample
   * @throws SourceException carrying the key's {@link SourceProblem} (the folder, the key, and the missing or
   *     unreadable file) when a part is missing or cannot be decoded
   */
  public static EditTriplet read(Path dir, String dataset, String key) {
    String where = dir.toString();
    Path in = find(dir, key, "input");
    Path out = find(dir, key, "edited", "output");
    Path json = dir.resolve(key + ".json");
    Path txt = dir.resolve(key + ".txt");
    if (in == null || out == null) {
      String role = in == null ? "input" : "edited";
      throw new SourceException(new SourceProblem(where, key, role + " image " + key + "." + role + ".png is missing"), null);
    }
    if (!Files.isRegularFile(json) && !Files.isRegularFile(txt)) {
      throw new SourceException(new SourceProblem(where, key, "neither " + key + ".json nor " + key + ".txt exists"), null);
    }
    try {
      RgbImage input = ImageCodec.read(in);
      RgbImage edited = ImageCodec.read(out);
      SampleMetadata m;
      if (Files.isRegularFile(json)) {
        m = MetadataCodec.fromJson(Files.readAllBytes(json));
      } else {
        String text = Files.readString(txt, StandardCharsets.UTF_8).strip();
        m = SampleMetadata.builder(key, dataset, EditInstruction.of(text), new Size(input.width(), input.height())).build();
      }
      return new EditTriplet(m.id(), input, m.instruction(), edited, m);
    } catch (ImageDecodeException | MetadataException | IllegalArgumentException e) {
      throw new SourceException(new SourceProblem(where, key, String.valueOf(e.getMessage())), e);
    } catch (IOException e) {
      throw new SourceException(new SourceProblem(where, key, "cannot read: " + e.getMessage()), e);
    }
  }

  @Override
  EditTriplet advance() {
    while (!keys.isEmpty()) {
      try {
        return read(dir, dataset, keys.poll());
      } catch (SourceException e) {
        problem(e.problem().orElseThrow(() -> e));
      }
    }
    return null;
  }

  @Override
  public void close() {
    keys.clear();
  }
}
