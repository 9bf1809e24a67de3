package io.gptedit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Runs the gptedit CLI in-process for tests and returns what it printed on standard output. */
final class Cli {
  private Cli() {}

  static String run(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
      code = new CommandLine(new GpteditCli()).execute(args);
    } finally {
      System.setOut(old);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    assertThat(code).as("exit code of gptedit %s; output:%n%s", String.join(" ", args), out).isZero();
    return out;
  }
}
