package io.gptedit.testkit.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.core.editor.EditException;
import io.gptedit.core.editor.EditOptions;
import io.gptedit.core.editor.ImageEditor;
import io.gptedit.core.image.ImageCodec;
import io.gptedit.core.image.RgbImage;
import io.gptedit.eval.bench.BenchSample;
import io.gptedit.eval.bench.BenchmarkSet;
import io.gptedit.eval.bench.ComplexEditBench;
import io.gptedit.eval.bench.GEditBench;
import io.gptedit.eval.run.EditRunner;
import io.gptedit.eval.run.InstructionSource;
import io.gptedit.eval.run.ProgressEvent;
import io.gptedit.eval.run.RunSummary;
import io.gptedit.eval.score.SampleFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner writes the official layout, resumes, bounds concurrency, reports progress and records failures. */
class EditRunnerTest {
  @TempDir Path tmp;

  /** Inverts the image; fails on instructions containing a given word; tracks concurrency. */
  static final class InvertEditor implements ImageEditor {
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();
    final List<String> instructions = Collections.synchronizedList(new ArrayList<>());
    final String failWord;

    InvertEditor(String failWord) {
      this.failWord = failWord;
    }

    @Override
    public RgbImage edit(RgbImage input, String instruction, EditOptions options) {
      calls.incrementAndGet();
      instructions.add(instruction);
      int now = running.incrementAndGet();
      maxRunning.accumulateAndGet(now, Math::max);
      try {
        Thread.sleep(2);
        if (failWord != null && instruction.contains(failWord)) {
          throw new EditException("refused: " + failWord, false);
        }
        byte[] rgb = input.copyRgb();
        for (int i = 0; i < rgb.length; i++) {
          rgb[i] = (byte) (255 - (rgb[i] & 0xFF));
        }
        return RgbImage.of(input.width(), input.height(), rgb);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new EditException("interrupted", true);
      } finally {
        running.decrementAndGet();
      }
    }

    @Override
    public String name() {
      return "invert";
    }
  }

  @Test
  void writesGEditOutputsAndSourceCopiesThenResumesWithoutEditingAgain() {
    BenchmarkSet set = GEditBench.load(MiniBenchmarks.writeGEdit(tmp.resolve("g"), 1), "en", false);
    InvertEditor editor = new InvertEditor("purple");
    List<ProgressEvent> events = Collections.synchronizedList(new ArrayList<>());
    EditRunner runner =
        EditRunner.builder().setEditor(editor).setOutputRoot(tmp.resolve("out")).optConcurrency(3).optListener(events::add).build();
    RunSummary first = runner.run(set);
    // instructions cycle through seven colours; purple ones fail
    long purple = set.samples().stream().filter(s -> s.instruction().contains("purple")).count();
    assertThat(purple).isPositive();
    assertThat(first.generated()).isEqualTo(11 - purple);
    assertThat(first.failures()).hasSize((int) purple).allMatch(f -> f.stage() == SampleFailure.Stage.EDIT);
    assertThat(first.failures().get(0).reason()).contains("refused: purple");
    assertThat(events).hasSize(11);
    assertThat(events).extracting(ProgressEvent::done).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    assertThat(editor.maxRunning.get()).isLessThanOrEqualTo(3);

    BenchSample s = set.samples().get(0);
    Path out = set.outputFile(tmp.resolve("out"), "invert", s);
    assertThat(out).exists();
    assertThat(tmp.resolve("out/invert/fullset/background_change/en/background_change_00_SRCIMG.png")).exists();
    RgbImage in = ImageCodec.read(s.input());
    assertThat(ImageCodec.read(out).rgb(0, 0)).isEqualTo(0xFFFFFF ^ in.rgb(0, 0));

    int before = editor.calls.get();
    RunSummary second = runner.run(set);
    assertThat(second.skipped()).isEqualTo(11 - purple);
    assertThat(second.generated()).isZero();
    assertThat(editor.calls.get() - before).isEqualTo(purple); // only the failed ones are tried again
  }

  @Test
  void complexEditOutputsAreZeroPaddedInTheOutputRoot() throws Exception {
    BenchmarkSet set = ComplexEditBench.load(MiniBenchmarks.writeComplexEdit(tmp.resolve("c"), 3), "real", 2);
    InvertEditor editor = new InvertEditor(null);
    EditRunner.builder().setEditor(editor).setOutputRoot(tmp.resolve("out")).build().run(set);
    try (var files = Files.list(tmp.resolve("out"))) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("00000.png", "00001.png", "00002.png");
    }
  }

  @Test
  void aRewriterReplacesTheInstructionAndMarksTheRun() {
    BenchmarkSet set = ComplexEditBench.load(MiniBenchmarks.writeComplexEdit(tmp.resolve("c"), 2), "real", 1);
    InvertEditor editor = new InvertEditor(null);
    InstructionSource upper =
        new InstructionSource() {
          @Override
          public String instructionFor(BenchSample sample, RgbImage input) {
            return "EXPLICIT: " + sample.instruction();
          }

          @Override
          public boolean rewritten() {
            return true;
          }
        };
    RunSummary r = EditRunner.builder().setEditor(editor).setOutputRoot(tmp.resolve("o")).optInstructions(upper).build().run(set);
    assertThat(r.rewritten()).isTrue();
    assertThat(editor.instructions).allMatch(i -> i.startsWith("EXPLICIT: "));
  }
}
