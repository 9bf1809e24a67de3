package io.gptedit.data.synthetic;

import com.google.common.hash.HashCode;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import io.gptedit.core.image.RgbImage;
import java.nio.ByteBuffer;

/** A 128-bit content hash of an image's size and pixels; how the stand-in services recognise a scene. */
record Fingerprint(long high, long low) {
  static Fingerprint of(RgbImage image) {
    Hasher h = Hashing.murmur3_128().newHasher();
    h.putInt(image.width()).putInt(image.height());
    ByteBuffer b = image.buffer();
    h.putBytes(b);
    HashCode code = h.hash();
    ByteBuffer bytes = ByteBuffer.wrap(code.asBytes());
    return new Fingerprint(bytes.getLong(), bytes.getLong());
  }
}
