package io.gptedit.models.nn;

import io.gptedit.core.GpteditException;
import java.io.Serial;

/**
 * A device name cannot be parsed, or names a device the engine does not have (a GPU index at or above the number
 * of GPUs the engine sees), or two parts of a model sit on different devices. Thrown before any native work on
 * that device.
 *
 * @since 0.1
 */
public final class DeviceException extends GpteditException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong, naming the device or the input
   */
  public DeviceException(String message) {
    super(message);
  }
}
