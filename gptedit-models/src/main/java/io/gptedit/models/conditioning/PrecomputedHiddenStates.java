package io.gptedit.models.conditioning;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import io.gptedit.core.GpteditException;
import io.gptedit.core.image.RgbImage;
import io.gptedit.models.safetensors.SafetensorsFile;
import java.nio.charset.StandardCharsets;

/**
 * MLLM hidden states (or vision features) read from a safetensors file, keyed by {@link #key}: the SHA-256 of the
 * image's size and RGB bytes and the instruction. A missing key is an error naming the file and the key.
 *
 * @since 0.1
 */
public final class PrecomputedHiddenStates implements MllmHiddenStates, ImageFeatures {
  private final SafetensorsFile file;

  /**
   * Reads from an open file (which the caller closes).
   *
   * @param file the file, tensors of shape (1, L, d) named by {@link #key}
   */
  public PrecomputedHiddenStates(SafetensorsFile file) {
    this.file = requireNonNull(file, "file");
  }

  /**
   * Returns the tensor name for an image and instruction.
   *
   * @param image the image
   * @param instruction the instruction (the empty string for image-only features)
   * @return 64 lowercase hex digits
   */
  public static String key(RgbImage image, String instruction) {
    Hasher h = Hashing.sha256().newHasher();
    h.putInt(image.width()).putInt(image.height()).putBytes(image.copyRgb());
    h.putString(instruction, StandardCharsets.UTF_8);
    return h.hash().toString();
  }

  @Override
  public NDArray hiddenStates(RgbImage image, String instruction, NDManager manager) {
    String key = key(image, instruction);
    if (!file.tensors().containsKey(key)) {
      throw new GpteditException(
          file.path() + ": no precomputed hidden states for key " + key + " (instruction '" + instruction + "')");
    }
    return file.load(manager, key);
  }

  @Override
  public NDArray features(RgbImage image, NDManager manager) {
    return hiddenStates(image, "", manager);
  }
}
