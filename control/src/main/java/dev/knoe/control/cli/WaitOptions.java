package dev.knoe.control.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --no-wait} and {@code --timeout}, on the commands that start long operations. */
final class WaitOptions {

  static final int DEFAULT_TIMEOUT_SECONDS = 600;

  @Option(
      names = "--no-wait",
      description = "Return once the server accepted the request, without waiting for it to end.")
  boolean noWait;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "" + DEFAULT_TIMEOUT_SECONDS,
      description = "How long to wait for the operation to end (default: ${DEFAULT-VALUE} s).")
  int timeoutSeconds;

  Duration timeout() {
    if (timeoutSeconds < 1) {
      throw CliException.usage("--timeout = " + timeoutSeconds + ", must be at least 1 second");
    }
    return Duration.ofSeconds(timeoutSeconds);
  }
}
