package dev.knoe.control.runtime.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.knoe.control.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BackoffTest {

  private static final Backoff B = Backoff.DEFAULT;
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  record Delay(String name, int crashes, Duration expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Delay> delays() {
    return Stream.of(
        new Delay("first crash: 1 s", 1, Duration.ofSeconds(1)),
        new Delay("second: 2 s", 2, Duration.ofSeconds(2)),
        new Delay("third: 4 s", 3, Duration.ofSeconds(4)),
        new Delay("sixth: 32 s", 6, Duration.ofSeconds(32)),
        new Delay("seventh: 64 s capped at 60 s", 7, Duration.ofSeconds(60)),
        new Delay("thousandth: still 60 s, no overflow", 1000, Duration.ofSeconds(60)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("delays")
  void delayDoublesUpToTheCap(Delay c) {
    assertEquals(c.expected(), B.delay(c.crashes()));
  }

  /** A crash loop on a timeline: the count grows while the instance never stays ready 60 s. */
  @Test
  void timeline() {
    FakeClock clock = new FakeClock(T0);
    // Crashes while starting: readySince is null.
    int crashes = B.crashesAfter(0, null, clock.instant());
    assertEquals(1, crashes);
    assertEquals(Duration.ofSeconds(1), B.delay(crashes));
    clock.advance(Duration.ofSeconds(3));
    crashes = B.crashesAfter(crashes, null, clock.instant());
    assertEquals(Duration.ofSeconds(2), B.delay(crashes));

    // Ready at t, crashes 59 s later: not stable yet, the count goes on.
    Instant readySince = clock.instant();
    clock.advance(Duration.ofSeconds(59));
    crashes = B.crashesAfter(crashes, readySince, clock.instant());
    assertEquals(3, crashes);
    assertEquals(Duration.ofSeconds(4), B.delay(crashes));

    // Ready again, this time for 60 s: the next crash is a first crash again.
    readySince = clock.instant();
    clock.advance(Duration.ofSeconds(60));
    crashes = B.crashesAfter(crashes, readySince, clock.instant());
    assertEquals(1, crashes);
    assertEquals(Duration.ofSeconds(1), B.delay(crashes));
  }

  @Test
  void rejectsNonsense() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ZERO));
    assertEquals("max = PT1S, must be at least initial = PT2S", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> B.delay(0));
  }
}
