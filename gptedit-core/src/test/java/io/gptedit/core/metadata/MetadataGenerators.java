package io.gptedit.core.metadata;

import io.gptedit.core.geometry.AspectPreset;
import io.gptedit.core.geometry.PadCropPlan;
import io.gptedit.core.geometry.Side;
import io.gptedit.core.geometry.Size;
import io.gptedit.core.instruction.EditInstruction;
import io.gptedit.core.quality.QualityVerdict;
import io.gptedit.core.quality.RejectCode;
import io.gptedit.core.quality.RejectReason;
import io.gptedit.core.testing.Property;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/** Seeded generators of valid, varied metadata records (every optional field both present and absent). */
final class MetadataGenerators {
  private static final String[] DATASETS = {"omniedit", "hqedit", "ultraedit", "synthetic", "complex-edit"};
  private static final String[] WORDS = {
    "add", "a", "red", "hat", "to", "the", "cat", "replace", "sky", "with", "sunset", "\u00e9t\u00e9", "\"quoted\"",
    "back\\slash", "tab\there", "new\nline", "emoji \ud83d\ude00"
  };

  private MetadataGenerators() {}

  static String text(SplittableRandom r) {
    int n = 1 + r.nextInt(8);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        b.append(' ');
      }
      b.append(WORDS[r.nextInt(WORDS.length)]);
    }
    return b.toString();
  }

  static SampleMetadata record(SplittableRandom r) {
    int w = Property.side(r, 4096);
    int h = Property.side(r, 4096);
    String id = DATASETS[r.nextInt(DATASETS.length)] + "_" + r.nextInt(1_000_000);
    EditInstruction ins;
    switch (r.nextInt(3)) {
      case 0 -> ins = EditInstruction.of(text(r));
      case 1 -> ins = EditInstruction.of(text(r)).withRewrite(text(r));
      default -> {
        int k = 1 + r.nextInt(8);
        List<String> steps = new ArrayList<>();
        for (int i = 0; i < k; i++) {
          steps.add(text(r));
        }
        ins =
            r.nextBoolean()
                ? EditInstruction.composed(text(r), steps)
                : new EditInstruction(
                    text(r), Optional.empty(), List.of(), Optional.of(io.gptedit.core.instruction.ComplexityLevel.of(k)));
      }
    }
    SampleMetadata.Builder b =
        SampleMetadata.builder(id, DATASETS[r.nextInt(DATASETS.length)], ins, new Size(w, h));
    if (r.nextBoolean()) {
      b.optTask(r.nextBoolean() ? "addition" : "generate");
    }
    if (r.nextBoolean()) {
      b.optSourceId(Integer.toString(r.nextInt(1 << 30)));
    }
    if (r.nextBoolean()) {
      PadCropPlan plan =
          PadCropPlan.forSize(w, h, AspectPreset.values()[r.nextInt(3)], r.nextInt(0x1000000));
      b.optPadCrop(plan);
      if (r.nextBoolean()) {
        b.optGeneratedAt(plan.preset().generationSize());
      } else if (r.nextBoolean()) {
        b.optGenerationResolution(plan.preset().generationSize());
      }
    }
    if (r.nextBoolean()) {
      b.optGeneratorModel("gpt-image-1");
    }
    if (r.nextBoolean()) {
      b.optRewriterModel("gpt-4o");
    }
    if (r.nextBoolean()) {
      b.optQuality(
          r.nextBoolean()
              ? QualityVerdict.ACCEPTED
              : new QualityVerdict(
                  List.of(
                      RejectReason.onSide(RejectCode.RESIDUAL_PADDING, Side.values()[r.nextInt(4)], text(r)),
                      RejectReason.of(RejectCode.CROP_BOX_MISMATCH, text(r)))));
    }
    if (r.nextBoolean()) {
      b.optInputPath("input/" + id + ".png");
    }
    if (r.nextBoolean()) {
      b.optOutputPath("output/" + id + ".png");
    }
    if (r.nextBoolean()) {
      b.optInputDescription(text(r));
    }
    if (r.nextBoolean()) {
      b.optExtension("instruction_original", "\"" + "orig " + r.nextInt(100) + "\"");
      b.optExtension("x_scores", "{\"sc\":[7,8],\"pq\":9.5,\"nested\":{\"ok\":true}}");
    }
    return b.build();
  }
}
