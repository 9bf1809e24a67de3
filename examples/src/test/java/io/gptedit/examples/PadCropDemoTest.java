package io.gptedit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.core.image.ImageCodec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PadCropDemoTest {
  @TempDir Path tmp;

  @Test
  void padcropCommandPrintsAcceptedMetadataAndWritesTheImages() {
    String out = Cli.run("padcrop", "--width", "333", "--height", "1000", "--output", tmp.toString());
    assertThat(out).contains("preset 2:3").contains("\"crop_box\"").contains("\"accepted\" : true");
    assertThat(ImageCodec.read(tmp.resolve("cropped.png")).width()).isEqualTo(333);
    assertThat(ImageCodec.read(tmp.resolve("generated.png")).height()).isEqualTo(1536);
  }
}
