package io.gptedit.models.nn;

import io.gptedit.core.GpteditException;
import java.io.Serial;

/**
 * A checkpoint does not fit a model: missing or unexpected tensors, wrong shapes, or a foreign naming scheme.
 *
 * @since 0.1
 */
public final class WeightLoadException extends GpteditException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what did not fit, naming the tensors
   */
  public WeightLoadException(String message) {
    super(message);
  }
}
