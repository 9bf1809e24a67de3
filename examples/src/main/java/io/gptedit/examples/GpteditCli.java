package io.gptedit.examples;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code gptedit} command-line tool: {@code java -jar examples/target/gptedit.jar <command>}, or the
 * {@code ./gptedit} wrapper at the repository root.
 *
 * <p>Errors are one line on standard error, {@code gptedit <command>: <what was wrong>}, with exit code 2 for a bad
 * command line and 1 for a failure while running; {@code --verbose} adds the stack trace and DJL's log lines (quiet
 * by default: warnings and errors only). Enum options are case-insensitive, and a wrong value names the choices.
 */
@Command(
    name = "gptedit",
    mixinStandardHelpOptions = true,
    version = "gptedit 0.1.0-SNAPSHOT",
    description = "Instruction-guided image editing on the JVM: datasets, curation, editors, benchmarks.",
    subcommands = {
      PadCropDemo.class,
      CurateCommand.class,
      EstimateCommand.class,
      EvalCommand.class,
      LabCommand.class,
      TrainCommand.class,
      EditCommand.class,
      ExportCommand.class,
      PlanCommand.class,
      CommandLine.HelpCommand.class
    })
public final class GpteditCli implements Runnable {
  /** The flag that turns one-line errors into stack traces and lets DJL's INFO lines through. */
  static final String VERBOSE = "--verbose";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = VERBOSE,
      scope = ScopeType.INHERIT,
      description = "print stack traces on errors and DJL's log lines")
  boolean verbose;

  /**
   * Runs the tool.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    boolean verbose = List.of(args).contains(VERBOSE);
    quietLogging(verbose);
    System.exit(commandLine(verbose).execute(args));
  }

  /**
   * The configured command line: case-insensitive enum values, one-line errors unless {@code verbose}.
   *
   * @param verbose whether errors print their stack trace
   * @return the command line, ready to {@code execute}
   */
  static CommandLine commandLine(boolean verbose) {
    CommandLine cl = new CommandLine(new GpteditCli());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setParameterExceptionHandler(
        (CommandLine.ParameterException e, String[] args) -> {
          CommandLine bad = e.getCommandLine();
          PrintWriter err = bad.getErr();
          err.println(commandName(bad) + ": " + oneLine(e.getMessage()) + " (see '" + commandName(bad) + " --help')");
          err.flush();
          return bad.getCommandSpec().exitCodeOnInvalidInput();
        });
    cl.setExecutionExceptionHandler(
        (Exception e, CommandLine bad, CommandLine.ParseResult parsed) -> {
          PrintWriter err = bad.getErr();
          if (verbose) {
            e.printStackTrace(err);
          } else {
            err.println(commandName(bad) + ": " + describe(e) + " (" + VERBOSE + " for the stack trace)");
          }
          err.flush();
          return bad.getCommandSpec().exitCodeOnExecutionException();
        });
    return cl;
  }

  /**
   * Keeps DJL's INFO lines (engine loading, "Failed to detect GPU count" on a machine without CUDA) out of the
   * output unless {@code verbose}; a level the user set with {@code -Dorg.slf4j.simpleLogger.log.ai.djl} wins.
   */
  static void quietLogging(boolean verbose) {
    String key = "org.slf4j.simpleLogger.log.ai.djl";
    if (!verbose && System.getProperty(key) == null) {
      System.setProperty(key, "error");
    }
  }

  /** {@code gptedit eval} for the eval subcommand. */
  static String commandName(CommandLine cl) {
    return cl.getCommandSpec().qualifiedName();
  }

  /** The exception's message on one line, with its type when the message alone would not say what failed. */
  static String describe(Throwable e) {
    String message = e.getMessage();
    boolean plain =
        e instanceof io.gptedit.core.GpteditException
            || e instanceof IllegalArgumentException
            || e instanceof IllegalStateException;
    if (message == null || message.isBlank()) {
      return e.getClass().getName() + (e.getCause() != null ? ": " + describe(e.getCause()) : "");
    }
    return plain ? oneLine(message) : e.getClass().getSimpleName() + ": " + oneLine(message);
  }

  private static String oneLine(String message) {
    return message.strip().replaceAll("\\s*\\R\\s*", "; ");
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
