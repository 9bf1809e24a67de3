package io.gptedit.models.train;

import io.gptedit.models.flux.FluxConfig;
import io.gptedit.models.nn.CpuAllocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test main for {@code CpuAllocatorTest}: trains a lab-sized random Flux transformer (2+2 blocks, 4 heads x 16,
 * 8x8 noisy + 8x8 condition tokens, 16 text tokens, batch 16) for a few AdamW steps on the CPU through {@link
 * FineTuner} (which tunes the allocator unless {@code -Dgptedit.cpuAllocator=system}) and prints {@code
 * tuned=<bool> faults=<minor page faults per step>}, counted from the start of step 4 to the start of step 16.
 */
public final class AllocatorProbe {
  private AllocatorProbe() {}

  public static void main(String[] args) throws IOException {
    FluxConfig c = new FluxConfig(12, 12, 2, 2, 4, 16, 32, 32, false, new int[] {4, 6, 6}, 10000, 4);
    long[] faults = new long[2];
    int from = 4;
    int to = 16;
    MemoryProbe.run(c, 16, 8, 16, false, to + 1, step -> {
      if (step == from || step == to) {
        faults[step == from ? 0 : 1] = minorFaults();
      }
    });
    System.out.println("tuned=" + CpuAllocator.isTuned() + " faults=" + (faults[1] - faults[0]) / (to - from));
  }

  /** Field 10 of /proc/self/stat: minor page faults of the process so far. */
  static long minorFaults() {
    String stat;
    try {
      stat = Files.readString(Path.of("/proc/self/stat"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[7]);
  }
}
