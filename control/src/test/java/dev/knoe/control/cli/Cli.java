package dev.knoe.control.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs {@code knoe} in-process with captured streams, a chosen environment and fake time. */
final class Cli {

  static final String ADMIN_KEY = "admin-secret";

  /** One run: exit code, stdout and stderr. */
  record Run(int code, String out, String err) {

    List<String> errLines() {
      return err.isEmpty() ? List.of() : List.of(err.split("\n"));
    }

    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  final Map<String, String> env = new HashMap<>();
  final FakeTime time = new FakeTime();
  final Path home;
  boolean interactive;

  Cli(Path home) {
    this.home = home;
  }

  /** Points the CLI at {@code api} through KNOE_URL and KNOE_ADMIN_KEY. */
  static Cli against(FakeApi api, Path home) {
    var cli = new Cli(home);
    cli.env.put("KNOE_URL", api.url());
    cli.env.put("KNOE_ADMIN_KEY", ADMIN_KEY);
    return cli;
  }

  Run run(String... args) {
    var out = new StringWriter();
    var err = new StringWriter();
    int code = KnoeCommand.commandLine(context(out, err)).execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  CliContext context(StringWriter out, StringWriter err) {
    return new CliContext(
        Map.copyOf(env),
        home,
        new PrintWriter(out, true),
        new PrintWriter(err, true),
        time,
        time,
        interactive);
  }
}
