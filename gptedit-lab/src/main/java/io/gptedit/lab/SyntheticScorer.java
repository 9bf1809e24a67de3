package io.gptedit.lab;

import static java.util.Objects.requireNonNull;

import io.gptedit.core.GpteditException;
import io.gptedit.core.image.EditMask;
import io.gptedit.core.image.RgbImage;
import io.gptedit.data.synthetic.EditMetrics;
import io.gptedit.data.synthetic.ObjectMetrics;
import io.gptedit.data.synthetic.SyntheticTruth;
import io.gptedit.eval.bench.BenchSample;
import io.gptedit.eval.metrics.ImageMetrics;
import io.gptedit.eval.judge.SampleScorer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The edit lab's local metrics of one held-out sample, all from the sample's exact truth: pixel instruction
 * following and identity preservation ({@link EditMetrics}), the object-level metrics ({@link ObjectMetrics}), and
 * PSNR / MAE against the exact target ({@link ImageMetrics}). The object counts are reported as means
 * ({@value #KEPT}, {@value #UNTOUCHED}) so that object preservation pools over samples: OP = mean kept / mean
 * untouched = kept objects / untouched objects.
 */
final class SyntheticScorer implements SampleScorer {
  static final String IF = "IF";
  static final String IP = "IP";
  static final String IP_BG = "IP_bg";
  static final String ES = "ES";
  static final String KEPT = "objects_kept";
  static final String UNTOUCHED = "objects_untouched";
  static final String PSNR = "PSNR";
  static final String MAE = "MAE";
  /** PSNR of identical images, which is infinite, is reported as this. */
  static final double PSNR_CAP = 99;

  private final Map<String, SyntheticTruth> truths;
  private final int tolerance;

  SyntheticScorer(Map<String, SyntheticTruth> truths, int tolerance) {
    this.truths = Map.copyOf(requireNonNull(truths, "truths"));
    this.tolerance = tolerance;
  }

  @Override
  public List<String> metrics() {
    return List.of(IF, IP, IP_BG, ES, KEPT, UNTOUCHED, PSNR, MAE);
  }

  @Override
  public String id() {
    return "synthetic-exact(tolerance=" + tolerance + ", kept>=" + ObjectMetrics.KEPT_SHARE + ")";
  }

  @Override
  public Map<String, Double> score(BenchSample sample, RgbImage input, RgbImage output) {
    SyntheticTruth truth = truths.get(sample.key());
    if (truth == null) {
      throw new GpteditException("no synthetic truth for held-out sample " + sample.key());
    }
    RgbImage target = truth.exactTarget();
    EditMask mask = truth.mask();
    Map<String, Double> m = new LinkedHashMap<>();
    m.put(IF, EditMetrics.instructionFollowing(output, target, mask, tolerance));
    m.put(IP, EditMetrics.identityPreservation(output, truth.input(), mask, tolerance));
    ObjectMetrics.Result o = ObjectMetrics.score(truth, output, tolerance);
    o.backgroundIdentity().ifPresent(v -> m.put(IP_BG, v));
    o.editSuccess().ifPresent(v -> m.put(ES, v));
    m.put(KEPT, (double) o.kept());
    m.put(UNTOUCHED, (double) o.untouched());
    m.put(PSNR, Math.min(PSNR_CAP, ImageMetrics.psnr(output, target)));
    m.put(MAE, ImageMetrics.meanAbsoluteError(output, target));
    return m;
  }
}
