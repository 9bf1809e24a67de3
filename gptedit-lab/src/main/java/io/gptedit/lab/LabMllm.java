package io.gptedit.lab;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import io.gptedit.models.conditioning.QueryingMllm;
import io.gptedit.models.mllm.QwenVlEncoder;

/**
 * The frozen tiny MLLM a lab run's MLLM fusions read (both kinds have hidden size 32), with the identity the
 * editor spec records; it owns the model.
 */
final class LabMllm implements AutoCloseable {
  private final QueryingMllm mllm;
  private final Runnable close;

  private LabMllm(QueryingMllm mllm, Runnable close) {
    this.mllm = requireNonNull(mllm, "mllm");
    this.close = close;
  }

  /** The run's MLLM with its weights on {@code device}, or null when its fusion reads none (T5). */
  static LabMllm of(LabConfig c, Device device) {
    if (c.textFusion() == LabConfig.Fusion.T5) {
      return null;
    }
    long seed = c.seed() ^ 0x3117L;
    return switch (c.mllm()) {
      case TINY -> {
        TinyMllm m = new TinyMllm(seed, device);
        yield new LabMllm(m, m::close);
      }
      case QWEN2_5_VL_TINY -> {
        QwenVlEncoder q = QwenVlEncoder.tiny(seed, device);
        yield new LabMllm(q, q::close);
      }
    };
  }

  /** A given tiny MLLM (such as one {@link LabMllmTraining} trained), owned from here on. */
  static LabMllm of(TinyMllm trained) {
    return new LabMllm(trained, trained::close);
  }

  QueryingMllm mllm() {
    return mllm;
  }

  String id() {
    return mllm.id();
  }

  @Override
  public void close() {
    close.run();
  }
}
