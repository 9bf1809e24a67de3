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

  @Test
  void sd3StaticShiftIsThreeSigmaOverOnePlusTwoSigma() {
    double[] t = FlowSchedules.sd3(2, FlowSchedules.SD3_SHIFT);
    assertThat(t).containsExactly(new double[] {1, 1.5 / 2, 0}, within(1e-12));
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
