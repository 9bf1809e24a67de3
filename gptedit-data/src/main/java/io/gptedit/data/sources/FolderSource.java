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
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Reads a plain folder of triplets: for each key, {@code <key>.input.png} (or any image extension),
 * {@code <key>.edited.png} (or {@code <key>.output.*}), and either {@code <key>.json} (our metadata format) or
 * {@code <key>.txt} (the instruction). Keys are listed in name order; a key with a missing part is reported.
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
    TreeSet<String> keys = new TreeSet<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.map(p -> p.getFileName().toString()).filter(n -> n.indexOf('.') > 0).forEach(n -> keys.add(n.substring(0, n.indexOf('.'))));
    } catch (IOException e) {
      throw new SourceException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    return new FolderSource(dir, dataset, new ArrayDeque<>(keys));
  }

  private Path find(String key, String... roles) {
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

  @Override
  EditTriplet advance() {
    while (!keys.isEmpty()) {
      String key = keys.poll();
      String where = dir.toString();
      Path in = find(key, "input");
      Path out = find(key, "edited", "output");
      Path json = dir.resolve(key + ".json");
      Path txt = dir.resolve(key + ".txt");
      if (in == null || out == null) {
        problem(where, key, (in == null ? "input" : "edited") + " image " + key + "." + (in == null ? "input" : "edited") + ".png is missing");
        continue;
      }
      if (!Files.isRegularFile(json) && !Files.isRegularFile(txt)) {
        problem(where, key, "neither " + key + ".json nor " + key + ".txt exists");
        continue;
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
        problem(where, key, e.getMessage());
      } catch (IOException e) {
        problem(where, key, "cannot read: " + e.getMessage());
      }
    }
    return null;
  }

  @Override
  public void close() {
    keys.clear();
  }
}
