package io.gptedit.core.geometry;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.core.image.RgbImage;
import io.gptedit.core.instruction.EditInstruction;
import io.gptedit.core.metadata.MetadataCodec;
import io.gptedit.core.metadata.SampleMetadata;
import io.gptedit.core.testing.Property;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The properties the pad/crop geometry promises, each over thousands of random sizes from 1x1 to 8192x8192. */
class PadCropPlanPropertiesTest {
  private static final int MAX = 8192;
  private static final int CASES = 4_000;

  record Dim(int w, int h) {}

  record DimAndGen(int w, int h, int scaleNum, int scaleDen) {}

  private static Dim dim(SplittableRandom r) {
    return new Dim(Property.side(r, MAX), Property.side(r, MAX));
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void canvasRatioEqualsPresetRatioExactly(long seed) {
    Property.forAll(
        seed,
        CASES,
        PadCropPlanPropertiesTest::dim,
        d -> {
          PadCropPlan p = PadCropPlan.forSize(d.w(), d.h());
          assertThat((long) p.canvas().width() * p.preset().ratioHeight())
              .isEqualTo((long) p.canvas().height() * p.preset().ratioWidth());
          assertThat(p.preset()).isEqualTo(AspectPreset.nearest(d.w(), d.h()));
        });
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {4, 5, 6})
  void contentIsInsideCanvasUnscaledAndCentred(long seed) {
    Property.forAll(
        seed,
        CASES,
        PadCropPlanPropertiesTest::dim,
        d -> {
          PadCropPlan p = PadCropPlan.forSize(d.w(), d.h());
          Box c = p.contentBox();
          assertThat(c.width()).isEqualTo(d.w());
          assertThat(c.height()).isEqualTo(d.h());
          assertThat(c.fitsIn(p.canvas())).isTrue();
          Padding pad = p.padding();
          // Centred, odd remainder to the right / bottom.
          assertThat(pad.right() - pad.left()).isBetween(0, 1);
          assertThat(pad.bottom() - pad.top()).isBetween(0, 1);
        });
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {7, 8, 9})
  void paddingIsNonNegativeAndAsSmallAsPossible(long seed) {
    Property.forAll(
        seed,
        CASES,
        PadCropPlanPropertiesTest::dim,
        d -> {
          PadCropPlan p = PadCropPlan.forSize(d.w(), d.h());
          Padding pad = p.padding();
          assertThat(pad.left()).isNotNegative();
          assertThat(pad.top()).isNotNegative();
          assertThat(pad.right()).isNotNegative();
          assertThat(pad.bottom()).isNotNegative();
          // Minimal: one step smaller along the preset's ratio no longer contains the image.
          int a = p.preset().ratioWidth();
          int b = p.preset().ratioHeight();
          int smallerW = p.canvas().width() - a;
          int smallerH = p.canvas().height() - b;
          assertThat(smallerW < d.w() || smallerH < d.h()).isTrue();
          // And at least one axis is not padded at all beyond the ratio step.
          assertThat(Math.min(p.canvas().width() - d.w(), (p.canvas().height() - d.h()) * a / b))
              .isLessThan(a);
        });
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {10, 11})
  void cropAfterPadAtPaddedSizeReturnsOriginalPixelsBitForBit(long seed) {
    Property.forAll(
        seed,
        300,
        r -> {
          int w = Property.side(r, 96);
          int h = Property.side(r, 96);
          byte[] px = new byte[w * h * 3];
          r.nextBytes(px);
          return RgbImage.of(w, h, px);
        },
        img -> {
          PadCropPlan p = PadCropPlan.forImage(img);
          RgbImage padded = p.pad(img);
          assertThat(padded.width()).isEqualTo(p.canvas().width());
          assertThat(padded.height()).isEqualTo(p.canvas().height());
          assertThat(p.crop(padded)).isEqualTo(img);
          assertThat(p.cropToOriginal(padded)).isEqualTo(img);
        });
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {12, 13, 14})
  void cropBoxAtAnyGenerationResolutionKeepsAspectWithinOnePixel(long seed) {
    Property.forAll(
        seed,
        CASES,
        r -> {
          Dim d = dim(r);
          // Generation sizes: the preset's native size, or the canvas scaled by a random rational.
          return new DimAndGen(d.w(), d.h(), 1 + r.nextInt(40), 1 + r.nextInt(40));
        },
        c -> {
          PadCropPlan p = PadCropPlan.forSize(c.w(), c.h());
          for (Size g : new Size[] {p.preset().generationSize(), scaled(p, c.scaleNum(), c.scaleDen())}) {
            if (g == null) {
              continue;
            }
            Box box = p.cropBoxAt(g);
            assertThat(box.fitsIn(g)).as("box %s inside %s", box, g).isTrue();
            double s = (double) g.width() / p.canvas().width();
            assertThat(Math.abs(box.width() - c.w() * s)).as("width of %s at %s", box, g).isLessThanOrEqualTo(1.0);
            assertThat(Math.abs(box.height() - c.h() * s)).as("height of %s at %s", box, g).isLessThanOrEqualTo(1.0);
            // Edges within half a pixel of the exact scaled content edges (or the 1-pixel minimum).
            assertThat(Math.abs(box.x() - p.padding().left() * s)).isLessThanOrEqualTo(1.0);
            assertThat(Math.abs(box.y() - p.padding().top() * s)).isLessThanOrEqualTo(1.0);
          }
        });
  }

  private static Size scaled(PadCropPlan p, int num, int den) {
    // A generation size with exactly the canvas ratio: multiply the ratio unit by an integer.
    int a = p.preset().ratioWidth();
    int b = p.preset().ratioHeight();
    int k = (int) Math.max(1, ((long) p.canvas().width() / a) * num / den);
    long w = (long) k * a;
    long h = (long) k * b;
    return w <= 65_536 && h <= 65_536 ? new Size((int) w, (int) h) : null;
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {15, 16})
  void planSurvivesJsonRoundTripUnchanged(long seed) {
    Property.forAll(
        seed,
        1_500,
        r -> {
          Dim d = dim(r);
          AspectPreset preset = AspectPreset.values()[r.nextInt(3)];
          int color = r.nextInt(0x1000000);
          return PadCropPlan.forSize(d.w(), d.h(), preset, color);
        },
        plan -> {
          SampleMetadata m =
              SampleMetadata.builder(
                      "s_1", "synthetic", EditInstruction.of("make it red"), plan.original())
                  .optPadCrop(plan)
                  .optGeneratedAt(plan.preset().generationSize())
                  .build();
          SampleMetadata back = MetadataCodec.fromJson(MetadataCodec.toJson(m));
          assertThat(back.padCrop()).contains(plan);
          assertThat(back).isEqualTo(m);
        });
  }
}
