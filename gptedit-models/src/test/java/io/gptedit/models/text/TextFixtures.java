package io.gptedit.models.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The fixtures of tools/make_text_fixtures.py (transformers and tokenizers outputs), for tests of any package. */
public final class TextFixtures {
  private TextFixtures() {}

  /**
   * Returns a file or folder under fixtures/text/.
   *
   * @param name the relative name
   * @return its path
   */
  public static Path path(String name) {
    try {
      return Path.of(TextFixtures.class.getResource("/io/gptedit/models/fixtures/text/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing fixture " + name + " (run tools/make_text_fixtures.py)", e);
    }
  }

  /**
   * Returns corpus.json.
   *
   * @return its root
   */
  public static JsonNode corpus() {
    try {
      return new ObjectMapper().readTree(path("corpus.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Largest absolute difference of two equally long arrays.
   *
   * @param a one
   * @param b the other
   * @return the max abs difference
   */
  public static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  /**
   * Lays out a FLUX.1-Kontext-dev-shaped diffusers folder's text part from the fixtures: tokenizer/ and
   * text_encoder/ (CLIP-L), tokenizer_2/ and text_encoder_2/ (T5).
   *
   * @param dir the pipeline folder to fill
   * @return {@code dir}
   * @throws IOException if copying fails
   */
  public static Path fluxTextFolders(Path dir) throws IOException {
    copyTree(path("tokenizer_clip"), dir.resolve("tokenizer"));
    copyTree(path("text_encoder_clip_l"), dir.resolve("text_encoder"));
    copyTree(path("tokenizer_t5"), dir.resolve("tokenizer_2"));
    copyTree(path("text_encoder_t5"), dir.resolve("text_encoder_2"));
    return dir;
  }

  /**
   * Lays out an SD3-Medium-shaped diffusers folder's text part from the fixtures (three tokenizers and encoders).
   *
   * @param dir the pipeline folder to fill
   * @return {@code dir}
   * @throws IOException if copying fails
   */
  public static Path sd3TextFolders(Path dir) throws IOException {
    copyTree(path("tokenizer_clip"), dir.resolve("tokenizer"));
    copyTree(path("text_encoder_clip_l_proj"), dir.resolve("text_encoder"));
    copyTree(path("tokenizer_clip_g"), dir.resolve("tokenizer_2"));
    copyTree(path("text_encoder_clip_g"), dir.resolve("text_encoder_2"));
    copyTree(path("tokenizer_t5"), dir.resolve("tokenizer_3"));
    copyTree(path("text_encoder_t5"), dir.resolve("text_encoder_3"));
    return dir;
  }

  /**
   * Copies a folder's files (one level).
   *
   * @param from the source folder
   * @param to the target folder, created
   * @throws IOException if copying fails
   */
  public static void copyTree(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, to.resolve(f.getFileName().toString()));
      }
    }
  }
}
