package io.gptedit.models.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FlowSchedulesTest {
  @Test
  void muIsLinearThroughTheTwoBflAnchors() {
    assertThat(FlowSchedules.mu(256)).isCloseTo(0.5, within(1e-12));
    assertThat(FlowSchedules.mu(4096)).isCloseTo(1.15, within(1e-12));
    assertThat(FlowSchedules.mu(2176)).isCloseTo(0.825, within(1e-12));
  }

  @Test
  void bflScheduleShiftsLinspaceByHand() {
    double[] t = FlowSchedules.bfl(2, 4096);
    double e = Math.exp(1.15);
    assertThat(t).containsExactly(new double[] {1, e / (e + 1), 0}, within(1e-12));
  }

  /**
   * Reference numbers from diffusers' FlowMatchEulerDiscreteScheduler(shift=3.0) / Stability's sd3_impl sampler,
   * computed in float64 by gptedit-models/src/test/python/make_fixtures.py (sd3_schedule):
   * {@code sh(s) = 3 s / (1 + 2 s); sigma_min = sh(1/1000); sigmas = [sh(x) for x in linspace(1, sigma_min, N)] + [0]}.
   * diffusers' float32 values agree within 3e-8.
   */
  private static final double[] SD3_28 = {
      1.0, 0.987380627557981, 0.9741077676696991, 0.9601293103448277, 0.9453874538745386, 0.9298179059180578,
      0.9133489461358314, 0.8959003215434084, 0.8773819386909693, 0.8576923076923076, 0.8367166813768756,
      0.814324817518248, 0.7903682719546743, 0.7646771037181996, 0.7370558375634518, 0.7072784810126582,
      0.6750823271130626, 0.6401601830663617, 0.6021505376344087, 0.560625, 0.5150720838794234,
      0.4648760330578513, 0.40928882438316394, 0.3473926380368098, 0.2780487804878049, 0.19982698961937723,
      0.1109057301293902, 0.00892857142857143, 0.0};

  @Test
  void sd3ScheduleRunsDownToTheShiftedMinimumSigmaLikeDiffusers() {
    double[] t = FlowSchedules.sd3(28, FlowSchedules.SD3_SHIFT);
    assertThat(t).containsExactly(SD3_28, within(1e-12));
    // the regression: the last step used to jump from sh(1/28) = 0.1 to 0
    assertThat(t[27]).isCloseTo(9 * 0.001 / 1.008, within(1e-15));
    assertThat(FlowSchedules.sd3(2, FlowSchedules.SD3_SHIFT))
        .containsExactly(new double[] {1, 0.00892857142857143, 0}, within(1e-12));
    assertThat(FlowSchedules.sd3(1, FlowSchedules.SD3_SHIFT)).containsExactly(1.0, 0.0);
    assertThat(FlowSchedules.staticShift(3, 0.25)).isCloseTo(
        FlowSchedules.timeShift(Math.log(3), 0.25), within(1e-12));
  }

  @Test
  void schedulesMatchThePythonFixture() throws Exception {
    JsonNode root;
    try (InputStream in = getClass().getResourceAsStream("/io/gptedit/models/fixtures/schedules.json")) {
      root = new ObjectMapper().readTree(in);
    }
    for (JsonNode c : root.get("bfl")) {
      int steps = c.get("steps").asInt();
      int tokens = c.get("tokens").asInt();
      assertThat(FlowSchedules.mu(tokens)).isCloseTo(c.get("mu").asDouble(), within(1e-12));
      double[] t = FlowSchedules.bfl(steps, tokens);
      for (int i = 0; i <= steps; i++) {
        assertThat(t[i]).isCloseTo(c.get("sigmas").get(i).asDouble(), within(1e-12));
      }
    }
    for (JsonNode c : root.get("sd3")) {
      int steps = c.get("steps").asInt();
      double[] t = FlowSchedules.sd3(steps, 3.0);
      for (int i = 0; i <= steps; i++) {
        assertThat(t[i]).isCloseTo(c.get("sigmas").get(i).asDouble(), within(1e-12));
      }
    }
  }

  @Test
  void diffusersSigmasStartAtOneEndAtZeroAndDecrease() {
    double[] t = FlowSchedules.diffusers(4, 1024);
    assertThat(t).hasSize(5);
    assertThat(t[0]).isEqualTo(1.0);
    assertThat(t[4]).isZero();
    assertThat(t[3]).isCloseTo(FlowSchedules.timeShift(FlowSchedules.mu(1024), 0.25), within(1e-12));
    for (int i = 0; i < 4; i++) {
      assertThat(t[i + 1]).isLessThan(t[i]);
    }
  }

  @Test
  void trainingDensitiesAndWeightsFollowTheirFormulas() {
    double[] ln = TimestepSampling.sample(TimestepSampling.Density.LOGIT_NORMAL, 0, 1, new SplittableRandom(1), 20000);
    double mean = java.util.Arrays.stream(ln).map(s -> Math.log(s / (1 - s))).average().orElseThrow();
    assertThat(mean).isCloseTo(0, within(0.03));
    double[] u = TimestepSampling.sample(TimestepSampling.Density.UNIFORM, 0, 1, new SplittableRandom(1), 1000);
    assertThat(java.util.Arrays.stream(u).allMatch(s -> s >= 0 && s < 1)).isTrue();
    double[] mode = TimestepSampling.sample(TimestepSampling.Density.MODE, 0, 1, new SplittableRandom(2), 1);
    double uu = new SplittableRandom(2).nextDouble();
    double c = Math.cos(Math.PI * uu / 2);
    assertThat(mode[0]).isCloseTo(1 - uu - 1.29 * (c * c - 1 + uu), within(1e-12));
    assertThat(TimestepSampling.Weighting.SIGMA_SQRT.weight(0.5)).isEqualTo(4.0);
    assertThat(TimestepSampling.Weighting.COSMAP.weight(0.5)).isCloseTo(4 / Math.PI, within(1e-12));
    assertThat(TimestepSampling.Weighting.NONE.weight(0.3)).isEqualTo(1.0);
  }
}
