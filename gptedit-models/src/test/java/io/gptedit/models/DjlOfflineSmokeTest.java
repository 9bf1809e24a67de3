package io.gptedit.models;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class DjlOfflineSmokeTest {
  @Test
  void pytorchEngineLoadsOfflineFromThePinnedNativeJar() {
    assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
    assertThat(Engine.getInstance().getEngineName()).isEqualTo("PyTorch");
    // The pinned native jar (2.7.1, CPU) is what loaded: offline mode would have failed any download attempt.
    assertThat(Engine.getInstance().getVersion()).isEqualTo("2.7.1");
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.create(new float[] {1, 2, 3, 4}, new ai.djl.ndarray.types.Shape(2, 2));
      assertThat(a.matMul(a).toFloatArray()).containsExactly(7, 10, 15, 22);
    }
  }
}
