package io.gptedit.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code gptedit} command-line tool: {@code java -jar examples/target/gptedit.jar <command>}, or the
 * {@code ./gptedit} wrapper at the repository root.
 */
@Command(
    name = "gptedit",
    mixinStandardHelpOptions = true,
    version = "gptedit 0.1.0-SNAPSHOT",
    description = "Instruction-guided image editing on the JVM: datasets, curation, editors, benchmarks.",
    subcommands = {
      PadCropDemo.class,
      CurateCommand.class,
      EvalCommand.class,
      LabCommand.class,
      TrainCommand.class,
      EditCommand.class,
      ExportCommand.class,
      BenchTrainCommand.class,
      PadCropBenchmark.class,
      CommandLine.HelpCommand.class
    })
public final class GpteditCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /**
   * Runs the tool.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    System.exit(new CommandLine(new GpteditCli()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
