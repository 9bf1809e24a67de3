package io.gptedit.data.synthetic;

import java.util.Locale;

/**
 * The nine cells of a scene's 3x3 layout grid. Shapes sit at cell centres, one shape per cell, so shapes never
 * overlap and every edit changes pixels.
 *
 * @since 0.1
 */
public enum GridCell {
  /** Row 0, column 0. */
  TOP_LEFT(0, 0, "top left"),
  /** Row 0, column 1. */
  TOP_CENTRE(0, 1, "top centre"),
  /** Row 0, column 2. */
  TOP_RIGHT(0, 2, "top right"),
  /** Row 1, column 0. */
  MIDDLE_LEFT(1, 0, "middle left"),
  /** Row 1, column 1. */
  CENTRE(1, 1, "centre"),
  /** Row 1, column 2. */
  MIDDLE_RIGHT(1, 2, "middle right"),
  /** Row 2, column 0. */
  BOTTOM_LEFT(2, 0, "bottom left"),
  /** Row 2, column 1. */
  BOTTOM_CENTRE(2, 1, "bottom centre"),
  /** Row 2, column 2. */
  BOTTOM_RIGHT(2, 2, "bottom right");

  private final int row;
  private final int column;
  private final String words;

  GridCell(int row, int column, String words) {
    this.row = row;
    this.column = column;
    this.words = words;
  }

  /**
   * Returns the row, 0 at the top.
   *
   * @return 0 to 2
   */
  public int row() {
    return row;
  }

  /**
   * Returns the column, 0 at the left.
   *
   * @return 0 to 2
   */
  public int column() {
    return column;
  }

  /**
   * Returns the phrase instructions use, such as {@code top left}.
   *
   * @return the phrase
   */
  public String words() {
    return words;
  }

  /**
   * Returns the cell named by a phrase.
   *
   * @param text the phrase, any case
   * @return the cell
   * @throws IllegalArgumentException if no cell has that phrase
   */
  public static GridCell parse(String text) {
    String t = text.toLowerCase(Locale.ROOT).trim();
    for (GridCell c : values()) {
      if (c.words.equals(t)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown grid position '" + text + "'");
  }
}
