package io.gptedit.testkit.eval;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.remote.ChatService;
import io.gptedit.core.remote.OpenAiClient;
import io.gptedit.eval.Benchmark;
import io.gptedit.eval.bench.BenchmarkSet;
import io.gptedit.eval.bench.ComplexEditBench;
import io.gptedit.eval.bench.GEditBench;
import io.gptedit.eval.bench.ImgEditBench;
import io.gptedit.eval.bench.OmniContextBench;
import io.gptedit.eval.judge.JudgeConfig;
import io.gptedit.eval.run.BenchmarkRunner;
import io.gptedit.eval.run.Evaluation;
import io.gptedit.eval.run.ProgressListener;
import io.gptedit.testkit.remote.OpenAiStandInServer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Runs a benchmark end to end on a generated mini-benchmark: the entry point behind the CLI's evaluation demo.
 *
 * <p>{@link #runOffline} needs nothing: it writes a tiny benchmark folder, edits it with {@link #demoEditor()},
 * and judges it through a real {@link OpenAiClient} talking HTTP to an {@link OpenAiStandInServer} on loopback
 * whose chat endpoint is a scripted judge (including unparsable replies, so failures show in the report).
 * {@link #run} does the same against any chat service: pass an {@link OpenAiClient} built with a real base URL
 * and key to have the mini-benchmark judged by a real model.
 *
 * @since 0.1
 */
public final class MiniBenchmarkDemo {
  private MiniBenchmarkDemo() {}

  /**
   * Writes a mini-benchmark and loads it.
   *
   * @param benchmark the benchmark
   * @param dir the folder to write the data into
   * @param perCategory samples per category (per row count for Complex-Edit)
   * @return the loaded samples (GEdit English full set; Complex-Edit C8 real; ImgEdit basic; OmniContext SINGLE)
   */
  public static BenchmarkSet writeAndLoad(Benchmark benchmark, Path dir, int perCategory) {
    return switch (benchmark) {
      case GEDIT -> GEditBench.load(MiniBenchmarks.writeGEdit(dir, perCategory), "en", false);
      case IMGEDIT -> {
        Path json = MiniBenchmarks.writeImgEdit(dir, perCategory, false);
        yield ImgEditBench.load(json, json.resolveSibling("singleturn"));
      }
      case COMPLEX_EDIT -> ComplexEditBench.load(MiniBenchmarks.writeComplexEdit(dir, perCategory * 4), "real", 8);
      case OMNICONTEXT -> OmniContextBench.load(MiniBenchmarks.writeOmniContext(dir, perCategory * 2));
      case LOCAL -> throw new IllegalArgumentException("local-metric benchmarks have no generated mini-benchmark");
    };
  }

  /**
   * Runs a benchmark on a generated mini-benchmark with a scripted judge served over loopback HTTP.
   *
   * @param benchmark the benchmark
   * @param workDir a folder for the data, outputs and reports
   * @param listener progress
   * @return the evaluation; its report's Markdown is what a CLI prints
   */
  public static Evaluation runOffline(Benchmark benchmark, Path workDir, ProgressListener listener) {
    // The stand-in gets its own dummy key, never the environment's (a real OPENAI_API_KEY has no business here).
    try (OpenAiStandInServer server = OpenAiStandInServer.builder()
            .optChatService(new ScriptedJudgeChat())
            .optRequireBearerToken(OpenAiStandInServer.STAND_IN_KEY)
            .build();
        OpenAiClient client = server.clientBuilder().build()) {
      return run(benchmark, workDir, client, JudgeConfig.defaults(benchmark).withSamplesPerImage(
          benchmark == Benchmark.COMPLEX_EDIT ? 3 : 1), listener);
    }
  }

  /**
   * Runs a benchmark on a generated mini-benchmark with any judge.
   *
   * @param benchmark the benchmark
   * @param workDir a folder for the data, outputs and reports
   * @param judge the judge's chat service, such as an {@link OpenAiClient} with a real base URL and key
   * @param config the judge settings
   * @param listener progress
   * @return the evaluation
   */
  public static Evaluation run(
      Benchmark benchmark, Path workDir, ChatService judge, JudgeConfig config, ProgressListener listener) {
    requireNonNull(workDir, "workDir");
    BenchmarkSet set = writeAndLoad(benchmark, workDir.resolve("data"), 2);
    try (ImageEditor editor = demoEditor()) {
      return BenchmarkRunner.builder()
          .setBenchmarkSet(set)
          .setOutputRoot(workDir.resolve("outputs"))
          .setChat(judge)
          .optEditor(editor)
          .optJudgeConfig(config.withCache(workDir.resolve("judge-cache")))
          .optEditConcurrency(2)
          .optJudgeConcurrency(4)
          .optListener(listener)
          .build()
          .run();
    }
  }

  /**
   * Returns the demo editor: it repaints every pixel that differs from the top-left (background) colour with the
   * last colour the instruction names (red, green, blue, yellow, purple, orange, white), and leaves the image
   * unchanged when it names none. Deterministic and thread-safe.
   *
   * @return the editor, named {@code demo-recolour}
   */
  public static ImageEditor demoEditor() {
    return new RecolourEditor();
  }

  private static final class RecolourEditor implements ImageEditor {
    private static final Map<String, Integer> COLOURS =
        Map.of("red", 0xE02020, "green", 0x20C040, "blue", 0x2040E0, "yellow", 0xF0E020, "purple", 0x8030A0,
            "orange", 0xF08020, "white", 0xFFFFFF);

    @Override
    public RgbImage edit(RgbImage input, String instruction, EditOptions options) {
      String text = instruction.toLowerCase(Locale.ROOT);
      int at = -1;
      int colour = 0;
      for (Map.Entry<String, Integer> e : COLOURS.entrySet()) {
        int i = text.lastIndexOf(e.getKey());
        if (i > at) {
          at = i;
          colour = e.getValue();
        }
      }
      if (at < 0) {
        return input;
      }
      int bg = input.rgb(0, 0);
      byte[] rgb = input.copyRgb();
      for (int p = 0; p < input.width() * input.height(); p++) {
        int c = ((rgb[p * 3] & 0xFF) << 16) | ((rgb[p * 3 + 1] & 0xFF) << 8) | (rgb[p * 3 + 2] & 0xFF);
        if (c != bg) {
          rgb[p * 3] = (byte) (colour >> 16);
          rgb[p * 3 + 1] = (byte) (colour >> 8);
          rgb[p * 3 + 2] = (byte) colour;
        }
      }
      return RgbImage.of(input.width(), input.height(), rgb);
    }

    @Override
    public String name() {
      return "demo-recolour";
    }
  }
}
