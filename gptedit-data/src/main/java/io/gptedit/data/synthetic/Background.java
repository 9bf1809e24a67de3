package io.gptedit.data.synthetic;

import static java.util.Objects.requireNonNull;

/**
 * A scene background: one colour, or two colours in vertical stripes or a checkerboard.
 *
 * @param pattern the pattern
 * @param first the first colour (the only one for {@link Pattern#PLAIN})
 * @param second the second colour; equal to {@code first} for {@link Pattern#PLAIN}
 * @since 0.1
 */
public record Background(Pattern pattern, SceneColor first, SceneColor second) {
  /** The background patterns. */
  public enum Pattern {
    /** One colour. */
    PLAIN,
    /** Eight vertical stripes across the scene. */
    STRIPES,
    /** Squares of a sixth of the smaller scene side. */
    CHECKER
  }

  /**
   * Validates the background.
   *
   * @throws IllegalArgumentException if a plain background has two colours or a pattern has one
   */
  public Background {
    requireNonNull(pattern, "pattern");
    requireNonNull(first, "first");
    requireNonNull(second, "second");
    if (pattern == Pattern.PLAIN && first != second) {
      throw new IllegalArgumentException("a plain background has one colour, got " + first + " and " + second);
    }
    if (pattern != Pattern.PLAIN && first == second) {
      throw new IllegalArgumentException("a " + pattern + " background needs two different colours");
    }
  }

  /**
   * Returns a plain background.
   *
   * @param color the colour
   * @return the background
   */
  public static Background plain(SceneColor color) {
    return new Background(Pattern.PLAIN, color, color);
  }

  /**
   * Returns whether a colour appears in this background.
   *
   * @param c the colour
   * @return whether it is one of the background's colours
   */
  public boolean uses(SceneColor c) {
    return first == c || second == c;
  }

  /**
   * Returns the phrase edit instructions use: {@code red}, {@code red and blue stripes} or
   * {@code a red and blue checkerboard}.
   *
   * @return the phrase
   */
  public String phrase() {
    return switch (pattern) {
      case PLAIN -> first.word();
      case STRIPES -> first.word() + " and " + second.word() + " stripes";
      case CHECKER -> "a " + first.word() + " and " + second.word() + " checkerboard";
    };
  }

  /**
   * Returns the adjective phrase scene descriptions use: {@code plain red}, {@code red and blue striped} or
   * {@code red and blue checkered}.
   *
   * @return the phrase
   */
  public String adjective() {
    return switch (pattern) {
      case PLAIN -> "plain " + first.word();
      case STRIPES -> first.word() + " and " + second.word() + " striped";
      case CHECKER -> first.word() + " and " + second.word() + " checkered";
    };
  }
}
