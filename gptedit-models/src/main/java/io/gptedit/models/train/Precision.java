package io.gptedit.models.train;

import ai.djl.ndarray.types.DataType;
import io.gptedit.core.GpteditException;
import java.util.Locale;

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

  /**
   * Parses a precision by name, ignoring case: {@code fp32} or {@code fp16}.
   *
   * @param name the name
   * @return the precision
   * @throws GpteditException for any other name, such as {@code bf16} (the message says why and lists the choices)
   */
  public static Precision parse(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (Precision p : values()) {
      if (p.name().toLowerCase(Locale.ROOT).equals(n)) {
        return p;
      }
    }
    String why = n.equals("bf16") || n.equals("bfloat16")
        ? " (no bf16: DJL's PyTorch engine aborts the JVM on bfloat16 conversions)"
        : "";
    throw new GpteditException("unknown precision '" + name + "'" + why + "; choose fp32 or fp16");
  }
}
