package io.gptedit.eval.run;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.remote.ChatService;
import io.gptedit.eval.Benchmark;
import io.gptedit.eval.EvalException;
import io.gptedit.eval.bench.BenchSample;
import io.gptedit.eval.bench.BenchmarkSet;
import io.gptedit.eval.judge.Judge;
import io.gptedit.eval.judge.JudgeConfig;
import io.gptedit.eval.judge.Judgement;
import io.gptedit.eval.judge.Judges;
import io.gptedit.eval.judge.MetricJudge;
import io.gptedit.eval.judge.PromptSet;
import io.gptedit.eval.report.PaperTable;
import io.gptedit.eval.report.Report;
import io.gptedit.eval.report.ReportWriter;
import io.gptedit.eval.score.Aggregation;
import io.gptedit.eval.score.BenchmarkResult;
import io.gptedit.eval.score.ComplexEditSampleScore;
import io.gptedit.eval.score.GEditSampleScore;
import io.gptedit.eval.score.GEditScoreCsv;
import io.gptedit.eval.score.ImgEditSampleScore;
import io.gptedit.eval.score.MetricScores;
import io.gptedit.eval.score.OmniContextSampleScore;
import io.gptedit.eval.score.SampleFailure;
import io.gptedit.eval.judge.SampleScorer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a benchmark end to end: edit (optional: outputs may already exist), judge, aggregate with the official
 * formulas, and write the reports.
 *
 * <pre>{@code
 * BenchmarkSet set = GEditBench.load(folder, "en", false);
 * try (OpenAiClient judge = OpenAiClient.builder().build()) { // key from OPENAI_API_KEY
 *   Evaluation e = BenchmarkRunner.builder()
 *       .benchmarkSet(set).outputRoot(out).chat(judge)
 *       .optEditor(myEditor).optJudgeConcurrency(8)
 *       .build().run();
 *   System.out.println(e.report().markdown());
 * }
 * }</pre>
 *
 * <p>Samples whose edit failed, whose output is missing or unreadable, or whose judge replies never parsed are
 * failures: excluded from every mean and counted in the report. The judge always sees the benchmark's original
 * instruction, also when the editor was given rewritten ones.
 *
 * @since 0.1
 */
public final class BenchmarkRunner {
  private final BenchmarkSet set;
  private final Path outputRoot;
  private final ChatService chat;
  private final Optional<ImageEditor> editor;
  private final String modelName;
  private final JudgeConfig judgeConfig;
  private final PromptSet prompts;
  private final InstructionSource instructions;
  private final boolean rewrittenOutputs;
  private final EditOptions editOptions;
  private final int editConcurrency;
  private final int judgeConcurrency;
  private final ProgressListener listener;
  private final Path reportDir;
  private final SampleScorer scorer;

  private BenchmarkRunner(Builder b) {
    this.set = b.set;
    this.outputRoot = b.outputRoot;
    this.chat = b.chat;
    this.editor = Optional.ofNullable(b.editor);
    this.modelName = b.modelName != null ? b.modelName : b.editor.name();
    this.judgeConfig = b.judgeConfig != null ? b.judgeConfig : JudgeConfig.defaults(b.set.benchmark());
    this.prompts = b.prompts != null ? b.prompts : PromptSet.ours(b.set.benchmark());
    this.instructions = b.instructions;
    this.rewrittenOutputs = b.editor != null ? b.instructions.rewritten() : b.rewrittenOutputs;
    this.editOptions = b.editOptions;
    this.editConcurrency = b.editConcurrency;
    this.judgeConcurrency = b.judgeConcurrency;
    this.listener = b.listener;
    this.reportDir = b.reportDir != null ? b.reportDir : b.outputRoot.resolve("reports");
    this.scorer = b.scorer;
  }

