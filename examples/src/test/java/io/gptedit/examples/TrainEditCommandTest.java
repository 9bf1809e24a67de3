package io.gptedit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.core.image.ImageCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gptedit lab}, {@code train} and {@code edit} on one tiny data set, through the command line. */
class TrainEditCommandTest {
  @TempDir static Path tmp;
  static Path lab;

  @BeforeAll
  static void tinyLab() {
    lab = tmp.resolve("lab");
    String out = Cli.run(
        "lab", "--steps", "20", "--size", "8", "--batch", "4", "--seed", "3", "--train", "40", "--heldout", "4",
        "--double-blocks", "1", "--single-blocks", "1", "--heads", "2", "--threads", "1", "-o", lab.toString());
    assertThat(out).contains("trained-kontext", "copy-input", "report:");
  }

  @Test
  void gptEditEditWritesExactlyTheImageTheInMemoryModelSampledWithTheSameSeed() throws Exception {
    List<String> index = Files.readAllLines(lab.resolve("heldout/index.jsonl"));
    for (String line : index) {
      String key = line.replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");
      String instruction = line.replaceAll(".*\"instruction\":\"([^\"]+)\".*", "$1");
      Path out = tmp.resolve("edited-" + key + ".png");
      // The lab samples every held-out edit with seed 3 * 31 and its --sample-steps (2).
      Cli.run("edit", "--checkpoint", lab.resolve("run").toString(), "--image",
          lab.resolve("heldout/inputs/" + key + ".png").toString(), "--instruction", instruction, "--seed", "93",
          "--steps", "2", "-o", out.toString());
      assertThat(ImageCodec.read(out)).as(key)
          .isEqualTo(ImageCodec.read(lab.resolve("heldout/outputs/trained-kontext/" + key + ".png")));
    }
  }

  @Test
  void gptEditEditOnAnExplicitCpuWritesTheSameImageAsTheDefaultDevice() throws Exception {
    String line = Files.readAllLines(lab.resolve("heldout/index.jsonl")).get(0);
    String key = line.replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");
    String instruction = line.replaceAll(".*\"instruction\":\"([^\"]+)\".*", "$1");
    Path out = tmp.resolve("edited-on-cpu-" + key + ".png");
    Cli.run("edit", "--editor", "checkpoint:" + lab.resolve("run"), "--device", "cpu", "--image",
        lab.resolve("heldout/inputs/" + key + ".png").toString(), "--instruction", instruction, "--seed", "93",
        "--steps", "2", "-o", out.toString());
    assertThat(ImageCodec.read(out))
        .isEqualTo(ImageCodec.read(lab.resolve("heldout/outputs/trained-kontext/" + key + ".png")));
  }

  @Test
  void gptEditEditsAFolderPairedByKeyWithTheCheckpointEditorSpec() throws Exception {
    Path out = tmp.resolve("folder-edits");
    String printed = Cli.run("edit", "--editor", "checkpoint:" + lab.resolve("run"), "--folder",
        lab.resolve("heldout/inputs").toString(), "--instructions", lab.resolve("heldout/index.jsonl").toString(),
        "--seed", "93", "--steps", "2", "--output", out.toString());
    List<String> index = Files.readAllLines(lab.resolve("heldout/index.jsonl"));
    assertThat(printed).contains("edit: " + index.size() + " of " + index.size() + " images");
    for (String line : index) {
      String key = line.replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");
      assertThat(ImageCodec.read(out.resolve(key + ".png"))).as(key)
          .isEqualTo(ImageCodec.read(lab.resolve("heldout/outputs/trained-kontext/" + key + ".png")));
    }
  }

  @Test
  void gptEditTrainFineTunesAPresetOnAShardFolderAndItsRunLoadsForEditing() {
    Path run = tmp.resolve("train-run");
    String out = Cli.run(
        "train", "--data", lab.resolve("data/train").toString(), "-o", run.toString(), "--preset", "channel-wise",
        "--size", "8", "--steps", "6", "--batch", "4", "--loss", "MASK_BALANCED", "--checkpoint-every", "3",
        "--device", "cpu");
    assertThat(out).contains("channel-wise editor", "training done: step 6/6");
    assertThat(run.resolve("editor.json")).isRegularFile();
    assertThat(run.resolve("checkpoints/step-000000003")).isDirectory();
    Path edited = tmp.resolve("train-edited.png");
    Cli.run("edit", "--checkpoint", run.toString(), "--image",
        firstInput(), "--instruction", "make the circle red", "-o", edited.toString());
    assertThat(ImageCodec.read(edited).width()).isEqualTo(8);
  }

