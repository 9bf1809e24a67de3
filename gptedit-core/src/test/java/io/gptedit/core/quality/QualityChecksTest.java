package io.gptedit.core.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.core.geometry.Box;
import io.gptedit.core.geometry.PadCropPlan;
import io.gptedit.core.geometry.Side;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.image.Resampler;
import io.gptedit.core.image.RgbImage;
import io.gptedit.core.testing.Property;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The quality filters on generated images: a faithful generator (the padded canvas rendered at another
 * resolution) passes; residue and shifted or painted-over padding are rejected with typed reasons.
 */
class QualityChecksTest {
  private final ResidualPaddingCheck residual = ResidualPaddingCheck.paperDefault();
  private final PaddingMaskCheck mask = PaddingMaskCheck.defaults();

  /** Content that is never mistaken for white padding: saturated random colours. */
  static RgbImage content(SplittableRandom r, int w, int h) {
    byte[] px = new byte[w * h * 3];
    for (int i = 0; i < px.length; i += 3) {
      px[i] = (byte) r.nextInt(200);
      px[i + 1] = (byte) r.nextInt(256);
      px[i + 2] = (byte) r.nextInt(256);
    }
    return RgbImage.of(w, h, px);
  }

  record Case(RgbImage input, PadCropPlan plan, Size generation) {}

  static Case faithfulCase(SplittableRandom r) {
    int w = 40 + r.nextInt(260);
    int h = 40 + r.nextInt(260);
    RgbImage input = content(r, w, h);
    PadCropPlan plan = PadCropPlan.forImage(input);
    int k = 1 + r.nextInt(3);
    Size gen = new Size(plan.canvas().width() * k, plan.canvas().height() * k);
    return new Case(input, plan, gen);
  }

