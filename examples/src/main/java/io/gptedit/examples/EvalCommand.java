package io.gptedit.examples;

import io.gptedit.core.remote.OpenAiClient;
import io.gptedit.eval.Benchmark;
import io.gptedit.eval.judge.JudgeConfig;
import io.gptedit.eval.run.Evaluation;
import io.gptedit.eval.run.ProgressListener;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.eval.bench.BenchmarkSet;
import io.gptedit.eval.judge.PromptSet;
import io.gptedit.eval.run.BenchmarkRunner;
import io.gptedit.testkit.eval.MiniBenchmarkDemo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Runs a benchmark end to end: edit (optional), judge, aggregate with the official formulas, print the report
 * beside the paper's table and write the official files.
 *
 * <p>With {@code --data} it reads the benchmark's real files ({@link BenchmarkData}), judges the outputs already
 * under {@code --edited} (paired with samples by key in the official layout) or first edits with
 * {@code --editor SPEC} ({@link EditorSpecs}), and asks the judge at {@code --judge-base-url}, the key read from
 * the environment variable named by {@code --api-key-env} (optional for a loopback URL). {@code --prompts} loads
 * the official prompt templates; without it our own templates are used, and the report says which.
 *
 * <p>Without {@code --data} it runs a generated mini-benchmark: the demo editor, and a scripted judge served over
 * loopback HTTP (no key, no network) unless {@code --judge-base-url} names a real one.
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = "Run GEdit-Bench-EN, ImgEdit, Complex-Edit or OmniContext: on the real benchmark files with --data "
        + "(judging --edited, or editing first with --editor), or on a generated mini-benchmark (scripted loopback "
        + "judge by default; --judge-base-url for a real judge).")
final class EvalCommand implements Callable<Integer> {
  @Option(names = "--benchmark", description = "gedit, imgedit, complex-edit, omnicontext or all (default ${DEFAULT-VALUE}).")
  String benchmark = "all";

  @Option(names = {"-o", "--output"}, description = "Folder for data, edited images, judge cache and reports (default ${DEFAULT-VALUE}).")
  Path output = Path.of("gptedit-runs", "eval");

  @Option(names = {"--judge-base-url", "--base-url"}, description = "An OpenAI-compatible base URL for a real judge, e.g. https://api.openai.com/v1.")
  String baseUrl;

  @Option(names = "--judge-model", description = "Judge model when --base-url is given (default: each benchmark's official judge).")
  String judgeModel;

  @Option(names = "--api-key-env", description = "Environment variable holding the judge's API key (default ${DEFAULT-VALUE}).")
  String apiKeyEnv = OpenAiClient.DEFAULT_API_KEY_ENV;

  @Mixin BenchmarkData data = new BenchmarkData();

  @Mixin EditorSpecs editorSpec = new EditorSpecs();

  @Option(names = "--edited", description = "With --data: the edited images to judge, in the official layout (default <output>/outputs).")
  Path edited;

  @Option(names = "--model-name", description = "With --data: the model's name in output paths and reports (default: the editor's, or 'model').")
  String modelName;

  @Option(names = "--prompts", description = "With --data: the official prompt templates (a folder of <name>.txt or a JSON object file); default: ours.")
  Path prompts;

  @Option(names = "--judge-concurrency", description = "Judge calls in flight (default ${DEFAULT-VALUE}).")
  int judgeConcurrency = 4;

  @Override
  public Integer call() {
    if (data.data != null) {
      return runOnRealData();
    }
    List<Benchmark> which = new ArrayList<>();
    if ("all".equalsIgnoreCase(benchmark)) {
      which.addAll(Benchmark.judged());
    } else {
      which.add(Benchmark.fromId(benchmark));
    }
    int failures = 0;
    for (Benchmark b : which) {
      Path dir = output.resolve(b.id());
      ProgressListener listener = ProgressListener.lines(b.id(), System.err);
      Evaluation evaluation;
      if (baseUrl == null) {
        evaluation = MiniBenchmarkDemo.runOffline(b, dir, listener);
      } else {
        try (OpenAiClient client =
            OpenAiClient.builder().optBaseUrl(baseUrl).optApiKeyEnvironmentVariable(apiKeyEnv).build()) {
          JudgeConfig config = judgeModel != null ? JudgeConfig.defaults(b).withModel(judgeModel) : JudgeConfig.defaults(b);
          evaluation = MiniBenchmarkDemo.run(b, dir, client, config, listener);
          System.err.println("judge usage: " + client.usage());
        }
      }
      System.out.println(evaluation.report().markdown());
      System.out.println("files: " + evaluation.files());
      System.out.println();
      failures += evaluation.report().main().failed();
    }
    System.out.println("done: " + which.size() + " benchmark(s); judge failures counted in the reports: " + failures);
    return 0;
  }

  private Integer runOnRealData() {
    if ("all".equalsIgnoreCase(benchmark)) {
      throw new IllegalArgumentException("--data needs one --benchmark: gedit, imgedit, complex-edit or omnicontext");
    }
    if (baseUrl == null) {
      throw new IllegalArgumentException("--data needs a judge: --judge-base-url URL (and --judge-model)");
    }
    Benchmark b = Benchmark.fromId(benchmark);
    BenchmarkSet set = data.load(b, output.resolve("data"));
    Path outputRoot = edited != null ? edited : output.resolve("outputs");
    PromptSet promptSet = prompts != null ? PromptSet.load(prompts).requireFor(b) : PromptSet.ours(b);
    JudgeConfig config = judgeModel != null ? JudgeConfig.defaults(b).withModel(judgeModel) : JudgeConfig.defaults(b);
    ProgressListener listener = ProgressListener.lines(b.id(), System.err);
    ImageEditor editor = editorSpec.editor != null ? editorSpec.open(null) : null;
    try (OpenAiClient client = OpenAiClient.builder()
            .optBaseUrl(baseUrl)
            .optApiKeyEnvironmentVariable(apiKeyEnv)
            .optApiKeyRequired(!OpenAiClient.isLoopback(baseUrl))
            .build()) {
      BenchmarkRunner.Builder runner = BenchmarkRunner.builder()
          .setBenchmarkSet(set)
          .setOutputRoot(outputRoot)
          .setChat(client)
          .optJudgeConfig(config)
          .optPrompts(promptSet)
          .optJudgeConcurrency(judgeConcurrency)
          .optReportDir(outputRoot.resolve("reports"))
          .optListener(listener);
      if (editor != null) {
        runner.optEditor(editor);
      }
      if (modelName != null || editor == null) {
        runner.optModelName(modelName != null ? modelName : "model");
      }
      Evaluation evaluation = runner.build().run();
      System.out.println(evaluation.report().markdown());
      System.out.println("samples: " + set.samples().size() + " (" + b.displayName() + " " + set.subset() + ", from "
          + data.data + ")");
      System.out.println("prompts: " + (prompts != null ? "loaded from " + prompts : "ours (gptedit's own wording)")
          + ", hash " + promptSet.hash());
      System.out.println("judge: " + config.model() + " at " + client.baseUrl() + "; usage " + client.usage());
      System.out.println("files: " + evaluation.files());
    } finally {
      if (editor != null) {
        editor.close();
      }
    }
    return 0;
  }
}
