package dev.knoe.control.runtime.local;

import java.time.Duration;
import java.time.Instant;

/**
 * Restart delays of a crashing instance: {@code initial} after the first crash, doubled after each
 * further crash in a row, at most {@code max}; the count starts over once the instance had been
 * ready for {@code resetAfter} before it crashed. E.g. the default: 1 s, 2 s, 4 s, ... 32 s, 60 s,
 * 60 s.
 */
public record Backoff(Duration initial, Duration max, Duration resetAfter) {

  public static final Backoff DEFAULT =
      new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(60));

  public Backoff {
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("initial = " + initial + ", must be positive");
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "max = " + max + ", must be at least initial = " + initial);
    }
    if (resetAfter.isNegative()) {
      throw new IllegalArgumentException("resetAfter = " + resetAfter + ", must be at least 0");
    }
  }

  /** Delay before restarting after the {@code crashes}-th crash in a row (1 = the first). */
  public Duration delay(int crashes) {
    if (crashes < 1) {
      throw new IllegalArgumentException("crashes = " + crashes + ", must be at least 1");
    }
    // 2^30 x any initial delay is past any sensible max; capping the shift avoids overflow.
    Duration d = initial.multipliedBy(1L << Math.min(crashes - 1, 30));
    return d.compareTo(max) > 0 ? max : d;
  }

  /**
   * Crashes in a row, counting one at {@code now}, after {@code previous} ones; {@code readySince}
   * is when the instance last became ready, null if it was not ready when it crashed.
   */
  public int crashesAfter(int previous, Instant readySince, Instant now) {
    boolean wasStable = readySince != null && !readySince.plus(resetAfter).isAfter(now);
    return (wasStable ? 0 : previous) + 1;
  }
}
