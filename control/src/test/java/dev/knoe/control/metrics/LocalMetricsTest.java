package dev.knoe.control.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.control.router.Pool;
import dev.knoe.control.router.Target;
import dev.knoe.control.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The local ring as a timeline: a fake clock moved by hand, real pools, the router's calls. */
class LocalMetricsTest {

  /** 2024-12-04T22:06:40Z: a whole second, so {@code T + n s} is second {@code T0 + n}. */
  static final long T0 = 1_733_350_000L;

  static final long MS = 1_000_000L;

  final FakeClock clock = new FakeClock(Instant.ofEpochSecond(T0));
  final LocalMetrics metrics = new LocalMetrics(clock);
  final Pool pool = new Pool();

  LocalMetricsTest() {
    metrics.routed("ep", "blue", pool);
  }

  void at(long second) {
    clock.advance(Duration.between(clock.instant(), Instant.ofEpochSecond(T0 + second)));
  }

  DeploymentSeries read(long window, long step) {
    return read(window, step, "blue");
  }

  DeploymentSeries read(long window, long step, String deployment) {
    return metrics
        .read(new Query("ep", List.of(deployment), window, step))
        .deployments()
        .get(deployment);
  }

  static double sum(List<Double> l) {
    return l.stream().mapToDouble(d -> d == null ? 0 : d).sum();
  }

  @Test
  void aSecondCountsItsRequestsAndStatusClassesOnceItIsOver() {
    for (int status : new int[] {200, 200, 200, 404, 429, 503}) {
      metrics.served("ep", "blue", status, 2 * MS);
    }

    DeploymentSeries during = read(5, 1);
    at(1);
    Figures after = metrics.read(new Query("ep", List.of("blue"), 5, 1));

    assertEquals(0.0, sum(during.requestsPerSecond()), "the current second is left out");
    assertEquals(
        List.of(T0 - 4, T0 - 3, T0 - 2, T0 - 1, T0),
        after.timestamps(),
        "step starts, oldest first");
    DeploymentSeries blue = after.deployments().get("blue");
    assertEquals(List.of(0.0, 0.0, 0.0, 0.0, 6.0), blue.requestsPerSecond());
    assertEquals(List.of(0.0, 0.0, 0.0, 0.0, 2.0), blue.errors4xxPerSecond());
    assertEquals(List.of(0.0, 0.0, 0.0, 0.0, 1.0), blue.errors5xxPerSecond());
    assertNull(blue.latencyP50Ms().get(0), "no request, no latency");
    assertEquals("local", after.source());
    assertNull(after.message());
  }

  @Test
  void stepsAddTheirSecondsAndGiveRatesPerSecond() {
    // 0:00 to 2:59, one request a second; read at 3:00 in steps of a minute over 5 minutes.
    for (int s = 0; s < 180; s++) {
      at(s);
      metrics.served("ep", "blue", s % 60 == 0 ? 500 : 200, MS);
    }
    at(180);

    DeploymentSeries blue = read(300, 60);

    assertEquals(List.of(0.0, 0.0, 1.0, 1.0, 1.0), blue.requestsPerSecond());
    assertEquals(List.of(0.0, 0.0, 0.017, 0.017, 0.017), blue.errors5xxPerSecond(), "1 in 60 s");
  }

  @Test
  void percentilesOfAWindowMergeItsSecondsToBucketPrecision() {
    // 90 requests of 1 ms and 10 of 100 ms, spread over 10 seconds (9 + 1 each second).
    for (int s = 0; s < 10; s++) {
      at(s);
      for (int i = 0; i < 9; i++) {
        metrics.served("ep", "blue", 200, MS);
      }
      metrics.served("ep", "blue", 200, 100 * MS);
    }
    at(10);

    DeploymentSeries blue = read(10, 10);

    // 1 ms is in the bucket (0.80, 1.13] ms; 100 ms in (72.4, 102.4] ms.
    double p50 = blue.latencyP50Ms().get(0);
    double p99 = blue.latencyP99Ms().get(0);
    assertTrue(p50 > 0.8 && p50 <= 1.132, "p50 " + p50);
    assertTrue(p99 > 72.4 && p99 <= 102.4, "p99 " + p99);
    // Each second alone: 9 of 10 at 1 ms, so its p99 (rank 9.9) is the slow one too.
    DeploymentSeries perSecond = read(10, 1);
    assertTrue(perSecond.latencyP99Ms().get(3) > 72.4);
    assertTrue(perSecond.latencyP50Ms().get(3) <= 1.132);
  }

