package io.gptedit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
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
      code = GpteditCli.commandLine(false).execute(args);
    } finally {
      System.setOut(old);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    assertThat(code).as("exit code of gptedit %s; output:%n%s", String.join(" ", args), out).isZero();
    return out;
  }

  /** What a failing run printed: its exit code, standard output and standard error. */
  record Failure(int code, String out, String err) {}

  /** Runs the CLI as {@code main} does (quiet, one-line errors) and returns what it printed. */
  static Failure fail(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    int code;
    try {
      System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
      CommandLine cl = GpteditCli.commandLine(java.util.List.of(args).contains(GpteditCli.VERBOSE));
      cl.setErr(new PrintWriter(err, true));
      code = cl.execute(args);
    } finally {
      System.setOut(old);
    }
    return new Failure(code, buf.toString(StandardCharsets.UTF_8), err.toString());
  }
}
