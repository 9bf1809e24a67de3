package io.gptedit.testkit.eval;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageFormat;
import io.gptedit.core.image.RgbImage;
import io.gptedit.eval.Benchmark;
import io.gptedit.eval.EvalException;
import io.gptedit.eval.bench.ComplexEditBench;
import io.gptedit.eval.bench.GEditBench;
import io.gptedit.eval.bench.OmniContextBench;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes tiny benchmark folders in the same layouts the loaders of {@code io.gptedit.eval.bench} read: for offline
 * demos and end-to-end tests.
 *
 * <p>Every input is a small image of a coloured square on a plain background, drawn from a seeded generator, so
 * the same arguments always write the same files.
 *
 * @since 0.1
 */
public final class MiniBenchmarks {
  private static final int SIDE = 24;
  private static final ObjectMapper JSON = new ObjectMapper();

  private MiniBenchmarks() {}

  /**
   * Writes a GEdit folder with {@code perTaskType} English and as many Chinese rows per task type; every other
   * English row is in the intersection subset.
   *
   * @param folder the folder to create
   * @param perTaskType rows per task type and language, at least 1
   * @return the folder, for {@link GEditBench#load}
   */
  public static Path writeGEdit(Path folder, int perTaskType) {
    checkArgument(perTaskType >= 1, "perTaskType must be >= 1");
    SplittableRandom r = new SplittableRandom(1);
    StringBuilder jsonl = new StringBuilder();
    int n = 0;
    for (String lang : new String[] {"en", "cn"}) {
      for (String t : Benchmark.GEDIT.categories()) {
        for (int i = 0; i < perTaskType; i++) {
          String key = String.format(Locale.ROOT, "%s_%02d", t.replace('-', '_'), i);
          String rel = "images/" + lang + "/" + t + "/" + key + ".png";
          writeImage(folder.resolve(rel), r);
          ObjectNode row = JSON.createObjectNode();
          row.put("task_type", t);
          row.put("key", key);
          row.put("instruction", (lang.equals("en") ? "make the square " : "把方块变成") + colour(n++));
          row.put("instruction_language", lang);
          row.put("Intersection_exist", i % 2 == 0);
          row.put("input_image", rel);
          jsonl.append(row).append('\n');
        }
      }
    }
    write(folder.resolve(GEditBench.METADATA), jsonl.toString());
    return folder;
  }

  /**
   * Writes an ImgEdit Basic folder: {@code basic_edit.json} and {@code singleturn/} originals, with
   * {@code perFamily} rows in each of the nine families (the adjust family under its older name {@code alter} when
   * {@code olderNaming} is set).
   *
   * @param folder the folder to create
   * @param perFamily rows per family, at least 1
   * @param olderNaming whether to write {@code alter} instead of {@code adjust}
   * @return the {@code basic_edit.json} file; originals are in its sibling {@code singleturn/}
   */
  public static Path writeImgEdit(Path folder, int perFamily, boolean olderNaming) {
    checkArgument(perFamily >= 1, "perFamily must be >= 1");
    SplittableRandom r = new SplittableRandom(2);
    ObjectNode root = JSON.createObjectNode();
    int n = 0;
    for (String f : Benchmark.IMGEDIT.categories()) {
      for (int i = 0; i < perFamily; i++) {
        String id = "set" + (n % 3) + "/img" + n + ".jpg";
        writeJpeg(folder.resolve("singleturn").resolve(id), r);
        ObjectNode e = root.putObject(Integer.toString(n));
        e.put("id", id);
        e.put("prompt", f + " edit: make the square " + colour(n));
        e.put("edit_type", olderNaming && f.equals("adjust") ? "alter" : f);
        n++;
      }
    }
    Path json = folder.resolve("basic_edit.json");
    write(json, root.toPrettyString());
    return json;
  }

