package dev.knoe.control.cli;

import dev.knoe.control.spec.SpecException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code knoe}: the command tree, and how a run ends. Exit codes: 0 done, 1 the operation failed
 * (the server refused it, a deployment failed or timed out, the server is unreachable, a file is
 * invalid), 2 the command line is wrong. Errors are one line on stderr, {@code knoe: error: ...};
 * {@code KNOE_DEBUG=1} adds the stack trace.
 */
@Command(
    name = "knoe",
    mixinStandardHelpOptions = true,
    versionProvider = KnoeCommand.Version.class,
    description =
        "Managed online endpoints for ONNX models, with the Azure ML CLI's commands and YAML.",
    subcommands = {
      EndpointCommands.class,
      DeploymentCommands.class,
      ModelCommands.class,
      ServeCommand.class,
      RenderCommand.class
    })
final class KnoeCommand implements Callable<Integer> {

  private final CliContext context;

  @Spec CommandSpec spec;

  KnoeCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    throw missingSubcommand(spec);
  }

  /** Runs one command line and returns its exit code. */
  static int run(CliContext context, String... args) {
    return commandLine(context).execute(args);
  }

  /** The command tree wired to {@code context}: its streams, and the error handling above. */
  static CommandLine commandLine(CliContext context) {
    var cmd = new CommandLine(new KnoeCommand(context));
    cmd.setOut(context.out());
    cmd.setErr(context.err());
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    cmd.setParameterExceptionHandler((e, args) -> usageError(context, e));
    cmd.setExecutionExceptionHandler((e, c, parsed) -> executionError(context, e, c));
    return cmd;
  }

  /** The context of the run a command belongs to. */
  static CliContext context(CommandSpec spec) {
    return ((KnoeCommand) spec.root().userObject()).context;
  }

  /** {@code knoe online-endpoint} alone: a usage error listing the subcommands. */
  static ParameterException missingSubcommand(CommandSpec spec) {
    return new ParameterException(
        spec.commandLine(),
        "'"
            + spec.qualifiedName()
            + "' needs a command: "
            + String.join(", ", spec.subcommands().keySet()));
  }

  private static int usageError(CliContext ctx, ParameterException e) {
    String message = e.getMessage();
    if (e instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
      message += "; did you mean " + String.join(" or ", u.getSuggestions()) + "?";
    }
    if (ctx.debug()) {
      e.printStackTrace(ctx.err());
    }
    error(
        ctx.err(),
        message + " (see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
    return CliException.USAGE;
  }

  private static int executionError(CliContext ctx, Exception e, CommandLine c) {
    if (ctx.debug()) {
      e.printStackTrace(ctx.err());
    }
    if (e instanceof CliException cli) {
      error(ctx.err(), cli.getMessage());
      return cli.exitCode();
    }
    if (e instanceof ParameterException p) {
      return usageError(ctx, p);
    }
    if (e instanceof SpecException) {
      error(ctx.err(), e.getMessage());
      return CliException.FAILED;
    }
    error(ctx.err(), "unexpected failure: " + e + " (KNOE_DEBUG=1 shows where)");
    return CliException.FAILED;
  }

  static void error(PrintWriter err, String message) {
    err.println("knoe: error: " + ControlApi.oneLine(message));
    err.flush();
  }

  static void warning(PrintWriter err, String message) {
    err.println("knoe: warning: " + ControlApi.oneLine(message));
    err.flush();
  }

  /** The module's version from the jar's manifest. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = KnoeCommand.class.getPackage().getImplementationVersion();
      return new String[] {"knoe " + (v == null ? "(development build)" : v)};
    }
  }
}
