package io.gptedit.models.mllm;

import io.gptedit.core.image.RgbImage;
import io.gptedit.models.safetensors.SafetensorsFile;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** The fixtures of tools/make_mllm_fixtures.py (transformers, Pillow and tokenizers outputs). */
final class MllmFixtures {
  private MllmFixtures() {}

  static Path path(String name) {
    try {
      return Path.of(MllmFixtures.class.getResource("/io/gptedit/models/fixtures/mllm/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing fixture " + name + " (run tools/make_mllm_fixtures.py)", e);
    }
  }

  /** A uint8 (H, W, 3) tensor as bytes. */
  static byte[] bytes(SafetensorsFile f, String name) {
    ByteBuffer b = f.rawBytes(name);
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  /** A uint8 (H, W, 3) tensor as an image. */
  static RgbImage image(SafetensorsFile f, String name) {
    long[] s = f.info(name).shape();
    return RgbImage.of((int) s[1], (int) s[0], bytes(f, name));
  }

  /** An integer tensor (I64) as longs. */
  static long[] longs(SafetensorsFile f, String name) {
    ByteBuffer b = f.rawBytes(name);
    long[] out = new long[b.remaining() / 8];
    b.asLongBuffer().get(out);
    return out;
  }

  static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