  /** A generator that reproduces the canvas exactly (nearest-neighbour upscale keeps the padding crisp). */
  static RgbImage faithfulGeneration(Case c) {
    RgbImage canvas = c.plan().pad(c.input());
    int k = c.generation().width() / canvas.width();
    byte[] src = canvas.copyRgb();
    int gw = c.generation().width();
    int gh = c.generation().height();
    byte[] out = new byte[gw * gh * 3];
    for (int y = 0; y < gh; y++) {
      for (int x = 0; x < gw; x++) {
        System.arraycopy(src, ((y / k) * canvas.width() + x / k) * 3, out, (y * gw + x) * 3, 3);
      }
    }
    return RgbImage.of(gw, gh, out);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2})
  void faithfulGenerationPassesBothChecks(long seed) {
    Property.forAll(
        seed,
        120,
        QualityChecksTest::faithfulCase,
        c -> {
          RgbImage generated = faithfulGeneration(c);
          Box box = c.plan().cropBoxAt(c.generation());
          assertThat(mask.check(generated, c.plan(), c.generation(), box).reasons()).isEmpty();
          RgbImage cropped = c.plan().crop(generated);
          assertThat(residual.check(cropped, c.plan()).reasons()).isEmpty();
          assertThat(residual.check(c.plan().cropToOriginal(generated), c.plan()).accepted()).isTrue();
        });
  }

  @Test
  void bicubicRenderingAtTheNativePresetSizePasses() {
    RgbImage input = content(new SplittableRandom(5), 700, 380);
    PadCropPlan plan = PadCropPlan.forImage(input);
    Size gen = plan.preset().generationSize();
    RgbImage generated = Resampler.bicubic(plan.pad(input), gen.width(), gen.height());
    assertThat(mask.check(generated, plan, gen, plan.cropBoxAt(gen)).accepted()).isTrue();
    assertThat(residual.check(plan.crop(generated), plan).accepted()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Side.class)
  void cropWithOnePercentResidueOnAnySideIsRejectedOnThatSide(Side side) {
    // A 500x500 image padded on every side: place it in the middle of a bigger square canvas by hand.
    RgbImage input = content(new SplittableRandom(side.ordinal()), 500, 500);
    PadCropPlan plan =
        new PadCropPlan(
            new Size(500, 500),
            io.gptedit.core.geometry.AspectPreset.SQUARE,
            new Size(540, 540),
            new io.gptedit.core.geometry.Padding(20, 20, 20, 20),
            PadCropPlan.WHITE);
    RgbImage canvas = plan.pad(input);
    int residue = 5; // 1 % of 500
    int x = 20;
    int y = 20;
    int w = 500;
    int h = 500;
    switch (side) {
      case LEFT -> x -= residue;
      case TOP -> y -= residue;
      case RIGHT -> w += residue;
      case BOTTOM -> h += residue;
    }
    if (side == Side.LEFT) {
      w += residue;
    }
    if (side == Side.TOP) {
      h += residue;
    }
    RgbImage badCrop = canvas.crop(x, y, w, h);
    QualityVerdict v = residual.check(badCrop, plan);
    assertThat(v.accepted()).isFalse();
    assertThat(v.reasons()).hasSize(1);
    assertThat(v.reasons().get(0).code()).isEqualTo(RejectCode.RESIDUAL_PADDING);
    assertThat(v.reasons().get(0).side()).contains(side);
    // Two residual lines (0.4 %) are within the paper's 0.5 % threshold.
    RgbImage smallResidue =
        side == Side.LEFT ? canvas.crop(18, 20, 502, 500) : side == Side.TOP ? canvas.crop(20, 18, 500, 502)
            : side == Side.RIGHT ? canvas.crop(20, 20, 502, 500) : canvas.crop(20, 20, 500, 502);
    assertThat(residual.check(smallResidue, plan).accepted()).isTrue();
    assertThat(residual.check(canvas.crop(20, 20, 500, 500), plan).accepted()).isTrue();
  }

  @Test
  void unpaddedSidesAreNotExaminedSoWhiteContentThereIsLegitimate() {
    // Landscape content padded top and bottom only; its left columns are white.
    RgbImage input = content(new SplittableRandom(9), 600, 300).pad(10, 0, 0, 0, 0xFFFFFF).crop(0, 0, 600, 300);
    PadCropPlan plan = PadCropPlan.forImage(input);
    assertThat(plan.padding().left()).isZero();
    assertThat(residual.check(input, plan).accepted()).isTrue();
  }

  @Test
  void generatorThatShiftedTheContentFailsTheMaskCheck() {
    SplittableRandom r = new SplittableRandom(3);
    RgbImage input = content(r, 300, 200);
    PadCropPlan plan = PadCropPlan.forSize(300, 200, io.gptedit.core.geometry.AspectPreset.SQUARE, PadCropPlan.WHITE);
    assertThat(plan.padding().top()).isEqualTo(50);
    Size gen = plan.canvas();
    // Shift the whole content band down by 12 rows: the top band is now 62 rows, the bottom 38.
    RgbImage shifted = input.pad(0, 62, 0, 38, PadCropPlan.WHITE);
    QualityVerdict v = mask.check(shifted, plan, gen, plan.cropBoxAt(gen));
    assertThat(v.hasReason(RejectCode.PADDING_MASK_MISMATCH)).isTrue();
    assertThat(v.reasons()).extracting(rr -> rr.side().orElseThrow()).containsExactlyInAnyOrder(Side.TOP, Side.BOTTOM);
  }

  @Test
  void generatorThatPaintedOverThePaddingFailsTheMaskCheck() {
    RgbImage input = content(new SplittableRandom(4), 300, 200);
    PadCropPlan plan = PadCropPlan.forSize(300, 200, io.gptedit.core.geometry.AspectPreset.SQUARE, PadCropPlan.WHITE);
    RgbImage outpainted = content(new SplittableRandom(5), 300, 300);
    QualityVerdict v = mask.check(outpainted, plan, plan.canvas(), plan.cropBoxAt(plan.canvas()));
    assertThat(v.reasons()).hasSize(2).allMatch(rr -> rr.code() == RejectCode.PADDING_MASK_MISMATCH);
    assertThat(v.reasons().get(0).detail()).contains("band is 0 lines, expected 50");
    assertThat(plan.pad(input)).isNotNull();
  }

  @Test
  void recordedCropBoxThatDisagreesWithThePlanIsRejected() {
    RgbImage input = content(new SplittableRandom(6), 300, 200);
    PadCropPlan plan = PadCropPlan.forImage(input);
    Size gen = plan.canvas();
    RgbImage generated = plan.pad(input);
    Box wrong = new Box(0, 1, 300, 200);
    QualityVerdict v = mask.check(generated, plan, gen, wrong);
    assertThat(v.hasReason(RejectCode.CROP_BOX_MISMATCH)).isTrue();
  }

  @Test
  void generatedImageOfAnotherSizeIsRejected() {
    RgbImage input = content(new SplittableRandom(7), 300, 200);
    PadCropPlan plan = PadCropPlan.forImage(input);
    QualityVerdict v =
        mask.check(plan.pad(input), plan, new Size(1536, 1024), plan.cropBoxAt(new Size(1536, 1024)));
    assertThat(v.reasons()).singleElement().extracting(RejectReason::code).isEqualTo(RejectCode.GENERATION_SIZE_MISMATCH);
  }

  @Test
  void verdictsCombine() {
    QualityVerdict a = new QualityVerdict(java.util.List.of(RejectReason.of(RejectCode.CROP_BOX_MISMATCH, "x")));
    assertThat(QualityVerdict.ACCEPTED.and(a)).isEqualTo(a);
    assertThat(a.and(a).reasons()).hasSize(2);
    assertThat(a.and(QualityVerdict.ACCEPTED)).isSameAs(a);
  }
}
