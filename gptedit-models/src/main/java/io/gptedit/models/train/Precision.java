package io.gptedit.models.train;

import ai.djl.ndarray.types.DataType;

/**
 * The arithmetic precision of a {@link FineTuner}'s forward and backward passes.
 *
 * <p>The trainable parameters (the master weights), the optimizer state and the EMA are always FLOAT32; with
 * {@link #FP16} the loss function computes with float16 copies of the weights and the trainer scales the loss
 * dynamically ({@link LossScaler}). There is no bf16: DJL's PyTorch engine aborts the JVM on bfloat16
 * conversions.
 *
 * @since 0.1
 */
public enum Precision {
  /** Everything in float32. */
  FP32(DataType.FLOAT32),
  /** Float16 weight copies and activations, float32 master weights, dynamic loss scaling. */
  FP16(DataType.FLOAT16);

  private final DataType dataType;

  Precision(DataType dataType) {
    this.dataType = dataType;
  }

  /**
   * Returns the data type the loss function computes in.
   *
   * @return FLOAT32 or FLOAT16
   */
  public DataType dataType() {
    return dataType;
  }
}
