package io.gptedit.models.safetensors;

import java.util.Optional;

/**
 * The element types of the safetensors format, with their sizes in bytes.
 *
 * @since 0.1
 */
public enum DType {
  /** 64-bit IEEE float. */
  F64(8, true),
  /** 32-bit IEEE float. */
  F32(4, true),
  /** 16-bit IEEE half float. */
  F16(2, true),
  /** bfloat16: the upper half of a 32-bit float. */
  BF16(2, true),
  /** 8-bit float, 4 exponent bits (readable as raw bytes only). */
  F8_E4M3(1, false),
  /** 8-bit float, 5 exponent bits (readable as raw bytes only). */
  F8_E5M2(1, false),
  /** Signed 64-bit integer. */
  I64(8, false),
  /** Signed 32-bit integer. */
  I32(4, false),
  /** Signed 16-bit integer. */
  I16(2, false),
  /** Signed 8-bit integer. */
  I8(1, false),
  /** Unsigned 8-bit integer. */
  U8(1, false),
  /** Boolean, one byte per element. */
  BOOL(1, false);

  private final int size;
  private final boolean floating;

  DType(int size, boolean floating) {
    this.size = size;
    this.floating = floating;
  }

  /**
   * Returns the size of one element.
   *
   * @return bytes per element
   */
  public int byteSize() {
    return size;
  }

  /**
   * Returns whether the reader can convert this type to 32-bit floats.
   *
   * @return true for F64, F32, F16 and BF16
   */
  public boolean isConvertibleToFloat() {
    return floating;
  }

  /**
   * Looks a type up by its name in a safetensors header.
   *
   * @param name the header's dtype string, for example {@code BF16}
   * @return the type, or empty if the name is unknown
   */
  public static Optional<DType> fromHeaderName(String name) {
    for (DType t : values()) {
      if (t.name().equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
