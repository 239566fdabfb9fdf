package dev.knoe.control.cli;

import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the CLI reads from or writes to the outside world, so that commands never call {@code
 * System.getenv}, the clock or {@code Thread.sleep} themselves and tests can supply each.
 *
 * @param env environment variables ({@code KNOE_URL}, {@code KNOE_ADMIN_KEY}, {@code KNOE_CONFIG},
 *     {@code KNOE_DEBUG})
 * @param home the user's home folder, where {@code .knoe/config.json} lives by default
 * @param out data: the resources, credentials, logs and scoring answers a script consumes
 * @param err progress, warnings and errors, for people
 * @param clock read for elapsed times and timeouts
 * @param sleeper waits between polls
 * @param interactive whether stderr is a terminal, where progress rewrites one line with {@code
 *     \r}; otherwise each progress line is printed on its own line, only when it changes
 */
record CliContext(
    Map<String, String> env,
    Path home,
    PrintWriter out,
    PrintWriter err,
    Clock clock,
    Sleeper sleeper,
    boolean interactive) {

  /** Waits for a while; {@link Thread#sleep} in production, a clock advance in tests. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  /** The real process: environment, home, standard streams, UTC clock and {@link Thread#sleep}. */
  static CliContext system() {
    return new CliContext(
        System.getenv(),
        Path.of(System.getProperty("user.home")),
        new PrintWriter(System.out, true, StandardCharsets.UTF_8),
        new PrintWriter(System.err, true, StandardCharsets.UTF_8),
        Clock.systemUTC(),
        d -> Thread.sleep(d.toMillis()),
        isTerminal());
  }

  /** Prints {@code text} (a scoring answer, logs) on stdout; if not empty, it ends in a newline. */
  void printText(String text) {
    out.print(text.isEmpty() || text.endsWith("\n") ? text : text + "\n");
    out.flush();
  }

  /** {@code KNOE_DEBUG=1}: stack traces with errors. */
  boolean debug() {
    String d = env.get("KNOE_DEBUG");
    return d != null && !d.isBlank() && !d.equals("0") && !d.equalsIgnoreCase("false");
  }

  /**
   * Whether the process runs in a terminal. Before JDK 22 {@code System.console()} is null when a
   * stream is redirected; from JDK 22 it always exists and {@code Console.isTerminal()} (absent
   * from the Java 17 API this module compiles against) tells.
   */
  private static boolean isTerminal() {
    var console = System.console();
    if (console == null) {
      return false;
    }
    try {
      Method isTerminal = console.getClass().getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(console);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return true;
    }
  }
}
