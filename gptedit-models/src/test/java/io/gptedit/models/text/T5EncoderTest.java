package io.gptedit.models.text;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gptedit.models.safetensors.SafetensorsFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class T5EncoderTest {
  static Path fixture(String name) throws Exception {
    return Path.of(T5EncoderTest.class.getResource("/io/gptedit/models/fixtures/" + name).toURI());
  }

  @Test
  void relativeBucketsMatchTheReferenceFromMinus300To300() throws Exception {
    try (SafetensorsFile io = SafetensorsFile.open(fixture("t5_tiny_io.safetensors"));
        NDManager m = NDManager.newBaseManager()) {
      long[] rel = io.load(m, "relative").toLongArray();
      long[] expected = io.load(m, "buckets").toLongArray();
      for (int i = 0; i < rel.length; i++) {
        assertThat(T5Encoder.relativeBucket((int) rel[i], 32, 128)).as("relative %d", rel[i]).isEqualTo(expected[i]);
      }
    }
    // By hand: 0 -> 0, -3 -> 3, +3 -> 16 + 3, far right -> last bucket 31.
    assertThat(T5Encoder.relativeBucket(0, 32, 128)).isZero();
    assertThat(T5Encoder.relativeBucket(-3, 32, 128)).isEqualTo(3);
    assertThat(T5Encoder.relativeBucket(3, 32, 128)).isEqualTo(19);
    assertThat(T5Encoder.relativeBucket(1000, 32, 128)).isEqualTo(31);
  }

  @Test
  void tinyT5ReproducesPytorchReferenceWithin1e4() throws Exception {
    try (SafetensorsFile w = SafetensorsFile.open(fixture("t5_tiny_weights.safetensors"));
        SafetensorsFile io = SafetensorsFile.open(fixture("t5_tiny_io.safetensors"));
        T5Encoder t5 = T5Encoder.load(T5Config.tiny(), List.of(w));
        NDManager m = NDManager.newBaseManager()) {
      t5.parameters().freeze();
      int[] ids = new ByteTokenizer().encode("make the sky pink", 512);
      long[] ref = io.load(m, "ids").toLongArray();
      assertThat(ids).hasSize(ref.length);
      for (int i = 0; i < ids.length; i++) {
        assertThat((long) ids[i]).isEqualTo(ref[i]);
      }
      NDArray out = t5.encode(new int[][] {ids}, m);
      assertThat(out.getShape()).isEqualTo(new Shape(1, ids.length, 32));
      float[] a = out.toFloatArray();
      float[] e = io.readFloats("output");
      double max = 0;
      for (int i = 0; i < a.length; i++) {
        max = Math.max(max, Math.abs(a[i] - e[i]));
      }
      assertThat(max).isLessThan(1e-4);
    }
  }

  @Test
  void byteTokenizerTruncatesAndEndsWithEos() {
    assertThat(new ByteTokenizer().encode("abc", 3)).containsExactly('a' + 3, 'b' + 3, ByteTokenizer.EOS);
    assertThat(new ByteTokenizer().encode("", 3)).containsExactly(ByteTokenizer.EOS);
  }

  /** T5 from its folder against transformers' T5EncoderModel (tools/make_text_fixtures.py), unmasked and masked. */
  private static double[] transformersErrors(ai.djl.ndarray.types.DataType storage) throws Exception {
    try (SafetensorsFile io = SafetensorsFile.open(TextFixtures.path("t5_io.safetensors"));
        T5Encoder t5 = T5Encoder.fromFolder(TextFixtures.path("text_encoder_t5"), storage);
        NDManager m = NDManager.newBaseManager()) {
      assertThat(t5.parameters().get("shared.weight").getDataType()).isEqualTo(storage);
      long[] shape = io.info("ids").shape();
      long[] flatIds = io.load(m, "ids").toLongArray();
      long[] flatMask = io.load(m, "mask").toLongArray();
      int[][] ids = new int[(int) shape[0]][(int) shape[1]];
      int[][] mask = new int[(int) shape[0]][(int) shape[1]];
      for (int b = 0; b < ids.length; b++) {
        for (int i = 0; i < ids[b].length; i++) {
          ids[b][i] = (int) flatIds[b * ids[b].length + i];
          mask[b][i] = (int) flatMask[b * ids[b].length + i];
        }
      }
      float[] plain = t5.encode(ids, m).toFloatArray();
      float[] masked = t5.encode(ids, mask, m).toFloatArray();
      assertThat(TextFixtures.maxAbsDiff(plain, masked)).as("the mask changes the states").isGreaterThan(1e-3);
      return new double[] {
        TextFixtures.maxAbsDiff(plain, io.readFloats("output")),
        TextFixtures.maxAbsDiff(masked, io.readFloats("output_masked"))
      };
    }
  }

  @Test
  void t5FromItsTransformersFolderMatchesT5EncoderModelWithAndWithoutTheAttentionMaskWithin1e4() throws Exception {
    assertThat(transformersErrors(ai.djl.ndarray.types.DataType.FLOAT32)).containsExactly(new double[] {0, 0}, org.assertj.core.data.Offset.offset(1e-4));
  }

  @Test
  void t5StoredAsFloat16ComputesTheSameStatesWithin1e4() throws Exception {
    assertThat(transformersErrors(ai.djl.ndarray.types.DataType.FLOAT16)).containsExactly(new double[] {0, 0}, org.assertj.core.data.Offset.offset(1e-4));
  }
}