  /**
   * Writes a Complex-Edit dataset folder with {@code rows} rows in {@code test_real/} and {@code test_syn/}, each
   * with all eight complexity levels.
   *
   * @param folder the folder to create
   * @param rows rows per split, at least 1
   * @return the folder, for {@link ComplexEditBench#load}
   */
  public static Path writeComplexEdit(Path folder, int rows) {
    checkArgument(rows >= 1, "rows must be >= 1");
    SplittableRandom r = new SplittableRandom(3);
    for (String split : new String[] {"test_real", "test_syn"}) {
      StringBuilder jsonl = new StringBuilder();
      for (int i = 0; i < rows; i++) {
        String rel = "images/" + i + ".png";
        writeImage(folder.resolve(split).resolve(rel), r);
        ObjectNode row = JSON.createObjectNode();
        row.put("image", rel);
        ArrayNode compound = row.putObject("edit").putArray("compound");
        StringBuilder text = new StringBuilder();
        for (int k = 1; k <= ComplexEditBench.MAX_LEVEL; k++) {
          text.append(k == 1 ? "" : ", then ").append("make the square ").append(colour(i + k));
          compound.addObject().put("complexity", k).put("compound_instruction", text.toString());
        }
        jsonl.append(row).append('\n');
      }
      write(folder.resolve(split).resolve(ComplexEditBench.METADATA), jsonl.toString());
    }
    return folder;
  }

  /**
   * Writes an OmniContext folder with {@code perTaskType} rows of each SINGLE task type and one MULTIPLE row that
   * the SINGLE loader skips.
   *
   * @param folder the folder to create
   * @param perTaskType rows per task type, at least 1
   * @return the folder, for {@link OmniContextBench#load}
   */
  public static Path writeOmniContext(Path folder, int perTaskType) {
    checkArgument(perTaskType >= 1, "perTaskType must be >= 1");
    SplittableRandom r = new SplittableRandom(4);
    StringBuilder jsonl = new StringBuilder();
    int n = 0;
    for (String t : Benchmark.OMNICONTEXT.categories()) {
      for (int i = 0; i < perTaskType; i++) {
        String rel = "inputs/" + t + "_" + i + ".png";
        writeImage(folder.resolve(rel), r);
        ObjectNode row = JSON.createObjectNode();
        row.put("task_type", t);
        row.put("key", t + "_" + i);
        row.put("instruction", "the subject in image 1 stands on a " + colour(n++) + " beach");
        row.putArray("input_images").add(rel);
        jsonl.append(row).append('\n');
      }
    }
    ObjectNode multi = JSON.createObjectNode();
    multi.put("task_type", "multiple_object");
    multi.put("key", "multi_0");
    multi.put("instruction", "two subjects");
    multi.putArray("input_images").add("inputs/a.png").add("inputs/b.png");
    jsonl.append(multi).append('\n');
    write(folder.resolve(OmniContextBench.METADATA), jsonl.toString());
    return folder;
  }

  private static String colour(int n) {
    String[] colours = {"red", "green", "blue", "yellow", "purple", "orange", "white"};
    return colours[Math.floorMod(n, colours.length)];
  }

  private static RgbImage image(SplittableRandom r) {
    int bg = r.nextInt(0x1000000);
    int fg = r.nextInt(0x1000000);
    int x0 = r.nextInt(SIDE / 2);
    int y0 = r.nextInt(SIDE / 2);
    byte[] rgb = new byte[SIDE * SIDE * 3];
    for (int y = 0; y < SIDE; y++) {
      for (int x = 0; x < SIDE; x++) {
        int c = x >= x0 && x < x0 + SIDE / 3 && y >= y0 && y < y0 + SIDE / 3 ? fg : bg;
        int i = (y * SIDE + x) * 3;
        rgb[i] = (byte) (c >> 16);
        rgb[i + 1] = (byte) (c >> 8);
        rgb[i + 2] = (byte) c;
      }
    }
    return RgbImage.of(SIDE, SIDE, rgb);
  }

  private static void writeImage(Path file, SplittableRandom r) {
    ImageCodec.write(image(r), file, ImageFormat.PNG);
  }

  private static void writeJpeg(Path file, SplittableRandom r) {
    ImageCodec.write(image(r), file, ImageFormat.JPEG);
  }

  private static void write(Path file, String text) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new EvalException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
