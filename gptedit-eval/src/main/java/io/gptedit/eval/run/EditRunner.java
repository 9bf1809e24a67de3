package io.gptedit.eval.run;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.ImageFormat;
import io.gptedit.core.image.RgbImage;
import io.gptedit.eval.EvalException;
import io.gptedit.eval.bench.BenchSample;
import io.gptedit.eval.bench.BenchmarkSet;
import io.gptedit.eval.score.SampleFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Feeds a benchmark's samples to an {@link ImageEditor} and writes each output where the official scorer looks
 * for it (see {@link BenchmarkSet#outputFile}); GEdit's source copy {@code <key>_SRCIMG.png} is written beside it.
 *
 * <p>At most {@code concurrency} edits run at once. An output that already exists is skipped, so a killed run
 * resumes where it stopped; outputs are written atomically, so a half-written file never counts as done. A sample
 * whose edit or instruction rewrite fails is recorded and the run goes on.
 *
 * @since 0.1
 */
public final class EditRunner {
  private final ImageEditor editor;
  private final Path outputRoot;
  private final String modelName;
  private final int concurrency;
  private final EditOptions options;
  private final InstructionSource instructions;
  private final ProgressListener listener;

  private EditRunner(Builder b) {
    this.editor = requireNonNull(b.editor, "editor");
    this.outputRoot = requireNonNull(b.outputRoot, "outputRoot");
    this.modelName = b.modelName != null ? b.modelName : editor.name();
    this.concurrency = b.concurrency;
    this.options = b.options;
    this.instructions = b.instructions;
    this.listener = b.listener;
  }

  /**
   * Returns a builder; {@link Builder#setEditor} and {@link Builder#setOutputRoot} are required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the model name used in output paths.
   *
   * @return the model name
   */
  public String modelName() {
    return modelName;
  }

  /**
   * Runs the editor over every sample that has no output yet.
   *
   * @param set the benchmark samples
   * @return counts and failures
   * @throws EvalException if the run is interrupted or an output cannot be written
   */
  public RunSummary run(BenchmarkSet set) {
    List<BenchSample> samples = set.samples();
    AtomicInteger generated = new AtomicInteger();
    AtomicInteger skipped = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    List<SampleFailure> failures = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (BenchSample s : samples) {
        futures.add(pool.submit(() -> {
          ProgressEvent.Status status = one(set, s, failures);
          if (status == ProgressEvent.Status.DONE) {
            generated.incrementAndGet();
          } else if (status == ProgressEvent.Status.SKIPPED) {
            skipped.incrementAndGet();
          }
          listener.onProgress(new ProgressEvent(ProgressEvent.Phase.EDIT, s.key(), status, done.incrementAndGet(), samples.size()));
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EvalException("edit run interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new EvalException("edit run failed: " + cause, cause);
    } finally {
      pool.shutdownNow();
    }
    List<SampleFailure> sorted = new ArrayList<>(failures);
    sorted.sort((a, b) -> a.key().compareTo(b.key()));
    return new RunSummary(generated.get(), skipped.get(), sorted, instructions.rewritten());
  }

  private ProgressEvent.Status one(BenchmarkSet set, BenchSample s, List<SampleFailure> failures) {
    Path out = set.outputFile(outputRoot, modelName, s);
    Path sourceCopy = set.sourceCopyFile(out);
    boolean exists = Files.isRegularFile(out);
    if (exists && (sourceCopy == null || Files.isRegularFile(sourceCopy))) {
      return ProgressEvent.Status.SKIPPED;
    }
    RgbImage input = ImageCodec.read(s.input());
    if (sourceCopy != null && !Files.isRegularFile(sourceCopy)) {
      ImageCodec.write(input, sourceCopy, ImageFormat.PNG);
    }
    if (exists) {
      return ProgressEvent.Status.SKIPPED;
    }
    String instruction;
    try {
      instruction = instructions.instructionFor(s, input);
    } catch (RuntimeException e) {
      failures.add(new SampleFailure(s.key(), s.category(), s.tags(), SampleFailure.Stage.EDIT,
          "instruction rewrite failed: " + e.getMessage(), 1));
      return ProgressEvent.Status.FAILED;
    }
    RgbImage edited;
    try {
      edited = editor.edit(input, instruction, options);
    } catch (RuntimeException e) {
      failures.add(new SampleFailure(s.key(), s.category(), s.tags(), SampleFailure.Stage.EDIT,
          "editor failed: " + e.getMessage(), 1));
      return ProgressEvent.Status.FAILED;
    }
    ImageCodec.write(edited, out, ImageFormat.PNG);
    return ProgressEvent.Status.DONE;
  }

  /** Builds an {@link EditRunner}. */
  public static final class Builder {
    private ImageEditor editor;
    private Path outputRoot;
    private String modelName;
    private int concurrency = 1;
    private EditOptions options = EditOptions.defaults();
    private InstructionSource instructions = InstructionSource.ORIGINAL;
    private ProgressListener listener = ProgressListener.NONE;

    private Builder() {}

    /**
     * Sets the editor (required).
     *
     * @param editor the editor
     * @return this builder
     */
    public Builder setEditor(ImageEditor editor) {
      this.editor = requireNonNull(editor, "editor");
      return this;
    }

    /**
     * Sets the output root (required).
     *
     * @param outputRoot the folder outputs are written under
     * @return this builder
     */
    public Builder setOutputRoot(Path outputRoot) {
      this.outputRoot = requireNonNull(outputRoot, "outputRoot");
      return this;
    }

    /**
     * Sets the model name used in output paths (optional; default {@link ImageEditor#name()}).
     *
     * @param modelName a file-name safe name
     * @return this builder
     */
    public Builder optModelName(String modelName) {
      this.modelName = requireNonNull(modelName, "modelName");
      return this;
    }

    /**
     * Sets how many edits may run at once (optional; default 1).
     *
     * @param concurrency at least 1
     * @return this builder
     */
    public Builder optConcurrency(int concurrency) {
      checkArgument(concurrency >= 1, "concurrency must be >= 1, got %s", concurrency);
      this.concurrency = concurrency;
      return this;
    }

    /**
     * Sets the per-call edit options (optional; default {@link EditOptions#defaults()}).
     *
     * @param options the options
     * @return this builder
     */
    public Builder optOptions(EditOptions options) {
      this.options = requireNonNull(options, "options");
      return this;
    }

    /**
     * Sets where instructions come from (optional; default the benchmark's own).
     *
     * @param instructions the instruction source, such as a prompt rewriter
     * @return this builder
     */
    public Builder optInstructions(InstructionSource instructions) {
      this.instructions = requireNonNull(instructions, "instructions");
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
     * Builds the runner.
     *
     * @return the runner
     * @throws IllegalStateException if the editor or output root is missing
     */
    public EditRunner build() {
      checkState(editor != null, "editor is required");
      checkState(outputRoot != null, "outputRoot is required");
      return new EditRunner(this);
    }
  }
}
