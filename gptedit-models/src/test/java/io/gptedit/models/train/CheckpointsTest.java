package io.gptedit.models.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {
  @TempDir Path run;
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
  void checkpointRoundTripsWeightsOptimizerStateAndProvenance() {
    NDArray w = manager.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
    NDArray g = manager.create(new float[] {0.5f, -1, 2, 0}, new Shape(2, 2));
    try (ParameterOptimizer opt = ProdigyOptimizer.defaults().create()) {
      opt.step(Map.of("w", w), Map.of("w", g), 1.0);
      opt.step(Map.of("w", w), Map.of("w", g), 1.0);
      Path dir =
          Checkpoints.save(
              run, Map.of("w", w), opt,
              new Checkpoints.State(2, 42, "{\"lr\":1.0,\"stage\":\"1\"}", Map.of("data_index", "abc123")));
      assertThat(dir.getFileName().toString()).isEqualTo("step-000000002");
      assertThat(Checkpoints.latest(run)).contains(dir);
      assertThat(Checkpoints.stepOf(dir)).isEqualTo(2);
      Checkpoints.Loaded back = Checkpoints.load(dir, manager);
      assertThat(back.state().step()).isEqualTo(2);
      assertThat(back.state().seed()).isEqualTo(42);
      assertThat(back.state().config()).contains("\"stage\":\"1\"");
      assertThat(back.state().provenance()).containsEntry("data_index", "abc123");
      assertThat(back.weights().get("w").toFloatArray()).containsExactly(w.toFloatArray());
      assertThat(back.optimizerScalars()).isEqualTo(opt.stateScalars());
      assertThat(back.optimizerTensors().keySet()).isEqualTo(opt.stateTensors().keySet());
      for (String k : opt.stateTensors().keySet()) {
        assertThat(back.optimizerTensors().get(k).toFloatArray()).containsExactly(opt.stateTensors().get(k).toFloatArray());
      }
    }
  }

  @Test
  void unfinishedTmpFolderFromAKilledWriteIsIgnored() throws Exception {
    NDArray w = manager.create(new float[] {1}, new Shape(1));
    try (ParameterOptimizer opt = AdamWOptimizer.defaults().create()) {
      Path first = Checkpoints.save(run, Map.of("w", w), opt, new Checkpoints.State(10, 1, "{}", Map.of()));
      Files.createDirectories(run.resolve("checkpoints/step-000000020.tmp"));
      Files.writeString(run.resolve("checkpoints/step-000000020.tmp/state.json"), "{\"step\": 20");
      assertThat(Checkpoints.latest(run)).contains(first);
      assertThat(Checkpoints.stepOf(first)).isEqualTo(10);
      assertThatThrownBy(() -> Checkpoints.stepOf(run.resolve("checkpoints/step-000000020.tmp")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not a checkpoint folder");
    }
  }

  @Test
  void truncatedStateFileIsATypedErrorNamingTheFile() throws Exception {
    NDArray w = manager.create(new float[] {1}, new Shape(1));
    try (ParameterOptimizer opt = AdamWOptimizer.defaults().create()) {
      Path dir = Checkpoints.save(run, Map.of("w", w), opt, new Checkpoints.State(3, 1, "{}", Map.of()));
      Files.writeString(dir.resolve("state.json"), "{\"step\": ");
      assertThatThrownBy(() -> Checkpoints.load(dir, manager))
          .isInstanceOf(Checkpoints.CheckpointException.class)
          .hasMessageContaining("state.json");
      Files.writeString(dir.resolve("state.json"), "{\"step\": 3, \"seed\": 1, \"config\": {}}");
      Files.write(dir.resolve("weights.safetensors"), new byte[] {1, 2, 3});
      assertThatThrownBy(() -> Checkpoints.load(dir, manager))
          .isInstanceOf(Checkpoints.CheckpointException.class)
          .hasMessageContaining("weights.safetensors");
    }
  }
}