  /**
   * Returns a builder; the benchmark set, output root and chat service are required, and an editor or a model
   * name.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs the benchmark.
   *
   * @return the report, the editing summary and the files written
   * @throws EvalException if the run is interrupted or files cannot be written
   */
  public Evaluation run() {
    Optional<RunSummary> editing = Optional.empty();
    Map<String, SampleFailure> editFailures = new HashMap<>();
    if (editor.isPresent()) {
      RunSummary summary =
          EditRunner.builder()
              .setEditor(editor.get())
              .setOutputRoot(outputRoot)
              .optModelName(modelName)
              .optConcurrency(editConcurrency)
              .optOptions(editOptions)
              .optInstructions(instructions)
              .optListener(listener)
              .build()
              .run(set);
      for (SampleFailure f : summary.failures()) {
        editFailures.put(f.category() + "/" + String.join(",", f.tags().stream().sorted().toList()) + "/" + f.key(), f);
      }
      editing = Optional.of(summary);
    }
    List<BenchmarkResult> results = new ArrayList<>();
    List<Path> extraFiles = new ArrayList<>();
    String judgeModel = set.benchmark() == Benchmark.LOCAL ? "local metrics" : judgeConfig.model();
    String promptHash = set.benchmark() == Benchmark.LOCAL ? scorer.id() : prompts.hash();
    switch (set.benchmark()) {
      case GEDIT -> {
        Judged<GEditSampleScore> j = judgeAll(Judges.gedit(chat, judgeConfig, prompts), editFailures);
        String language = set.subset().substring(0, set.subset().indexOf('/'));
        boolean intersectionOnly = set.subset().endsWith("/intersection");
        results.add(Aggregation.gedit(j.scores, j.failures, language, intersectionOnly));
        if (!intersectionOnly) {
          results.add(Aggregation.gedit(j.scores, j.failures, language, true));
        }
        List<GEditScoreCsv.Row> rows = new ArrayList<>();
        for (int i = 0; i < j.scores.size(); i++) {
          BenchSample s = j.scoredSamples.get(i);
          Path out = set.outputFile(outputRoot, modelName, s);
          rows.add(new GEditScoreCsv.Row(set.sourceCopyFile(out), out, s.instruction(), j.scores.get(i)));
        }
        extraFiles.addAll(GEditScoreCsv.write(reportDir.resolve("gedit-scores"), modelName, rows));
      }
      case IMGEDIT -> {
        Judged<ImgEditSampleScore> j = judgeAll(Judges.imgEdit(chat, judgeConfig, prompts), editFailures);
        results.add(Aggregation.imgEdit(j.scores, j.failures));
      }
      case COMPLEX_EDIT -> {
        Judged<ComplexEditSampleScore> j = judgeAll(Judges.complexEdit(chat, judgeConfig, prompts), editFailures);
        results.add(Aggregation.complexEdit(j.scores, j.failures, set.subset()));
      }
      case OMNICONTEXT -> {
        Judged<OmniContextSampleScore> j = judgeAll(Judges.omniContext(chat, judgeConfig, prompts), editFailures);
        results.add(Aggregation.omniContext(j.scores, j.failures));
      }
      case LOCAL -> {
        Judged<MetricScores> j = judgeAll(new MetricJudge(scorer), editFailures);
        results.add(Aggregation.local(j.scores, j.failures, scorer.metrics()));
      }
    }
    Report report =
        new Report(set.benchmark(), modelName, rewrittenOutputs, judgeModel, promptHash, results, PaperTable.of(set.benchmark()));
    List<Path> files = new ArrayList<>(ReportWriter.writeAll(report, reportDir));
    files.addAll(extraFiles);
    return new Evaluation(report, editing, files);
  }

  private static final class Judged<S> {
    final List<S> scores = new ArrayList<>();
    final List<BenchSample> scoredSamples = new ArrayList<>();
    final List<SampleFailure> failures = new ArrayList<>();
  }

