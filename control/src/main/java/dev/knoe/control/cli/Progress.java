package dev.knoe.control.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * One progress line on stderr. In a terminal it is rewritten in place ({@code \r}) at every update;
 * otherwise (a log file, CI) a line is printed only when its {@code key} changes or every {@link
 * #HEARTBEAT}, so a ten-minute wait polled twice a second gives a few lines, not 1200.
 */
final class Progress {

  static final Duration HEARTBEAT = Duration.ofSeconds(5);

  private final PrintWriter err;
  private final boolean interactive;
  private final Clock clock;
  private String lastKey;
  private Instant lastPrinted;
  private int lastLength;

  Progress(CliContext ctx) {
    this.err = ctx.err();
    this.interactive = ctx.interactive();
    this.clock = ctx.clock();
  }

  /**
   * @param key what a change is: the line without its elapsed time or byte count
   * @param line the text to show
   */
  synchronized void show(String key, String line) {
    Instant now = clock.instant();
    if (interactive) {
      err.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
      err.flush();
      lastLength = line.length();
    } else if (!key.equals(lastKey) || !now.isBefore(lastPrinted.plus(HEARTBEAT))) {
      err.println(line);
      err.flush();
      lastPrinted = now;
    }
    lastKey = key;
  }

  /** Ends the line in a terminal, so what follows starts on a fresh one. */
  synchronized void done() {
    if (interactive && lastKey != null) {
      err.println();
      err.flush();
    }
    lastKey = null;
    lastLength = 0;
  }
}
