package io.gptedit.examples;

import io.gptedit.core.remote.OpenAiClient;
import io.gptedit.eval.Benchmark;
import io.gptedit.eval.judge.JudgeConfig;
import io.gptedit.eval.run.Evaluation;
import io.gptedit.eval.run.ProgressEvent;
import io.gptedit.eval.run.ProgressListener;
import io.gptedit.testkit.eval.MiniBenchmarkDemo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs benchmarks end to end on a generated mini-benchmark: edit with the demo editor, judge, aggregate with the
 * official formulas, and print the report. With no options the judge is a scripted one served over loopback
 * HTTP (no key, no network); with {@code --base-url} it is a real OpenAI-compatible chat model, the key read from
 * the environment variable named by {@code --api-key-env}.
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = "Run GEdit-Bench-EN, ImgEdit, Complex-Edit and OmniContext on a generated mini-benchmark and "
        + "print the reports (scripted loopback judge by default; --base-url for a real judge).")
final class EvalCommand implements Callable<Integer> {
  @Option(names = "--benchmark", description = "gedit, imgedit, complex-edit, omnicontext or all (default ${DEFAULT-VALUE}).")
  String benchmark = "all";

  @Option(names = "--work", description = "Folder for data, outputs, judge cache and reports (default ${DEFAULT-VALUE}).")
  Path work = Path.of("gptedit-runs", "eval");

  @Option(names = "--base-url", description = "An OpenAI-compatible base URL for a real judge, e.g. https://api.openai.com/v1.")
  String baseUrl;

  @Option(names = "--judge-model", description = "Judge model when --base-url is given (default: each benchmark's official judge).")
  String judgeModel;

  @Option(names = "--api-key-env", description = "Environment variable holding the API key (default ${DEFAULT-VALUE}).")
  String apiKeyEnv = OpenAiClient.DEFAULT_API_KEY_ENV;

  @Override
  public Integer call() {
    List<Benchmark> which = new ArrayList<>();
    if ("all".equalsIgnoreCase(benchmark)) {
      which.addAll(Benchmark.judged());
    } else {
      which.add(Benchmark.fromId(benchmark));
    }
    int failures = 0;
    for (Benchmark b : which) {
      Path dir = work.resolve(b.id());
      ProgressLine edit = new ProgressLine(b.id() + " edit ", System.err, 1.0);
      ProgressLine judge = new ProgressLine(b.id() + " judge", System.err, 1.0);
      ProgressListener listener =
          (ProgressEvent e) ->
              (e.phase() == ProgressEvent.Phase.EDIT ? edit : judge).update(e.done(), e.total(), "");
      Evaluation evaluation;
      if (baseUrl == null) {
        evaluation = MiniBenchmarkDemo.runOffline(b, dir, listener);
      } else {
        try (OpenAiClient client =
            OpenAiClient.builder().baseUrl(baseUrl).apiKeyEnvironmentVariable(apiKeyEnv).build()) {
          JudgeConfig config = JudgeConfig.defaults(b);
          if (judgeModel != null) {
            config = config.withModel(judgeModel);
          }
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
}
