package io.gptedit.models.bench;

import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.testing.TestImages;
import io.gptedit.models.conditioning.TextFusion;
import io.gptedit.models.editor.KontextEditor;
import io.gptedit.models.editor.Resolution;
import io.gptedit.models.flow.EulerSampler;
import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.flux.FluxTransformer;
import io.gptedit.models.nn.ModelWeights;
import io.gptedit.models.onnx.OnnxEditor;
import io.gptedit.models.safetensors.SafetensorsFile;
import io.gptedit.models.text.ByteTokenizer;
import io.gptedit.models.text.T5Config;
import io.gptedit.models.text.T5Encoder;
import io.gptedit.models.text.T5TextEncoder;
import io.gptedit.models.vae.AutoencoderKL;
import io.gptedit.models.vae.VaeConfig;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Per-step latency of a Kontext edit on the CPU with the denoiser on ONNX Runtime ({@link OnnxEditor}) versus on
 * DJL ({@link KontextEditor}), same weights, same sampler, same seed. A program, not a test:
 *
 * <pre>{@code
 * /usr/bin/python3 gptedit-models/src/test/python/make_onnx_fixtures.py --small /tmp/onnx-small
 * java ... io.gptedit.models.bench.OnnxBenchmark [threads] [/tmp/onnx-small]
 * }</pre>
 *
 * <p>Both editors use the tiny committed VAE and T5 (ONNX graphs resp. the same weights in DJL); the step time is
 * the median interval between consecutive step callbacks (step 1, which follows VAE encoding and text encoding, is
 * left out), so it is the denoiser call plus the shared sampler code. Each editor runs one 3-step warm-up edit
 * and then {@value #REPEATS} timed edits; the figure is the smallest of their medians (the machine is shared, so
 * the minimum is the least disturbed measurement). The DJL editor runs before the ONNX one is created, so ONNX
 * Runtime's spinning worker threads do not compete with PyTorch's.
 */
public final class OnnxBenchmark {
  private static final FluxConfig TINY =
      new FluxConfig(16, 16, 1, 1, 2, 8, 32, 8, true, new int[] {2, 2, 4}, 10000, 4);
  private static final FluxConfig SMALL =
      new FluxConfig(16, 16, 2, 4, 4, 32, 32, 8, true, new int[] {8, 12, 12}, 10000, 4);

  private static final int REPEATS = 3;

  private OnnxBenchmark() {}

  /**
   * Runs the benchmark and prints a Markdown table.
   *
   * @param args optional thread count (default 2), optional folder written by {@code --small}
   * @throws Exception on any failure
   */
  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    Path fixtures = fixtures();
    System.out.printf(Locale.ROOT, "intra-op threads: ONNX Runtime %d, PyTorch %s%n", threads,
        System.getProperty("ai.djl.pytorch.num_threads", "default"));
    System.out.println("| config | image | tokens (text+noisy+cond) | steps timed | DJL ms/step"
        + " | ONNX ms/step | DJL / ONNX | max pixel diff |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    run("tiny", TINY, fixtures.resolve("onnx/editor"), fixtures.resolve("onnx/flux_kontext_tiny_weights.safetensors"),
        threads, 64, 12);
    if (args.length > 1) {
      Path small = Path.of(args[1]);
      Path folder = Files.createTempDirectory("onnx-bench");
      try (Stream<Path> files = Files.list(fixtures.resolve("onnx/editor"))) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Files.copy(f, folder.resolve(f.getFileName().toString()));
        }
      }
      Files.copy(small.resolve("denoiser.onnx"), folder.resolve("denoiser.onnx"), StandardCopyOption.REPLACE_EXISTING);
      run("small", SMALL, folder, small.resolve("flux_small_weights.safetensors"), threads, 64, 6);
    }
  }

  static Path fixtures() throws URISyntaxException {
    return Path.of(OnnxBenchmark.class.getResource("/io/gptedit/models/fixtures").toURI());
  }

  static void run(String name, FluxConfig config, Path editorFolder, Path fluxWeights, int threads, int size,
      int steps) throws IOException, URISyntaxException {
    Path fixtures = fixtures();
    TextFusion.Config fusion =
        TextFusion.Config.t5Only(32, 8);
    RgbImage input = TestImages.pattern(size, size);
    String instruction = "make the sky pink";
    EditOptions options = EditOptions.builder().optSeed(1).optSteps(steps).optGuidance(2.5).build();
    try (SafetensorsFile fw = SafetensorsFile.open(fluxWeights);
        SafetensorsFile vw = SafetensorsFile.open(fixtures.resolve("vae_tiny_weights.safetensors"));
        SafetensorsFile tw = SafetensorsFile.open(fixtures.resolve("t5_tiny_weights.safetensors"));
        FluxTransformer flux = FluxTransformer.load(config, List.of(fw), "");
        AutoencoderKL vae = AutoencoderKL.load(VaeConfig.tiny(), List.of(vw), "");
        T5Encoder t5 = T5Encoder.load(T5Config.tiny(), List.of(tw));
        TextFusion text =
            new TextFusion(fusion, ModelWeights.random(TextFusion.spec(fusion), 0),
                new T5TextEncoder(t5, new ByteTokenizer(), 32, "t5-tiny", false), null)) {
      Timed djl = time(l -> KontextEditor.builder().setTransformer(flux).setCodec(vae).setConditioner(text)
          .optResolution(Resolution.FLOOR_TO_MULTIPLE).optListener(l).build(), input, instruction, options);
      Timed onnx = time(l -> OnnxEditor.builder(editorFolder).setTokenizer(new ByteTokenizer())
          .optResolution(Resolution.FLOOR_TO_MULTIPLE).optIntraOpThreads(threads).optListener(l).build(),
          input, instruction, options);
      int latent = size / VaeConfig.tiny().spatialFactor() / 2;
      System.out.printf(Locale.ROOT, "| %s (%d+%d blocks, hidden %d) | %dx%d | %d+%d+%d | %d | %.2f | %.2f | %.2f | %d |%n",
          name, config.numLayers(), config.numSingleLayers(), config.hidden(), size, size, instruction.length() + 1,
          latent * latent, latent * latent, steps - 1, djl.msPerStep, onnx.msPerStep, djl.msPerStep / onnx.msPerStep,
          TestImages.maxSampleDiff(djl.image, onnx.image));
    }
  }

  record Timed(RgbImage image, double msPerStep) {}

  static Timed time(
      Function<EulerSampler.StepListener, ImageEditor> factory, RgbImage input, String instruction,
      EditOptions options) {
    int steps = options.steps().orElseThrow();
    long[] stamps = new long[steps + 1];
    try (ImageEditor editor = factory.apply((s, n) -> stamps[s] = System.nanoTime())) {
      editor.edit(input, instruction, options.toBuilder().optSteps(3).build()); // warm-up
      RgbImage out = null;
      double best = Double.MAX_VALUE;
      for (int r = 0; r < REPEATS; r++) {
        out = editor.edit(input, instruction, options);
        double[] intervals = new double[steps - 1];
        for (int s = 2; s <= steps; s++) {
          intervals[s - 2] = (stamps[s] - stamps[s - 1]) / 1e6;
        }
        Arrays.sort(intervals);
        best = Math.min(best, intervals[intervals.length / 2]);
      }
      return new Timed(out, best);
    }
  }


}
