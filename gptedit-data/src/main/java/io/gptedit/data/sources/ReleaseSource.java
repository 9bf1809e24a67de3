package io.gptedit.data.sources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageDecodeException;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.instruction.ComplexityLevel;
import io.gptedit.core.instruction.EditInstruction;
import io.gptedit.core.metadata.SampleMetadata;
import io.gptedit.core.triplet.EditTriplet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Reads the GPT-Image-Edit-1.5M release in either of its two formats.
 *
 * <p><b>Metadata folders</b> ({@link #metadataFolders}): {@code <root>/<source>/<task>/metadata/*.json}, each a
 * JSON array of records with {@code id}, {@code dataset_source}, {@code task}, {@code input}, {@code output}
 * (paths relative to the task folder), {@code instruction}, {@code instruction_type} ({@code original},
 * {@code rewrite}, {@code complex}), {@code input_description} and, for OmniEdit, {@code instruction_original}.
 * Other fields are kept as metadata extensions ({@code release_<name>} when the name is one of our schema's).
 *
 * <p><b>Training annotations</b> ({@link #dataTxt}): a {@code data.txt} of lines
 * {@code <image root>,<annotation json>,<flag>}, each annotation a JSON array of LLaVA-style records with
 * {@code image: [input, output]} (relative to the image root) and {@code conversations} whose human turn is
 * {@code <image>\n<instruction>}. Sample ids are {@code <annotation stem>_<index>}; the dataset is the stem up to
 * its first underscore. Several lines may share an image root.
 *
 * <p>A sample whose image is missing or unreadable, or whose record is malformed, is skipped and reported in
 * {@link #problems()} (the release is known to miss 6,705 HQ-Edit generate images).
 *
 * @since 0.1
 */
public final class ReleaseSource extends AbstractSource {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> MAPPED = Set.of(
      "id", "dataset_source", "task", "input", "output", "instruction", "instruction_type", "input_description",
      "instruction_original", "complexity", "atomic_steps");
  /** The field {@link ReleaseExport} adds for a composed instruction's level (the release has none: C3). */
  public static final String COMPLEXITY = "complexity";

  /** The field {@link ReleaseExport} adds for a composed instruction's atomic steps. */
  public static final String ATOMIC_STEPS = "atomic_steps";

  /** The extension holding {@code instruction_original} of a row that is not a rewrite. */
  public static final String INSTRUCTION_ORIGINAL = "instruction_original";

  private static final Set<String> SCHEMA_FIELDS = Set.of(
      "schema_version", "id", "source", "instruction", "original_size", "padding", "generation_resolution",
      "crop_box", "models", "quality", "files", "input_description");

  /** One annotation file to read: the file, its image root and whether it is the training format. */
  private record Part(Path file, Path imageRoot, Path relativeTo, boolean training) {}

  private final Deque<Part> parts;
  private Part part;
  private JsonArrayCursor cursor;
  private final ArchiveStream archive;

  private ReleaseSource(List<Part> parts) {
    this.parts = new ArrayDeque<>(parts);
    this.archive = null;
  }

  private ReleaseSource(List<List<Path>> archives, long bufferBytes) {
    this.parts = new ArrayDeque<>();
    this.archive = new ArchiveStream(archives, bufferBytes);
  }

  /** The default bound on image bytes held while waiting for their partner or their metadata: 256 MiB. */
  public static final long DEFAULT_ARCHIVE_BUFFER_BYTES = 256L << 20;

  private static final Pattern PART = Pattern.compile("(.+\\.tar\\.gz)\\.part(\\d+)");

  /**
   * Streams the metadata-folder layout straight out of the release's {@code *.tar.gz.partNNN} archives, without
   * concatenating or extracting them: the parts of each archive are read in order as one gzip stream (a member may
   * be split anywhere across parts), and each {@code <source>/<task>/metadata/*.json} inside is paired with the
   * {@code input}/{@code output} images its records name, wherever they sit in the archive. Whole
   * {@code *.tar.gz} files are read too.
   *
   * <p>Memory is bounded by {@code bufferBytes}: image bytes are held only until the records that name them are
   * complete; images met before any record names them are evicted first, oldest first (a record whose image was
   * evicted, or is not in the archive, is reported in {@link #problems()}); if images waiting for their partner
   * alone exceed the bound, reading stops with a {@link SourceException} that says so. An archive that lists each
   * input next to its output needs almost no buffer; one that stores every input before every output needs a buffer
   * the size of its inputs.
   *
   * @param dir the folder holding the parts (for example {@code omniedit.tar.gz.part000}, {@code ...part001})
   * @param bufferBytes the most image bytes held for records not yet read
   * @return the source
   * @throws SourceException if the folder holds no archive or an archive's parts are not numbered contiguously
   */
  public static ReleaseSource archives(Path dir, long bufferBytes) {
    if (bufferBytes < 0) {
      throw new IllegalArgumentException("bufferBytes must be >= 0, got " + bufferBytes);
    }
    Map<String, java.util.TreeMap<Integer, Path>> byArchive = new java.util.TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.sorted().toList()) {
        String name = p.getFileName().toString();
        Matcher m = PART.matcher(name);
        if (m.matches()) {
          Path previous = byArchive.computeIfAbsent(m.group(1), k -> new java.util.TreeMap<>())
              .put(Integer.parseInt(m.group(2)), p);
          if (previous != null) {
            throw new SourceException(dir + ": parts " + previous.getFileName() + " and " + name + " have one number", null);
          }
        } else if (name.endsWith(".tar.gz")) {
          byArchive.computeIfAbsent(name, k -> new java.util.TreeMap<>()).put(-1, p);
        }
      }
    } catch (IOException e) {
      throw new SourceException("cannot list release archives in " + dir + ": " + e.getMessage(), e);
    }
    if (byArchive.isEmpty()) {
      throw new SourceException("no *.tar.gz or *.tar.gz.partNNN under " + dir, null);
    }
    List<List<Path>> archives = new ArrayList<>();
    for (Map.Entry<String, java.util.TreeMap<Integer, Path>> e : byArchive.entrySet()) {
      java.util.TreeMap<Integer, Path> numbered = e.getValue();
      if (numbered.containsKey(-1) && numbered.size() > 1) {
        throw new SourceException(dir + ": both " + e.getKey() + " and its parts are present", null);
      }
      int expected = numbered.firstKey() == -1 ? -1 : 0;
      for (int n : numbered.keySet()) {
        if (n != expected) {
          throw new SourceException(dir + ": " + e.getKey() + " part " + expected + " is missing (found part " + n + ")", null);
        }
        expected++;
      }
      archives.add(List.copyOf(numbered.values()));
    }
    return new ReleaseSource(archives, bufferBytes);
  }

  /**
   * Opens the metadata-folder layout.
   *
   * @param root the {@code gpt-edit} folder holding {@code <source>/<task>/metadata/*.json}
   * @return the source
   * @throws SourceException if the root cannot be listed or holds no metadata file
   */
  public static ReleaseSource metadataFolders(Path root) {
    List<Part> parts = new ArrayList<>();
    for (Path f : metadataFiles(root)) {
      parts.add(new Part(f, f.getParent().getParent(), root, false));
    }
    return new ReleaseSource(parts);
  }

  /**
   * Lists the metadata files of the metadata-folder layout, in path order: the files {@link #metadataFolders}
   * reads, for engines that read them on workers ({@link #records}, {@link #decode}).
   *
   * @param root the {@code gpt-edit} folder holding {@code <source>/<task>/metadata/*.json}
   * @return the files
   * @throws SourceException if the root cannot be listed or holds no metadata file
   */
  public static List<Path> metadataFiles(Path root) {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root, 4)) {
      Iterator<Path> it = s.filter(p -> p.getFileName().toString().endsWith(".json")
              && p.getParent() != null && p.getParent().getFileName().toString().equals("metadata"))
          .sorted().iterator();
      it.forEachRemaining(files::add);
    } catch (IOException e) {
      throw new SourceException("cannot list release root " + root + ": " + e.getMessage(), e);
    }
    if (files.isEmpty()) {
      throw new SourceException("no <source>/<task>/metadata/*.json under " + root, null);
    }
    return List.copyOf(files);
  }

  /**
   * One record of a metadata file, read but not decoded.
   *
   * @param index the record's position in its file's array, from 0
   * @param id the record's {@code id}, or null when it has none
   * @param json the record's JSON text
   */
  public record Record(int index, String id, String json) {
    /** Validates. */
    public Record {
      if (index < 0) {
        throw new IllegalArgumentException("index must be >= 0, got " + index);
      }
      java.util.Objects.requireNonNull(json, "json");
    }
  }

  /**
   * Streams the records of one metadata file ({@link #metadataFiles}), one at a time, in file order; close the
   * stream.
   *
   * @param file the metadata file
   * @return the records
   * @throws SourceException (also while streaming) when the file cannot be read or is not a JSON array of records
   */
  public static Stream<Record> records(Path file) {
    JsonArrayCursor cursor = new JsonArrayCursor(file);
    Iterator<Record> it = new Iterator<>() {
      private JsonNode next;
      private boolean ended;

      @Override
      public boolean hasNext() {
        if (next == null && !ended) {
          next = cursor.next();
          ended = next == null;
        }
        return next != null;
      }

      @Override
      public Record next() {
        if (!hasNext()) {
          throw new java.util.NoSuchElementException();
        }
        Record r = new Record(cursor.index(), text(next, "id").orElse(null), next.toString());
        next = null;
        return r;
      }
    };
    return java.util.stream.StreamSupport.stream(
        java.util.Spliterators.spliteratorUnknownSize(it, java.util.Spliterator.ORDERED), false).onClose(cursor::close);
  }

  /**
   * Decodes one record of a metadata file into the sample {@link #metadataFolders} makes of it (same id, metadata
   * and images: the local source runs this code).
   *
   * @param root the release root the file was listed under (the samples' paths are relative to it)
   * @param file the metadata file, {@code <root>/<source>/<task>/metadata/<name>.json}
   * @param record the record
   * @return the sample
   * @throws SourceException carrying the record's {@link SourceProblem} ({@code <file name>[<index>]}, its id, and
   *     the missing field or the missing or unreadable image)
   */
  public static EditTriplet decode(Path root, Path file, Record record) {
    String where = file.getFileName() + "[" + record.index() + "]";
    JsonNode n;
    try {
      n = JSON.readTree(record.json());
    } catch (IOException e) {
      throw new SourceException(new SourceProblem(where, "?", "malformed record: " + e.getMessage()), e);
    }
    return decoded(where, n, () -> release(n, file.getParent().getParent(), root, ReleaseSource::fileImage));
  }

  /** Runs a record's decoding; any failure becomes a {@link SourceException} with the record's problem. */
  private static EditTriplet decoded(String where, JsonNode n, java.util.function.Supplier<EditTriplet> decoding) {
    try {
      return decoding.get();
    } catch (SourceException e) {
      if (e.problem().isPresent()) {
        throw e;
      }
      throw new SourceException(new SourceProblem(where, text(n, "id").orElse("?"), String.valueOf(e.getMessage())), e);
    } catch (RuntimeException e) {
      throw new SourceException(new SourceProblem(where, text(n, "id").orElse("?"), String.valueOf(e.getMessage())), e);
    }
  }

  /**
   * Opens the training-annotation format.
   *
   * @param dataTxt the {@code data.txt} file
   * @param base the folder its relative paths are relative to (the training repository's root)
   * @return the source
   * @throws SourceException if {@code data.txt} is unreadable or a line is malformed
   */
  public static ReleaseSource dataTxt(Path dataTxt, Path base) {
    List<Part> parts = new ArrayList<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(dataTxt, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new SourceException("cannot read " + dataTxt + ": " + e.getMessage(), e);
    }
    int n = 0;
    for (String line : lines) {
      n++;
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split(",");
      if (f.length < 2) {
        throw new SourceException(dataTxt + " line " + n + ": expected '<image root>,<annotation json>[,<flag>]', got '" + line + "'", null);
      }
      Path root = base.resolve(f[0].strip());
      parts.add(new Part(base.resolve(f[1].strip()), root, root, true));
    }
    return new ReleaseSource(parts);
  }

  @Override
  EditTriplet advance() {
    if (archive != null) {
      return archive.advance();
    }
    while (true) {
      if (cursor == null) {
        if (parts.isEmpty()) {
          return null;
        }
        part = parts.poll();
        if (!Files.isRegularFile(part.file())) {
          problem(part.file().toString(), "?", "annotation file is missing");
          continue;
        }
        cursor = new JsonArrayCursor(part.file());
      }
      JsonNode n = cursor.next();
      if (n == null) {
        cursor.close();
        cursor = null;
        continue;
      }
      String where = part.file().getFileName() + "[" + cursor.index() + "]";
      try {
        return part.training()
            ? training(n, where)
            : decoded(where, n, () -> release(n, part.imageRoot(), part.relativeTo(), ReleaseSource::fileImage));
      } catch (SourceException e) {
        problem(e.problem().orElseThrow(() -> e));
      }
    }
  }

  /** Reads one of a record's images (from a file, or from bytes streamed out of an archive); throws its problem. */
  @FunctionalInterface
  private interface ImageLoader {
    RgbImage load(Path taskDir, Optional<String> rel, String field);
  }

  /** Decodes a release record; throws a {@link SourceException} (or an IllegalArgumentException) naming the problem. */
  private static EditTriplet release(JsonNode n, Path taskDir, Path relativeTo, ImageLoader images) {
    String id = text(n, "id").orElse(null);
    if (id == null) {
      throw new SourceException("record has no id", null);
    }
    RgbImage input = images.load(taskDir, text(n, "input"), "input");
    RgbImage output = images.load(taskDir, text(n, "output"), "output");
    String text = text(n, "instruction").orElseThrow(() -> new IllegalArgumentException("record has no instruction"));
    String type = text(n, "instruction_type").orElse("original").toLowerCase(Locale.ROOT);
    Optional<String> original = text(n, "instruction_original");
    EditInstruction instruction = switch (type) {
      case "rewrite" -> original.map(o -> EditInstruction.of(o).withRewrite(text)).orElse(EditInstruction.of(text));
      case "complex" -> new EditInstruction(text, Optional.empty(), steps(n),
          Optional.of(text(n, COMPLEXITY).map(ComplexityLevel::valueOf).orElse(ComplexityLevel.C3)));
      default -> EditInstruction.of(text);
    };
    String dataset = text(n, "dataset_source").orElse(taskDir.getParent().getFileName().toString());
    SampleMetadata.Builder b = SampleMetadata.builder(id, dataset, instruction, new Size(input.width(), input.height()))
        .optTask(text(n, "task").orElse(taskDir.getFileName().toString()))
        .optSourceId(id)
        .optInputPath(relativeTo.relativize(taskDir.resolve(text(n, "input").get())).toString())
        .optOutputPath(relativeTo.relativize(taskDir.resolve(text(n, "output").get())).toString());
    text(n, "input_description").ifPresent(b::optInputDescription);
    if (!type.equals("rewrite")) {
      // the instruction keeps no original unless it is a rewrite; keep the release's field so it round-trips
      original.ifPresent(o -> b.optExtension(INSTRUCTION_ORIGINAL, n.get("instruction_original").toString()));
    }
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      if (!MAPPED.contains(e.getKey())) {
        b.optExtension(SCHEMA_FIELDS.contains(e.getKey()) ? "release_" + e.getKey() : e.getKey(), e.getValue().toString());
      }
    }
    return new EditTriplet(id, input, instruction, output, b.build());
  }

  private EditTriplet training(JsonNode n, String where) {
    String stem = part.file().getFileName().toString().replaceFirst("\\.json$", "");
    String id = (stem + "_" + cursor.index()).replaceAll("[^A-Za-z0-9_/-]", "-");
    try {
      return training(n, stem, id, cursor.index(), part.imageRoot());
    } catch (RuntimeException e) {
      throw new SourceException(new SourceProblem(where, id, String.valueOf(e.getMessage())), e);
    }
  }

  private static EditTriplet training(JsonNode n, String stem, String id, int index, Path imageRoot) {
    JsonNode images = n.get("image");
    if (images == null || !images.isArray() || images.size() != 2) {
      throw new SourceException("field 'image' must be [input, output]", null);
    }
    RgbImage input = fileImage(imageRoot, Optional.of(images.get(0).asText()), "input");
    RgbImage output = fileImage(imageRoot, Optional.of(images.get(1).asText()), "output");
    String instruction = null;
    for (JsonNode turn : n.path("conversations")) {
      if ("human".equals(turn.path("from").asText())) {
        instruction = turn.path("value").asText().replace("<image>", "").strip();
        break;
      }
    }
    if (instruction == null || instruction.isBlank()) {
      throw new SourceException("no human turn with an instruction in 'conversations'", null);
    }
    String dataset = stem.contains("_") ? stem.substring(0, stem.indexOf('_')) : stem;
    EditInstruction ins = dataset.equals("complexedit")
        ? new EditInstruction(instruction, Optional.empty(), List.of(), Optional.of(ComplexityLevel.C3))
        : EditInstruction.of(instruction);
    SampleMetadata m = SampleMetadata.builder(id, dataset, ins, new Size(input.width(), input.height()))
        .optTask(stem)
        .optSourceId(Integer.toString(index))
        .optInputPath(images.get(0).asText())
        .optOutputPath(images.get(1).asText())
        .build();
    return new EditTriplet(id, input, ins, output, m);
  }

  private static RgbImage fileImage(Path dir, Optional<String> rel, String field) {
    if (rel.isEmpty()) {
      throw new SourceException("record has no '" + field + "' path", null);
    }
    Path file = dir.resolve(rel.get());
    if (!Files.isRegularFile(file)) {
      throw new SourceException(field + " image " + file + " is missing", null);
    }
    try {
      return ImageCodec.read(file);
    } catch (ImageDecodeException e) {
      throw new SourceException(e.getMessage(), e);
    }
  }

  private static List<String> steps(JsonNode n) {
    List<String> out = new ArrayList<>();
    for (JsonNode step : n.path(ATOMIC_STEPS)) {
      out.add(step.asText());
    }
    return out;
  }

  private static Optional<String> text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
  }

  @Override
  public void close() {
    if (cursor != null) {
      cursor.close();
      cursor = null;
    }
    parts.clear();
    if (archive != null) {
      archive.close();
    }
  }

  /** A record waiting for its images, with the task folder (inside the archive) its paths are relative to. */
  private record Waiting(JsonNode node, String where, Path taskDir, List<String> images) {}

  /** The streaming state of {@link #archives}: one tar entry at a time, ready triplets queued. */
  private final class ArchiveStream {
    private final Deque<List<Path>> archives;
    private final long bufferBytes;
    private final Deque<EditTriplet> ready = new ArrayDeque<>();
    /** Image bytes by path inside the archive; insertion order is the eviction order. */
    private final Map<String, byte[]> images = new java.util.LinkedHashMap<>();
    private final Map<String, List<Waiting>> waitingFor = new java.util.HashMap<>();
    private final Set<String> evicted = new java.util.HashSet<>();
    private long unreferencedBytes;
    private long heldBytes;
    private TarArchiveInputStream tar;
    private String archiveName;

    ArchiveStream(List<List<Path>> archives, long bufferBytes) {
      this.archives = new ArrayDeque<>(archives);
      this.bufferBytes = bufferBytes;
    }

    EditTriplet advance() {
      while (ready.isEmpty()) {
        if (tar == null && !openNext()) {
          finish();
          return ready.poll();
        }
        TarArchiveEntry entry;
        try {
          entry = tar.getNextEntry();
        } catch (IOException e) {
          throw new SourceException(archiveName + ": cannot read the archive: " + e.getMessage(), e);
        }
        if (entry == null) {
          closeTar();
          continue;
        }
        if (!entry.isFile()) {
          continue;
        }
        Path name = Path.of(entry.getName()).normalize();
        String where = archiveName + ":" + name;
        boolean metadata = name.getFileName().toString().endsWith(".json") && name.getParent() != null
            && name.getParent().getFileName().toString().equals("metadata");
        try {
          if (metadata) {
            records(name, where);
          } else {
            image(name.toString(), tar.readAllBytes());
          }
        } catch (IOException e) {
          throw new SourceException(where + ": cannot read the entry: " + e.getMessage(), e);
        }
      }
      return ready.poll();
    }

    private boolean openNext() {
      List<Path> partFiles = archives.poll();
      if (partFiles == null) {
        return false;
      }
      archiveName = partFiles.get(0).getFileName().toString().replaceFirst("\\.part\\d+$", "");
      java.util.Iterator<Path> it = partFiles.iterator();
      java.util.Enumeration<java.io.InputStream> streams = new java.util.Enumeration<>() {
        @Override
        public boolean hasMoreElements() {
          return it.hasNext();
        }

        @Override
        public java.io.InputStream nextElement() {
          Path p = it.next();
          try {
            return Files.newInputStream(p);
          } catch (IOException e) {
            throw new SourceException("cannot open archive part " + p + ": " + e.getMessage(), e);
          }
        }
      };
      try {
        tar = new TarArchiveInputStream(GzipCompressorInputStream.builder()
            .setInputStream(new java.io.BufferedInputStream(new java.io.SequenceInputStream(streams), 1 << 16))
            .setDecompressConcatenated(true)
            .get());
      } catch (IOException e) {
        throw new SourceException(archiveName + ": not a gzip stream: " + e.getMessage(), e);
      }
      return true;
    }

    /** Reads a metadata JSON array from the tar stream, record by record. */
    private void records(Path name, String where) throws IOException {
      Path taskDir = name.getParent().getParent();
      java.io.InputStream in = new java.io.FilterInputStream(tar) {
        @Override
        public void close() {}
      };
      try (com.fasterxml.jackson.core.JsonParser p = JSON.getFactory().createParser(in)) {
        if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_ARRAY) {
          problem(where, "?", "metadata file is not a JSON array");
          return;
        }
        int index = 0;
        while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
          JsonNode n = JSON.readTree(p);
          String at = where + "[" + index++ + "]";
          List<String> needed = new ArrayList<>();
          for (String field : List.of("input", "output")) {
            Optional<String> rel = text(n, field);
            if (rel.isEmpty()) {
              problem(at, text(n, "id").orElse("?"), "record has no '" + field + "' path");
              needed = null;
              break;
            }
            needed.add(taskDir.resolve(rel.get()).normalize().toString());
          }
          if (needed == null) {
            continue;
          }
          Waiting w = new Waiting(n, at, taskDir, needed);
          for (String image : needed) {
            if (!images.containsKey(image) && evicted.contains(image)) {
              problem(at, text(n, "id").orElse("?"), "image " + image + " came before its metadata and was evicted "
                  + "(buffer " + bufferBytes + " bytes); read with a larger buffer");
              needed = null;
              break;
            }
          }
          if (needed == null) {
            continue;
          }
          for (String image : needed) {
            if (images.containsKey(image) && !waitingFor.containsKey(image)) {
              unreferencedBytes -= images.get(image).length;
            }
            waitingFor.computeIfAbsent(image, k -> new ArrayList<>()).add(w);
          }
          complete(w);
        }
      }
    }

    private void image(String name, byte[] bytes) {
      byte[] previous = images.put(name, bytes);
      heldBytes += bytes.length - (previous == null ? 0 : previous.length);
      if (!waitingFor.containsKey(name)) {
        unreferencedBytes += bytes.length - (previous == null ? 0 : previous.length);
        evictOver();
        return;
      }
      for (Waiting w : List.copyOf(waitingFor.get(name))) {
        complete(w);
      }
      if (heldBytes > bufferBytes) {
        evictOver();
        if (heldBytes > bufferBytes) {
          throw new SourceException(archiveName + ":" + name + ": " + heldBytes + " bytes of images wait for their "
              + "partner image, over the buffer of " + bufferBytes + " bytes (the archive stores inputs far from "
              + "their outputs); read it with a larger buffer", null);
        }
      }
    }

    private void complete(Waiting w) {
      for (String image : w.images()) {
        if (!images.containsKey(image)) {
          return;
        }
      }
      byte[] input = images.get(w.images().get(0));
      byte[] output = images.get(w.images().get(1));
      for (String image : w.images()) {
        List<Waiting> list = waitingFor.get(image);
        if (list != null) {
          list.remove(w);
          if (list.isEmpty()) {
            waitingFor.remove(image);
            byte[] gone = images.remove(image);
            heldBytes -= gone == null ? 0 : gone.length;
          }
        }
      }
      ImageLoader fromBytes = (taskDir, rel, field) -> {
        try {
          return ImageCodec.decode(field.equals("input") ? input : output,
              archiveName + ":" + taskDir.resolve(rel.orElseThrow()).normalize());
        } catch (ImageDecodeException e) {
          throw new SourceException(e.getMessage(), e);
        }
      };
      try {
        ready.add(decoded(w.where(), w.node(), () -> release(w.node(), w.taskDir(), Path.of(""), fromBytes)));
      } catch (SourceException e) {
        problem(e.problem().orElseThrow(() -> e));
      }
    }

    private void evictOver() {
      java.util.Iterator<Map.Entry<String, byte[]>> it = images.entrySet().iterator();
      while (unreferencedBytes > bufferBytes && it.hasNext()) {
        Map.Entry<String, byte[]> e = it.next();
        if (!waitingFor.containsKey(e.getKey())) {
          unreferencedBytes -= e.getValue().length;
          heldBytes -= e.getValue().length;
          evicted.add(e.getKey());
          it.remove();
        }
      }
    }

    private void finish() {
      Set<Waiting> reported = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      for (Map.Entry<String, List<Waiting>> e : waitingFor.entrySet()) {
        for (Waiting w : e.getValue()) {
          if (!images.containsKey(e.getKey()) && reported.add(w)) {
            problem(w.where(), text(w.node(), "id").orElse("?"), "image " + e.getKey() + " is not in the archive");
          }
        }
      }
      waitingFor.clear();
      images.clear();
    }

    private void closeTar() {
      try {
        tar.close();
      } catch (IOException e) {
        // reading is done; nothing to release beyond the file handles the close attempted
      }
      tar = null;
    }

    void close() {
      if (tar != null) {
        closeTar();
      }
      archives.clear();
      images.clear();
      waitingFor.clear();
    }
  }
}
