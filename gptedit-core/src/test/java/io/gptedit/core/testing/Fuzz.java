package io.gptedit.core.testing;

import io.gptedit.core.GpteditException;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded mutation fuzzing for the parsers of untrusted bytes, the bounded part that runs in every {@code mvn
 * verify}: mutants of valid seed files (bit flips, bytes set to boundary values, 16- and 32-bit fields set to
 * huge or zero values, truncation, duplicated and deleted runs, random tails) go through a parser, and every one
 * must end in success or an expected {@link GpteditException} subtype, never another exception and never an
 * {@link Error}, allocating at most a stated number of bytes on the calling thread.
 *
 * <p>The same targets are also {@code @FuzzTest} methods (Jazzer) for open-ended coverage-guided fuzzing on a
 * workstation: {@code JAZZER_FUZZ=1 mvn -o -pl <module> -am test -Dtest=<FuzzTest class>}.
 */
public final class Fuzz {
  private Fuzz() {}

  /** What a parser does with one input. */
  @FunctionalInterface
  public interface Target {
    /**
     * Parses one input.
     *
     * @param input the bytes
     * @throws Exception whatever the parser throws
     */
    void run(byte[] input) throws Exception;
  }

  /**
   * Runs a target over mutants of seed inputs.
   *
   * @param seed the mutation seed (the same seed gives the same inputs)
   * @param cases how many mutants
   * @param seeds valid inputs to mutate
   * @param expected the exception type bad input may end in
   * @param maxAllocatedBytes the most bytes one input may allocate on the calling thread
   * @param target the parser
   * @throws AssertionError naming the seed, the case and the input (base64) on the first violation
   */
  public static void mutants(
      long seed,
      int cases,
      List<byte[]> seeds,
      Class<? extends GpteditException> expected,
      long maxAllocatedBytes,
      Target target) {
    // Warm-up, unmeasured: class loading and first-use caches on both the success and the failure path.
    for (byte[] s : seeds) {
      check(s, expected, Long.MAX_VALUE, target, "seed input");
      check(Arrays.copyOf(s, s.length / 2), expected, Long.MAX_VALUE, target, "half a seed input");
    }
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < cases; i++) {
      byte[] input = mutate(r, seeds.get(r.nextInt(seeds.size())), seeds);
      check(input, expected, maxAllocatedBytes, target, "seed " + seed + ", case " + i);
    }
  }

  /**
   * Checks one input (the contract of {@link #mutants}); the {@code @FuzzTest} methods call this too.
   *
   * @param input the bytes
   * @param expected the exception type bad input may end in
   * @param maxAllocatedBytes the most bytes the input may allocate on the calling thread
   * @param target the parser
   * @param where a label for the failure message
   */
  public static void check(
      byte[] input, Class<? extends GpteditException> expected, long maxAllocatedBytes, Target target, String where) {
    com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    long before = bean.getThreadAllocatedBytes(id);
    Throwable failure = null;
    try {
      target.run(input);
    } catch (Throwable t) {
      if (!expected.isInstance(t)) {
        failure = t;
      }
    }
    long allocated = bean.getThreadAllocatedBytes(id) - before;
    if (failure != null) {
      throw new AssertionError(where + ": " + failure + " is not a " + expected.getSimpleName() + "; input (base64) "
          + Base64.getEncoder().encodeToString(input), failure);
    }
    if (allocated > maxAllocatedBytes) {
      throw new AssertionError(where + ": allocated " + allocated + " bytes, over " + maxAllocatedBytes
          + "; input (base64) " + Base64.getEncoder().encodeToString(input));
    }
  }

  /**
   * The allocation bound for a {@code @FuzzTest}: the given bound in regression mode, none in Jazzer's fuzzing mode
   * ({@code JAZZER_FUZZ} set), where Jazzer's coverage instrumentation and hooks allocate on the same thread.
   *
   * @param bytes the bound
   * @return the bound to check
   */
  public static long boundOutsideFuzzingMode(long bytes) {
    String fuzz = System.getenv("JAZZER_FUZZ");
    return fuzz == null || fuzz.isEmpty() || fuzz.equals("0") ? bytes : Long.MAX_VALUE;
  }

  /**
   * Draws one mutant: one to four mutations of a seed (sometimes spliced with another seed).
   *
   * @param r the random source
   * @param base the seed to mutate
   * @param seeds all seeds, for splicing
   * @return a new array
   */
  public static byte[] mutate(SplittableRandom r, byte[] base, List<byte[]> seeds) {
    byte[] b = base.clone();
    int n = 1 + r.nextInt(4);
    for (int k = 0; k < n; k++) {
      b = mutateOnce(r, b, seeds);
    }
    return b;
  }

  private static final int[] BOUNDARY = {0, 1, 0x7F, 0x80, 0xFF, 0xFE, 0x40, 0x20};

  private static byte[] mutateOnce(SplittableRandom r, byte[] b, List<byte[]> seeds) {
    if (b.length == 0) {
      return new byte[] {(byte) r.nextInt(256)};
    }
    int at = r.nextInt(b.length);
    switch (r.nextInt(10)) {
      case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
      case 1 -> b[at] = (byte) BOUNDARY[r.nextInt(BOUNDARY.length)];
      case 2 -> b[at] = (byte) r.nextInt(256);
      case 3 -> {
        // a 16- or 32-bit field (either byte order) set to a boundary: sizes, lengths, counts
        int width = r.nextBoolean() ? 2 : 4;
        long v = switch (r.nextInt(5)) {
          case 0 -> 0;
          case 1 -> -1;
          case 2 -> 0x7FFFFFFF;
          case 3 -> 0x4000;
          default -> r.nextInt(1 << 20);
        };
        boolean big = r.nextBoolean();
        for (int i = 0; i < width && at + i < b.length; i++) {
          int shift = 8 * (big ? width - 1 - i : i);
          b[at + i] = (byte) (v >>> shift);
        }
      }
      case 4 -> {
        return Arrays.copyOf(b, at); // truncate
      }
      case 5 -> {
        // delete a run
        int len = 1 + r.nextInt(Math.min(64, b.length - at));
        byte[] out = new byte[b.length - len];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(b, at + len, out, at, b.length - at - len);
        return out;
      }
      case 6 -> {
        // duplicate a run
        int len = 1 + r.nextInt(Math.min(64, b.length - at));
        byte[] out = new byte[b.length + len];
        System.arraycopy(b, 0, out, 0, at + len);
        System.arraycopy(b, at, out, at + len, b.length - at);
        return out;
      }
      case 7 -> {
        // splice: a prefix of this, the tail of another seed
        byte[] other = seeds.get(r.nextInt(seeds.size()));
        int from = r.nextInt(other.length + 1);
        byte[] out = Arrays.copyOf(b, at + other.length - from);
        System.arraycopy(other, from, out, at, other.length - from);
        return out;
      }
      case 8 -> {
        // random bytes appended
        int len = 1 + r.nextInt(32);
        byte[] out = Arrays.copyOf(b, b.length + len);
        for (int i = b.length; i < out.length; i++) {
          out[i] = (byte) r.nextInt(256);
        }
        return out;
      }
      default -> {
        // overwrite a run with one value
        int len = 1 + r.nextInt(Math.min(16, b.length - at));
        Arrays.fill(b, at, at + len, (byte) BOUNDARY[r.nextInt(BOUNDARY.length)]);
      }
    }
    return b;
  }
}