  private <S> Judged<S> judgeAll(Judge<S> judge, Map<String, SampleFailure> editFailures) {
    List<BenchSample> samples = set.samples();
    AtomicInteger done = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(judgeConcurrency);
    List<Future<Judgement<S>>> futures = new ArrayList<>();
    try {
      for (BenchSample s : samples) {
        futures.add(pool.submit(() -> {
          Judgement<S> j = judgeOne(judge, s, editFailures);
          listener.onProgress(new ProgressEvent(ProgressEvent.Phase.JUDGE, s.key(),
              j instanceof Judgement.Scored ? ProgressEvent.Status.DONE : ProgressEvent.Status.FAILED,
              done.incrementAndGet(), samples.size()));
          return j;
        }));
      }
      Judged<S> out = new Judged<>();
      for (int i = 0; i < samples.size(); i++) {
        Judgement<S> j = futures.get(i).get();
        if (j instanceof Judgement.Scored<S> scored) {
          out.scores.add(scored.score());
          out.scoredSamples.add(samples.get(i));
        } else if (j instanceof Judgement.Failed<S> failed) {
          out.failures.add(failed.failure());
        }
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EvalException("judging interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new EvalException("judging failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private <S> Judgement<S> judgeOne(Judge<S> judge, BenchSample s, Map<String, SampleFailure> editFailures) {
    SampleFailure editFailure =
        editFailures.get(s.category() + "/" + String.join(",", s.tags().stream().sorted().toList()) + "/" + s.key());
    if (editFailure != null) {
      return new Judgement.Failed<>(editFailure);
    }
    Path out = set.outputFile(outputRoot, modelName, s);
    if (!Files.isRegularFile(out)) {
      return new Judgement.Failed<>(
          new SampleFailure(s.key(), s.category(), s.tags(), SampleFailure.Stage.EDIT, "no output at " + out, 0));
    }
    RgbImage edited;
    try {
      edited = ImageCodec.read(out);
    } catch (RuntimeException e) {
      return new Judgement.Failed<>(new SampleFailure(s.key(), s.category(), s.tags(), SampleFailure.Stage.EDIT,
          "output does not decode: " + e.getMessage(), 0));
    }
    return judge.judge(s, ImageCodec.read(s.input()), edited);
  }

  /** Builds a {@link BenchmarkRunner}. */
  public static final class Builder {
    private BenchmarkSet set;
    private Path outputRoot;
    private ChatService chat;
    private SampleScorer scorer;
    private ImageEditor editor;
    private String modelName;
    private JudgeConfig judgeConfig;
    private PromptSet prompts;
    private InstructionSource instructions = InstructionSource.ORIGINAL;
    private boolean rewrittenOutputs;
    private EditOptions editOptions = EditOptions.defaults();
    private int editConcurrency = 1;
    private int judgeConcurrency = 4;
    private ProgressListener listener = ProgressListener.NONE;
    private Path reportDir;

    private Builder() {}

    /**
     * Sets the samples (required).
     *
     * @param set the loaded benchmark
     * @return this builder
     */
    public Builder setBenchmarkSet(BenchmarkSet set) {
      this.set = requireNonNull(set, "set");
      return this;
    }

    /**
     * Sets the output root (required): outputs are read from, and written to, the official layout under it.
     *
     * @param outputRoot the folder
     * @return this builder
     */
    public Builder setOutputRoot(Path outputRoot) {
      this.outputRoot = requireNonNull(outputRoot, "outputRoot");
      return this;
    }

    /**
     * Sets the local metrics of a {@link Benchmark#LOCAL} benchmark (required for it; such a benchmark needs no
     * chat service).
     *
     * @param scorer the metrics
     * @return this builder
     */
    public Builder optScorer(SampleScorer scorer) {
      this.scorer = requireNonNull(scorer, "scorer");
      return this;
    }

    /**
     * Sets the judge's chat service (required except for {@link Benchmark#LOCAL}), such as an {@code OpenAiClient}.
     *
     * @param chat the service
     * @return this builder
     */
    public Builder setChat(ChatService chat) {
      this.chat = requireNonNull(chat, "chat");
      return this;
    }

    /**
     * Sets the editor to run before judging (optional; without one, existing outputs are judged).
     *
     * @param editor the editor
     * @return this builder
     */
    public Builder optEditor(ImageEditor editor) {
      this.editor = requireNonNull(editor, "editor");
      return this;
    }

    /**
     * Sets the model name in output paths and reports (optional with an editor: default its name).
     *
     * @param modelName a file-name safe name
     * @return this builder
     */
    public Builder optModelName(String modelName) {
      this.modelName = requireNonNull(modelName, "modelName");
      return this;
    }

    /**
     * Sets the judge settings (optional; default {@link JudgeConfig#defaults}).
     *
     * @param config the settings
     * @return this builder
     */
    public Builder optJudgeConfig(JudgeConfig config) {
      this.judgeConfig = requireNonNull(config, "config");
      return this;
    }

    /**
     * Sets the judge prompts (optional; default {@link PromptSet#ours}); pass the official templates loaded with
     * {@link PromptSet#load} for exact reproduction.
     *
     * @param prompts the templates
     * @return this builder
     */
    public Builder optPrompts(PromptSet prompts) {
      this.prompts = requireNonNull(prompts, "prompts");
      return this;
    }

    /**
     * Sets where the editor's instructions come from (optional; a rewriter marks the report with a dagger).
     *
     * @param instructions the instruction source
     * @return this builder
     */
    public Builder optInstructions(InstructionSource instructions) {
      this.instructions = requireNonNull(instructions, "instructions");
      return this;
    }

    /**
     * Marks existing outputs as made from rewritten instructions (optional; only without an editor).
     *
     * @param rewritten whether the outputs used rewritten instructions
     * @return this builder
     */
    public Builder optRewrittenOutputs(boolean rewritten) {
      this.rewrittenOutputs = rewritten;
      return this;
    }

    /**
     * Sets the edit options (optional).
     *
     * @param options the options
     * @return this builder
     */
    public Builder optEditOptions(EditOptions options) {
      this.editOptions = requireNonNull(options, "options");
      return this;
    }

    /**
     * Sets how many edits run at once (optional; default 1).
     *
     * @param n at least 1
     * @return this builder
     */
    public Builder optEditConcurrency(int n) {
      checkArgument(n >= 1, "edit concurrency must be >= 1, got %s", n);
      this.editConcurrency = n;
      return this;
    }

    /**
     * Sets how many samples are judged at once (optional; default 4).
     *
     * @param n at least 1
     * @return this builder
     */
    public Builder optJudgeConcurrency(int n) {
      checkArgument(n >= 1, "judge concurrency must be >= 1, got %s", n);
      this.judgeConcurrency = n;
      return this;
    }

    /**
     * Sets the progress listener (optional).
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder optListener(ProgressListener listener) {
      this.listener = requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Sets where reports go (optional; default {@code <outputRoot>/reports}).
     *
     * @param dir the folder
     * @return this builder
     */
    public Builder optReportDir(Path dir) {
      this.reportDir = requireNonNull(dir, "dir");
      return this;
    }

    /**
     * Builds the runner.
     *
     * @return the runner
     * @throws IllegalStateException if a required part is missing
     */
    public BenchmarkRunner build() {
      checkState(set != null, "benchmarkSet is required");
      checkState(outputRoot != null, "outputRoot is required");
      boolean local = set.benchmark() == Benchmark.LOCAL;
      checkState(local || chat != null, "chat is required");
      checkState(!local || scorer != null, "a LOCAL benchmark needs a scorer (optScorer)");
      checkState(local || scorer == null, "a scorer is for LOCAL benchmarks only");
      checkState(editor != null || modelName != null, "an editor or a model name is required");
      checkState(editor == null || !rewrittenOutputs, "optRewrittenOutputs is for judging existing outputs; with an editor use optInstructions");
      return new BenchmarkRunner(this);
    }
  }
}