  @Test
  void fifteenMinutesAreKeptAndTheSixteenthPushesTheFirstOut() {
    metrics.served("ep", "blue", 200, MS); // at 0:00
    at(899);
    metrics.served("ep", "blue", 200, MS); // at 14:59

    at(900);
    assertEquals(2.0, sum(read(900, 1).requestsPerSecond()), "0:00 to 14:59 are the window");
    at(901);
    assertEquals(1.0, sum(read(900, 1).requestsPerSecond()), "0:00 is out of it");
    at(900 + 1);
    metrics.served("ep", "blue", 200, MS); // at 15:01, 0:01's slot
    at(902);
    assertEquals(2.0, sum(read(900, 1).requestsPerSecond()), "14:59 and 15:01");
  }

  @Test
  void aSlotComingRoundAgainForgetsItsOldSecond() {
    for (int i = 0; i < 5; i++) {
      metrics.served("ep", "blue", 503, MS); // at 0:00
    }
    at(900); // the same slot, 15 minutes later
    metrics.served("ep", "blue", 200, MS);
    at(901);

    DeploymentSeries last = read(1, 1);

    assertEquals(List.of(1.0), last.requestsPerSecond());
    assertEquals(List.of(0.0), last.errors5xxPerSecond(), "0:00's 503s are not 15:00's");
  }

  @Test
  void gaugesAreTheLastSampleOfAStepAndColdStartsTheirIncrease() {
    pool.wanted(2);
    pool.await(t -> {}); // a request finds no instance: one cold start
    metrics.sampleGauges(); // at 0:00: 0 ready, 2 wanted, 1 cold start
    at(1);
    pool.update(List.of(new Target("i-1", "127.0.0.1", 1), new Target("i-2", "127.0.0.1", 2)));
    metrics.sampleGauges(); // at 0:01: 2 ready, no new cold start
    at(3); // nothing sampled at 0:02
    metrics.sampleGauges();
    at(4);

    DeploymentSeries perSecond = read(4, 1);
    DeploymentSeries whole = read(4, 4);

    assertEquals(Arrays.asList(0L, 2L, null, 2L), perSecond.instancesReady());
    assertEquals(Arrays.asList(2L, 2L, null, 2L), perSecond.instancesWanted());
    assertEquals(
        Arrays.asList(1L, 0L, null, 0L),
        perSecond.requestsHeld(),
        "held while no instance is ready; sent on once they are");
    assertEquals(Arrays.asList(1L, 0L, null, 0L), perSecond.coldStarts());
    assertEquals(List.of(2L), whole.instancesReady(), "the last sample of the step");
    assertEquals(List.of(1L), whole.coldStarts(), "the cold starts within the step");
  }

  @Test
  void coldStartsBeforeTheRingAreNotCounted() {
    Pool old = new Pool();
    old.await(t -> {});
    metrics.routed("ep", "green", old);
    metrics.sampleGauges();
    at(1);

    assertEquals(List.of(0L), read(1, 1, "green").coldStarts());
  }

  @Test
  void aDeploymentLeavingTheRoutesTakesItsSeriesAlong() {
    metrics.served("ep", "blue", 200, MS);
    metrics.routed("ep", "blue", null);
    metrics.served("ep", "blue", 200, MS); // an answer arriving after it left
    at(1);

    assertFalse(metrics.tracks("ep", "blue"));
    assertEquals(0.0, sum(read(60, 1).requestsPerSecond()), "dropped");
    metrics.routed("ep", "blue", new Pool());
    assertEquals(0.0, sum(read(60, 1).requestsPerSecond()), "a new life starts empty");
  }

  @Test
  void anotherPoolForTheSameDeploymentKeepsItsHistory() {
    metrics.served("ep", "blue", 200, MS);
    metrics.routed("ep", "blue", new Pool());
    at(1);

    assertEquals(1.0, sum(read(60, 1).requestsPerSecond()));
  }

  @Test
  void aDeploymentWithoutARingAnswersZerosAndNulls() {
    at(10);

    DeploymentSeries none = read(3, 1, "green");

    assertEquals(List.of(0.0, 0.0, 0.0), none.requestsPerSecond());
    assertEquals(Arrays.asList(null, null, null), none.latencyP99Ms());
    assertEquals(Arrays.asList(null, null, null), none.instancesReady());
  }

  @Test
  void aWindowIsAWholeNumberOfSteps() {
    Query q = new Query("ep", List.of("blue"), 900, 7);

    assertEquals(128, q.steps());
    assertEquals(896, q.windowSeconds());
    assertEquals(128, metrics.read(q).timestamps().size());
  }
}
