package io.gptedit.data.synthetic;

import com.google.common.hash.HashCode;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import io.gptedit.core.image.RgbImage;
import java.nio.ByteBuffer;

/**
 * A 128-bit content hash (MurmurHash3) of an image's size and pixels: how {@link SyntheticWorld#lookup} recognises
 * a scene it rendered, and a deterministic seed for anything that must depend on an image's exact content.
 *
 * @param high the first 64 bits
 * @param low the last 64 bits
 * @since 0.1
 */
public record Fingerprint(long high, long low) {
  /**
   * Hashes an image.
   *
   * @param image the image
   * @return its fingerprint; equal images (same size, same pixels) have equal fingerprints
   */
  public static Fingerprint of(RgbImage image) {
    Hasher h = Hashing.murmur3_128().newHasher();
    h.putInt(image.width()).putInt(image.height());
    ByteBuffer b = image.buffer();
    h.putBytes(b);
    HashCode code = h.hash();
    ByteBuffer bytes = ByteBuffer.wrap(code.asBytes());
    return new Fingerprint(bytes.getLong(), bytes.getLong());
  }
}
