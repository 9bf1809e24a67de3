package io.gptedit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.gptedit.core.image.ImageCodec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PadCropDemoTest {
  @TempDir Path tmp;

  @Test
  void padcropCommandPrintsAcceptedMetadataAndWritesTheImages() {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
      code = new CommandLine(new GpteditCli())
          .execute("padcrop", "--width", "333", "--height", "1000", "--out", tmp.toString());
    } finally {
      System.setOut(old);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    assertThat(code).isZero();
    assertThat(out).contains("preset 2:3").contains("\"crop_box\"").contains("\"accepted\" : true");
    assertThat(ImageCodec.read(tmp.resolve("cropped.png")).width()).isEqualTo(333);
    assertThat(ImageCodec.read(tmp.resolve("generated.png")).height()).isEqualTo(1536);
  }
}