  @Test
  void gptEditTrainPrecisionFp16TrainsInMixedPrecisionRecordsItAndItsRunLoadsForEditing() throws Exception {
    Path run = tmp.resolve("fp16-run");
    String out = Cli.run(
        "train", "--data", lab.resolve("data/train").toString(), "-o", run.toString(), "--preset", "kontext",
        "--size", "8", "--steps", "3", "--batch", "4", "--checkpoint-every", "0", "--precision", "fp16",
        "--device", "cpu");
    assertThat(out).contains("kontext editor", "training done: step 3/3");
    assertThat(Files.readString(run.resolve("provenance.json"))).containsPattern("\"precision\"\\s*:\\s*\"fp16\"");
    Path edited = tmp.resolve("fp16-edited.png");
    Cli.run("edit", "--checkpoint", run.toString(), "--image", firstInput(), "--instruction", "make the circle red",
        "-o", edited.toString());
    assertThat(ImageCodec.read(edited).width()).isEqualTo(8);
  }

  @Test
  void gptEditTrainRefusesAPrecisionOtherThanFp32OrFp16BeforeTraining() {
    for (String bad : new String[] {"bf16", "int8"}) {
      Path run = tmp.resolve("bad-precision-" + bad);
      String err = Cli.fail(
          "train", "--data", lab.resolve("data/train").toString(), "-o", run.toString(), "--preset", "kontext",
          "--size", "8", "--steps", "2", "--batch", "4", "--precision", bad).err();
      assertThat(err).contains("--precision", "unknown precision '" + bad + "'", "choose fp32 or fp16");
      assertThat(run).doesNotExist();
    }
    assertThat(Cli.fail("train", "--data", lab.resolve("data/train").toString(), "-o", tmp.resolve("bf").toString(),
        "--precision", "bf16").err()).contains("aborts the JVM on bfloat16");
  }

  @Test
  void gptEditTrainWithEmbeddingsStoresTheTextEncodingsOnceAndALaterRunReadsThem() {
    Path store = tmp.resolve("embeddings");
    String[] args = {"train", "--data", lab.resolve("data/train").toString(), "--preset", "kontext", "--size", "8",
        "--steps", "2", "--batch", "4", "--checkpoint-every", "0", "--embeddings", store.toString()};
    String first = Cli.run(concat(args, "-o", tmp.resolve("emb-run-1").toString()));
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("embeddings: 0 read, (\\d+) computed").matcher(first);
    assertThat(m.find()).as(first).isTrue();
    int computed = Integer.parseInt(m.group(1));
    assertThat(computed).isPositive();
    String second = Cli.run(concat(args, "-o", tmp.resolve("emb-run-2").toString()));
    assertThat(second).as("the same samples and buckets: nothing to encode")
        .contains("embeddings: " + computed + " read, 0 computed");
  }

  @Test
  void gptEditTrainEmbedOnlyFillsTheStoreForEverySampleEmbedStatusCountsItAndTrainingThenComputesNone() {
    Path store = tmp.resolve("embeddings-filled");
    String[] args = {"train", "--data", lab.resolve("data/train").toString(), "--preset", "kontext", "--size", "8",
        "--steps", "2", "--batch", "4", "--checkpoint-every", "0", "--embeddings", store.toString()};
    String before = Cli.run(concat(args, "-o", tmp.resolve("status-run").toString(), "--embed-status"));
    String filled = Cli.run(concat(args, "-o", tmp.resolve("fill-run").toString(), "--embed-only"));
    java.util.regex.Matcher n = java.util.regex.Pattern.compile("train: ([\\d,]+) samples").matcher(filled);
    assertThat(n.find()).as(filled).isTrue();
    String total = n.group(1).replace(",", "");
    assertThat(before).as("nothing stored yet, nothing computed")
        .contains("embeddings: 0 of " + total + " accepted samples stored, " + total + " missing")
        .doesNotContain("training done");
    String after = Cli.run(concat(args, "-o", tmp.resolve("status-run-2").toString(), "--embed-status"));
    assertThat(after).contains("embeddings: " + total + " of " + total + " accepted samples stored, 0 missing")
        .containsPattern("\\n  [A-Z_0-9]+ .*: \\d+ stored, 0 missing");
    assertThat(filled).contains("embeddings: 0 read, " + n.group(1).replace(",", "") + " computed")
        .doesNotContain("training done");
    String trained = Cli.run(concat(args, "-o", tmp.resolve("after-fill-run").toString()));
    assertThat(trained).contains("training done").containsPattern("embeddings: \\d+ read, 0 computed");
    String only = Cli.run(concat(args, "-o", tmp.resolve("only-embedded-run").toString(), "--only-embedded"));
    assertThat(only).contains("training done").containsPattern("embeddings: \\d+ read, 0 computed");
  }

  @Test
  void gptEditTrainOnlyEmbeddedNeedsAFilledEmbeddingFolder() {
    String[] args = {"train", "--data", lab.resolve("data/train").toString(), "--preset", "kontext", "--size", "8",
        "--steps", "2", "--batch", "4", "-o", tmp.resolve("only-run").toString(), "--only-embedded"};
    assertThat(Cli.fail(args).err()).contains("--only-embedded needs --embeddings");
    assertThat(Cli.fail(concat(args, "--embeddings", tmp.resolve("empty-store").toString())).err())
        .contains("holds no encoding of an accepted sample").contains("--embed-only");
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static String firstInput() {
    try (var s = Files.list(lab.resolve("heldout/inputs"))) {
      return s.sorted().findFirst().orElseThrow().toString();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
