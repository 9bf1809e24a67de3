package io.gptedit.data.synthetic;

import java.util.Locale;

/**
 * The synthetic world's named palette. Every colour is at least 40 levels from white on some channel, so no
 * scene pixel is mistaken for white padding by the quality checks.
 *
 * @since 0.1
 */
public enum SceneColor {
  /** Red. */
  RED(0xE53935),
  /** Green. */
  GREEN(0x43A047),
  /** Blue. */
  BLUE(0x1E88E5),
  /** Yellow. */
  YELLOW(0xFDD835),
  /** Orange. */
  ORANGE(0xFB8C00),
  /** Purple. */
  PURPLE(0x8E24AA),
  /** Cyan. */
  CYAN(0x00ACC1),
  /** Magenta. */
  MAGENTA(0xD81B60),
  /** Black. */
  BLACK(0x212121),
  /** Brown. */
  BROWN(0x6D4C41),
  /** Gray. */
  GRAY(0x9E9E9E),
  /** Pink. */
  PINK(0xF48FB1),
  /** Navy. */
  NAVY(0x1A237E),
  /** Olive. */
  OLIVE(0x827717),
  /** Teal. */
  TEAL(0x00695C),
  /** Beige. */
  BEIGE(0xD7C9A0),
  /** Lavender. */
  LAVENDER(0xB39DDB),
  /** Mint. */
  MINT(0xA5D6A7);

  private final int rgb;

  SceneColor(int rgb) {
    this.rgb = rgb;
  }

  /**
   * Returns the colour value.
   *
   * @return {@code 0xRRGGBB}
   */
  public int rgb() {
    return rgb;
  }

  /**
   * Returns the word instructions use for this colour.
   *
   * @return the lower-case name
   */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }
}
