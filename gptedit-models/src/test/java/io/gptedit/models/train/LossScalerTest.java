package io.gptedit.models.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.gptedit.core.testing.Property;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LossScalerTest {
  private NDManager manager;

  @BeforeAll
  static void offline() {
    System.setProperty("ai.djl.offline", "true");
  }

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  @Test
  void defaultsAreTorchGradScalers() {
    LossScaler.Config c = LossScaler.Config.defaults();
    assertThat(c.initialScale()).isEqualTo(65536.0);
    assertThat(c.growthFactor()).isEqualTo(2.0);
    assertThat(c.backoffFactor()).isEqualTo(0.5);
    assertThat(c.growthInterval()).isEqualTo(2000);
    assertThat(new LossScaler(c).scale()).isEqualTo(65536.0);
  }

  @Test
  void finiteGradientsAreUnscaledExactlyAndReportedFinite() {
    LossScaler s = new LossScaler(LossScaler.Config.defaults().withInitialScale(1024));
    NDArray a = manager.create(new float[] {2048f, -1024f, 0.5f});
    NDArray b = manager.create(new float[] {3e38f});
    assertThat(s.unscale(List.of(a, b))).isTrue();
    assertThat(a.toFloatArray()).containsExactly(2f, -1f, 0.5f / 1024);
    assertThat(b.toFloatArray()).containsExactly(3e38f / 1024);
  }

  @Test
  void anInfiniteOrNanGradientAnywhereIsReportedAndBacksTheScaleOffByHalf() {
    LossScaler s = new LossScaler(new LossScaler.Config(1024, 2, 0.5, 3));
    NDArray ok = manager.create(new float[] {1f, 2f});
    NDArray inf = manager.create(new float[] {1f, Float.POSITIVE_INFINITY});
    assertThat(s.unscale(List.of(ok, inf))).isFalse();
    s.update(false);
    assertThat(s.scale()).isEqualTo(512);
    NDArray nan = manager.create(new float[] {Float.NaN});
    assertThat(s.unscale(List.of(nan, manager.create(new float[] {1f})))).isFalse();
    s.update(false);
    assertThat(s.scale()).isEqualTo(256);
    NDArray negInf = manager.create(new float[] {Float.NEGATIVE_INFINITY});
    assertThat(s.unscale(List.of(negInf))).isFalse();
  }

  @Test
  void theScaleGrowsAfterGrowthIntervalFiniteStepsInARowAndAnOverflowRestartsTheCount() {
    LossScaler s = new LossScaler(new LossScaler.Config(1024, 2, 0.5, 3));
    List<Double> scales = new ArrayList<>();
    boolean[] finite = {true, true, true, true, true, false, true, true, true, true};
    for (boolean f : finite) {
      s.update(f);
      scales.add(s.scale());
    }
    // 3 finite -> 2048; 2 finite, overflow -> 1024 and the count restarts; 3 finite -> 2048; 1 more finite.
    assertThat(scales)
        .containsExactly(1024.0, 1024.0, 2048.0, 2048.0, 2048.0, 1024.0, 1024.0, 1024.0, 2048.0, 2048.0);
    assertThat(s.state()).isEqualTo(new LossScaler.State(2048, 1));
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void aScalerRestoredFromItsStateContinuesExactlyAsTheOriginal(long seed) {
    Property.forAll(
        seed,
        50,
        r -> {
          boolean[] outcomes = new boolean[1 + r.nextInt(60)];
          for (int i = 0; i < outcomes.length; i++) {
            outcomes[i] = r.nextInt(5) != 0;
          }
          return new Run(outcomes, r.nextInt(outcomes.length + 1), 1 + r.nextInt(6));
        },
        c -> {
          boolean[] outcomes = c.outcomes();
          int split = c.split();
          LossScaler.Config cfg = new LossScaler.Config(65536, 2, 0.5, c.interval());
          LossScaler straight = new LossScaler(cfg);
          LossScaler first = new LossScaler(cfg);
          for (int i = 0; i < split; i++) {
            first.update(outcomes[i]);
          }
          LossScaler resumed = new LossScaler(cfg);
          resumed.load(first.state());
          List<Double> a = new ArrayList<>();
          List<Double> b = new ArrayList<>();
          for (int i = 0; i < outcomes.length; i++) {
            straight.update(outcomes[i]);
            if (i >= split) {
              resumed.update(outcomes[i]);
              a.add(straight.scale());
              b.add(resumed.scale());
            }
          }
          assertThat(b).isEqualTo(a);
          assertThat(resumed.state()).isEqualTo(straight.state());
        });
  }

  /** A sequence of step outcomes, where to checkpoint, and the growth interval. */
  private record Run(boolean[] outcomes, int split, int interval) {
    @Override
    public String toString() {
      return "Run[" + java.util.Arrays.toString(outcomes) + ", split " + split + ", interval " + interval + "]";
    }
  }

  @Test
  void everyScaleReachedWithPowerOfTwoFactorsIsAPowerOfTwo() {
    LossScaler s = new LossScaler(new LossScaler.Config(65536, 2, 0.5, 2));
    SplittableRandom r = new SplittableRandom(9);
    for (int i = 0; i < 500; i++) {
      s.update(r.nextInt(3) != 0);
      double m = Math.getExponent(s.scale());
      assertThat(s.scale()).isEqualTo(Math.scalb(1.0, (int) m));
    }
  }

  @Test
  void badSettingsAreRejectedNamingTheField() {
    assertThatThrownBy(() -> new LossScaler.Config(0, 2, 0.5, 10)).hasMessageContaining("initialScale");
    assertThatThrownBy(() -> new LossScaler.Config(1, 1, 0.5, 10)).hasMessageContaining("growthFactor");
    assertThatThrownBy(() -> new LossScaler.Config(1, 2, 1, 10)).hasMessageContaining("backoffFactor");
    assertThatThrownBy(() -> new LossScaler.Config(1, 2, 0.5, 0)).hasMessageContaining("growthInterval");
    assertThatThrownBy(() -> new LossScaler.State(Double.POSITIVE_INFINITY, 0)).hasMessageContaining("scale");
  }
}
