package io.gptedit.models.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsShardsTest {
  @TempDir Path dir;

  @Test
  void indexOpensEveryShardAndChecksTheWeightMap() throws Exception {
    new SafetensorsWriter().addFloats("a", DType.F32, new long[] {1}, new float[] {1}).write(dir.resolve("s1.safetensors"));
    new SafetensorsWriter().addFloats("b", DType.F32, new long[] {1}, new float[] {2}).write(dir.resolve("s2.safetensors"));
    Path index = dir.resolve("model.safetensors.index.json");
    Files.writeString(index, "{\"metadata\":{},\"weight_map\":{\"a\":\"s1.safetensors\",\"b\":\"s2.safetensors\"}}");
    try (SafetensorsShards shards = SafetensorsShards.open(index)) {
      assertThat(shards.files()).hasSize(2);
      assertThat(shards.files().get(1).readFloats("b")).containsExactly(2f);
    }
    Files.writeString(index, "{\"weight_map\":{\"a\":\"s2.safetensors\"}}");
    assertThatThrownBy(() -> SafetensorsShards.open(index))
        .isInstanceOf(SafetensorsException.class)
        .hasMessageContaining("'a' is mapped to s2.safetensors");
    Files.writeString(index, "{\"weight_map\":{\"a\":\"../s1.safetensors\"}}");
    assertThatThrownBy(() -> SafetensorsShards.open(index))
        .isInstanceOf(SafetensorsException.class)
        .hasMessageContaining("outside");
    try (SafetensorsShards single = SafetensorsShards.open(dir.resolve("s1.safetensors"))) {
      assertThat(single.files()).hasSize(1);
    }
  }

  @Test
  void indexListingATensorTwiceIsRefusedLikeADuplicateHeaderKey() throws Exception {
    new SafetensorsWriter().addFloats("a", DType.F32, new long[] {1}, new float[] {1}).write(dir.resolve("s1.safetensors"));
    Path index = dir.resolve("model.safetensors.index.json");
    Files.writeString(index, "{\"weight_map\":{\"a\":\"s1.safetensors\",\"a\":\"s1.safetensors\"}}");
    assertThatThrownBy(() -> SafetensorsShards.open(index))
        .isInstanceOf(SafetensorsException.class)
        .hasMessageContaining(index.toString())
        .hasMessageContaining("Duplicate field 'a'");
  }

  @Test
  void shardHoldingATensorTheIndexDoesNotListIsRefused() throws Exception {
    new SafetensorsWriter()
        .addFloats("a", DType.F32, new long[] {1}, new float[] {1})
        .addFloats("stray", DType.F32, new long[] {1}, new float[] {3})
        .write(dir.resolve("s1.safetensors"));
    new SafetensorsWriter()
        .addFloats("b", DType.F32, new long[] {1}, new float[] {2})
        .addFloats("a", DType.F32, new long[] {1}, new float[] {9})
        .write(dir.resolve("s2.safetensors"));
    Path index = dir.resolve("model.safetensors.index.json");
    Files.writeString(index, "{\"weight_map\":{\"a\":\"s1.safetensors\",\"b\":\"s2.safetensors\","
        + "\"stray\":\"s1.safetensors\"}}");
    assertThatThrownBy(() -> SafetensorsShards.open(index))
        .isInstanceOf(SafetensorsException.class)
        .hasMessageContaining("shard s2.safetensors holds tensor 'a', which the weight_map maps to s1.safetensors");
    Files.writeString(index, "{\"weight_map\":{\"a\":\"s1.safetensors\",\"b\":\"s2.safetensors\"}}");
    new SafetensorsWriter().addFloats("b", DType.F32, new long[] {1}, new float[] {2}).write(dir.resolve("s2.safetensors"));
    assertThatThrownBy(() -> SafetensorsShards.open(index))
        .isInstanceOf(SafetensorsException.class)
        .hasMessageContaining("shard s1.safetensors holds tensor 'stray', which the weight_map does not list");
  }
}
