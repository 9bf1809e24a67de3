package io.gptedit.eval.run;

import io.gptedit.core.image.RgbImage;
import io.gptedit.eval.bench.BenchSample;

/**
 * Chooses the instruction the editor receives for a sample: the benchmark's own, or a rewritten one.
 *
 * @since 0.1
 */
public interface InstructionSource {
  /** The benchmark's instructions, unchanged. */
  InstructionSource ORIGINAL =
      new InstructionSource() {
        @Override
        public String instructionFor(BenchSample sample, RgbImage input) {
          return sample.instruction();
        }

        @Override
        public boolean rewritten() {
          return false;
        }
      };

  /**
   * Returns the instruction to give the editor.
   *
   * @param sample the sample
   * @param input its input image
   * @return the instruction
   * @throws io.gptedit.core.GpteditException if no instruction could be produced (the sample then fails)
   */
  String instructionFor(BenchSample sample, RgbImage input);

  /**
   * Returns whether instructions are rewritten; results and reports then carry the paper's dagger.
   *
   * @return {@code true} for rewritten instructions
   */
  boolean rewritten();
}
