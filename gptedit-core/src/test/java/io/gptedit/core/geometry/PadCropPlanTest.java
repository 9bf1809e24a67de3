package io.gptedit.core.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gptedit.core.image.RgbImage;
import org.junit.jupiter.api.Test;

/** Named edge cases of the pad/crop rules. */
class PadCropPlanTest {

  @Test
  void exactPresetSizesNeedNoPadding() {
    for (AspectPreset preset : AspectPreset.values()) {
      Size g = preset.generationSize();
      PadCropPlan p = PadCropPlan.forSize(g.width(), g.height());
      assertThat(p.preset()).isEqualTo(preset);
      assertThat(p.padding().isNone()).isTrue();
      assertThat(p.canvas()).isEqualTo(g);
      assertThat(p.cropBoxAt(g)).isEqualTo(new Box(0, 0, g.width(), g.height()));
    }
  }

  @Test
  void onePixelImageIsASquareCanvasOfOnePixel() {
    PadCropPlan p = PadCropPlan.forSize(1, 1);
    assertThat(p.preset()).isEqualTo(AspectPreset.SQUARE);
    assertThat(p.canvas()).isEqualTo(new Size(1, 1));
    assertThat(p.cropBoxAt(new Size(1024, 1024))).isEqualTo(new Box(0, 0, 1024, 1024));
  }

  @Test
  void extremeWideImageGoesLandscapeWithTallPadding() {
    PadCropPlan p = PadCropPlan.forSize(8192, 1);
    assertThat(p.preset()).isEqualTo(AspectPreset.LANDSCAPE);
    // k = ceil(8192 / 3) = 2731 -> canvas 8193 x 5462
    assertThat(p.canvas()).isEqualTo(new Size(8193, 5462));
    assertThat(p.padding()).isEqualTo(new Padding(0, 2730, 1, 2731));
    Box box = p.cropBoxAt(new Size(1536, 1024));
    assertThat(box.height()).isEqualTo(1); // widened from 0.19 px to the 1-pixel minimum
    assertThat(box.width()).isEqualTo(1536);
  }

  @Test
  void extremeTallImageGoesPortrait() {
    PadCropPlan p = PadCropPlan.forSize(1, 8192);
    assertThat(p.preset()).isEqualTo(AspectPreset.PORTRAIT);
    assertThat(p.canvas()).isEqualTo(new Size(5462, 8193));
  }

  @Test
  void oddPaddingRemainderGoesRightAndBottom() {
    // 1000x1000 is square; 1001x1000 too, padded by one row: it goes to the bottom.
    PadCropPlan p = PadCropPlan.forSize(1001, 1000);
    assertThat(p.padding()).isEqualTo(new Padding(0, 0, 0, 1));
    PadCropPlan q = PadCropPlan.forSize(1000, 1003);
    assertThat(q.padding()).isEqualTo(new Padding(1, 0, 2, 0));
  }

  @Test
  void nearestPresetBoundaryIsTheGeometricMeanOfAdjacentRatios() {
    // sqrt(3/2) = 1.2247...: 1224/1000 is square, 1225/1000 landscape.
    assertThat(AspectPreset.nearest(1224, 1000)).isEqualTo(AspectPreset.SQUARE);
    assertThat(AspectPreset.nearest(1225, 1000)).isEqualTo(AspectPreset.LANDSCAPE);
    // sqrt(2/3) = 0.8164...: 816/1000 portrait, 817/1000 square.
    assertThat(AspectPreset.nearest(816, 1000)).isEqualTo(AspectPreset.PORTRAIT);
    assertThat(AspectPreset.nearest(817, 1000)).isEqualTo(AspectPreset.SQUARE);
  }

  @Test
  void typicalOmniEditSizePadsToLandscapeAndCropsAtNativeResolution() {
    PadCropPlan p = PadCropPlan.forSize(1200, 768);
    assertThat(p.preset()).isEqualTo(AspectPreset.LANDSCAPE);
    assertThat(p.canvas()).isEqualTo(new Size(1200, 800));
    assertThat(p.padding()).isEqualTo(new Padding(0, 16, 0, 16));
    // At 1536x1024, scale 1.28: rows 16*1.28 = 20.48 -> 20, (16+768)*1.28 = 1003.52 -> 1004.
    assertThat(p.cropBoxAt(new Size(1536, 1024))).isEqualTo(new Box(0, 20, 1536, 984));
  }

  @Test
  void generationSizeWithAnotherRatioIsRejected() {
    PadCropPlan p = PadCropPlan.forSize(1200, 768);
    assertThatThrownBy(() -> p.cropBoxAt(new Size(1024, 1024)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1024x1024")
        .hasMessageContaining("3:2");
  }

  @Test
  void paddingWithAConfiguredColourFillsOnlyThePaddedBand() {
    RgbImage img = RgbImage.filled(3, 2, 0x102030);
    PadCropPlan p = PadCropPlan.forSize(3, 2, AspectPreset.SQUARE, 0xABCDEF);
    RgbImage padded = p.pad(img);
    assertThat(padded.width()).isEqualTo(3);
    assertThat(padded.height()).isEqualTo(3);
    assertThat(padded.rgb(0, 0)).isEqualTo(0x102030);
    assertThat(padded.rgb(0, 2)).isEqualTo(0xABCDEF); // odd remainder: one row, at the bottom
  }

  @Test
  void inconsistentPlanIsRejectedAtConstruction() {
    assertThatThrownBy(
            () ->
                new PadCropPlan(
                    new Size(10, 10), AspectPreset.LANDSCAPE, new Size(15, 10), new Padding(2, 0, 2, 0), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not make canvas");
    assertThatThrownBy(
            () ->
                new PadCropPlan(
                    new Size(10, 10), AspectPreset.LANDSCAPE, new Size(10, 10), Padding.NONE, 0))
        .hasMessageContaining("does not have the LANDSCAPE ratio");
  }

  @Test
  void padRejectsAnImageOfAnotherSize() {
    PadCropPlan p = PadCropPlan.forSize(10, 20);
    assertThatThrownBy(() -> p.pad(RgbImage.filled(20, 10, 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("plan is for 10x20");
  }
}
