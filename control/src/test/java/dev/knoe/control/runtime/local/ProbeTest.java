package dev.knoe.control.runtime.local;

import static dev.knoe.control.runtime.local.Instance.State.READY;
import static dev.knoe.control.runtime.local.Instance.State.STARTING;
import static dev.knoe.control.runtime.local.Instance.State.UNHEALTHY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.knoe.control.runtime.local.Instance.State;
import dev.knoe.control.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ProbeTest {

  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static final Duration STARTUP = Duration.ofMillis(200);

  /** Azure's default probe: first at 10 s, then every 200 ms until it passes, then every 10 s. */
  @Test
  void schedule() {
    Probe p = Probe.AZURE_DEFAULT;
    FakeClock clock = new FakeClock(T0);
    Instant first = p.first(clock.instant());
    assertEquals(T0.plusSeconds(10), first);
    assertEquals(first.plusMillis(200), p.next(first, false, STARTUP));
    assertEquals(first.plusSeconds(10), p.next(first, true, STARTUP));
    // A startup interval longer than the period never slows probing down.
    Probe fast = new Probe(0, 1, 1, 1, 3);
    assertEquals(T0.plusSeconds(1), fast.next(T0, false, Duration.ofSeconds(5)));
  }

  /** success_threshold 2, failure_threshold 3, one probe result per step. */
  @Test
  void readinessTimeline() {
    Probe p = new Probe(0, 1, 1, 2, 3);
    ProbeCounter c = ProbeCounter.NONE;
    State s = STARTING;
    boolean[] results = {
      false, false, false, false, true, true, true, false, false, true, false, false, false, true,
      true
    };
    State[] expected = {
      STARTING, STARTING, STARTING, STARTING, STARTING, READY, READY, READY, READY, READY, READY,
      READY, UNHEALTHY, UNHEALTHY, READY
    };
    for (int i = 0; i < results.length; i++) {
      c = c.record(results[i]);
      s = c.readiness(s, p);
      assertEquals(expected[i], s, "after probe " + i);
    }
  }

  @Test
  void livenessCountsFailuresInARow() {
    Probe p = new Probe(0, 1, 1, 1, 2);
    ProbeCounter c = ProbeCounter.NONE.record(false).record(true).record(false);
    assertEquals(false, c.failed(p));
    assertEquals(true, c.record(false).failed(p));
  }

  @Test
  void validation() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Probe(0, 0, 1, 1, 1));
    assertEquals("period = 0, must be at least 1", e.getMessage());
  }
}
