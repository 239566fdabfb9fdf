package dev.knoe.control.cli;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that moves only when the CLI sleeps, so waits and timeouts take no real time. */
final class FakeTime extends Clock implements CliContext.Sleeper {

  private Instant now = Instant.parse("2025-01-01T00:00:00Z");
  private int sleeps;

  @Override
  public synchronized void sleep(Duration duration) {
    now = now.plus(duration);
    sleeps++;
  }

  synchronized int sleeps() {
    return sleeps;
  }

  @Override
  public synchronized Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException();
  }
}
