package io.gptedit.core.testing;

import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * A minimal property-test runner for JUnit 5 (we do not use jqwik): draws {@code cases} values from a seeded
 * generator and checks each; on the first failure it throws an {@link AssertionError} that names the seed, the
 * case index and the generated value, so the failure can be replayed exactly.
 *
 * <p>Typical use, from a {@code @ParameterizedTest} over a few seeds:
 *
 * <pre>{@code
 * @ParameterizedTest(name = "seed {0}")
 * @ValueSource(longs = {1, 2, 3})
 * void canvasHasPresetRatio(long seed) {
 *   Property.forAll(seed, 2_000, Generators::imageSize, size -> assertThat(...));
 * }
 * }</pre>
 */
public final class Property {
  private Property() {}

  /** A check that may throw. */
  @FunctionalInterface
  public interface Check<T> {
    /**
     * Checks one case.
     *
     * @param value the generated case
     * @throws Exception on failure (AssertionError and friends)
     */
    void accept(T value) throws Exception;
  }

  /**
   * Runs a property over {@code cases} generated values.
   *
   * @param seed the seed of the case generator
   * @param cases how many cases to check
   * @param generator draws one case from the random source
   * @param check the property
   * @param <T> the case type
   */
  public static <T> void forAll(
      long seed, int cases, Function<SplittableRandom, T> generator, Check<T> check) {
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < cases; i++) {
      T value = generator.apply(random);
      try {
        check.accept(value);
      } catch (Throwable t) {
        AssertionError e =
            new AssertionError(
                "property failed at seed " + seed + ", case " + i + ", value " + value + ": " + t.getMessage(), t);
        throw e;
      }
    }
  }

  /**
   * Draws a side length from 1 to {@code max}, biased towards the edges: about one case in eight is 1, 2 or 3,
   * one in eight is within 3 of {@code max}, the rest are uniform or log-uniform (so extreme ratios are common).
   *
   * @param r the random source
   * @param max the largest side
   * @return a side length in {@code [1, max]}
   */
  public static int side(SplittableRandom r, int max) {
    int pick = r.nextInt(8);
    if (pick == 0) {
      return 1 + r.nextInt(Math.min(3, max));
    }
    if (pick == 1) {
      return Math.max(1, max - r.nextInt(Math.min(4, max)));
    }
    if (pick < 5) {
      return 1 + r.nextInt(max);
    }
    return (int) Math.max(1, Math.min(max, Math.round(Math.exp(r.nextDouble() * Math.log(max)))));
  }
}
