package dev.knoe.autoscaler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Timelines replaying the behaviours Knative documents for the KPA (and tests in {@code
 * autoscaler_test.go} / the KPA reconciler's {@code scaler_test.go}). Each case names the behaviour
 * it checks. Times are seconds; the load is the number of requests in flight, reported each second.
 */
class AutoscalerTest {

  /** 32 concurrent requests per instance at 70 %: the target is 22.4 in flight per instance. */
  private static final ScalingPolicy BASE =
      ScalingPolicy.builder().containerConcurrency(32).build();

  sealed interface Step {}

  /** The load reported each second from {@code from} (inclusive) to {@code to} (exclusive). */
  record Load(int from, int to, double inFlight) implements Step {}

  /** A decision at {@code at} with {@code ready} instances ready must want {@code desired}. */
  record Expect(int at, int ready, int desired, boolean panic) implements Step {}

  record Case(String name, ScalingPolicy policy, List<Step> steps) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Load load(int from, int to, double inFlight) {
    return new Load(from, to, inFlight);
  }

  static Expect expect(int at, int ready, int desired) {
    return new Expect(at, ready, desired, false);
  }

  static Expect panic(int at, int ready, int desired) {
    return new Expect(at, ready, desired, true);
  }

  static Stream<Case> cases() {
    ScalingPolicy toZero = BASE.toBuilder().minScale(0).build();
    return Stream.of(
        new Case(
            "stable: 50 in flight at a target of 22.4 per instance wants ceil(50/22.4) = 3",
            BASE,
            List.of(load(0, 60, 50), expect(60, 3, 3))),
        new Case(
            "stable: the target is concurrency x utilization, 100 % utilization wants ceil(50/32) = 2",
            BASE.toBuilder().targetUtilizationPercentage(100).build(),
            List.of(load(0, 60, 50), expect(60, 2, 2))),
        new Case(
            "window: with less history than the window, the average is over the history there is",
            BASE,
            List.of(load(0, 3, 60), expect(3, 3, 3))),
        new Case(
            "window: the stable average covers 60 s, so a load that stopped 30 s ago still counts (half)",
            BASE,
            List.of(load(0, 30, 90), load(30, 60, 0), expect(60, 4, 3))),
        new Case(
            "panic entry: the panic window asks for 200 % of ready capacity (5 for 1 ready) -> panic, scale to 5",
            BASE, List.of(load(0, 60, 10), load(60, 66, 100), panic(66, 1, 5))),
        new Case(
            "no panic below the threshold: the panic window asks for 3 of 2 ready (150 %) -> stable decision",
            BASE, List.of(load(0, 60, 30), load(60, 66, 60), expect(66, 2, 2))),
        new Case(
            "panic never scales down: after the surge the count stays at its panic maximum",
            BASE,
            List.of(
                load(0, 60, 10),
                load(60, 66, 100),
                panic(66, 1, 5),
                panic(68, 5, 5),
                panic(80, 5, 5))),
        new Case(
            "panic exit: a stable window after the last surge, the stable decision applies again",
            BASE,
            List.of(
                load(0, 60, 10),
                load(60, 66, 100),
                load(66, 130, 10),
                panic(66, 1, 5),
                panic(68, 5, 5),
                panic(126, 5, 5),
                expect(127, 5, 2))),
        new Case(
            "panic extends while the panic window stays above 200 % of what is ready",
            BASE,
            List.of(
                load(0, 60, 10),
                load(60, 200, 100),
                panic(66, 1, 5),
                panic(100, 2, 5),
                panic(150, 2, 5))),
        new Case(
            "max scale-up rate: 2 ready at a rate of 2 reach at most 4 in one decision",
            BASE.toBuilder().maxScaleUpRate(2).build(),
            List.of(load(0, 60, 200), panic(60, 2, 4))),
        new Case(
            "max scale-up rate: from 0 ready counts as 1, so a rate of 2 starts at most 2",
            toZero.toBuilder().maxScaleUpRate(2).build(),
            List.of(load(0, 10, 200), panic(10, 0, 2))),
        new Case(
            "max scale-down rate: 10 ready at a rate of 2 go to at least 5 in one decision",
            BASE,
            List.of(load(0, 60, 20), expect(60, 10, 5))),
        new Case(
            "scale-down delay: the highest count wanted in the last 10 s is kept",
            BASE.toBuilder()
                .scaleDownDelay(Duration.ofSeconds(10))
                .stableWindow(Duration.ofSeconds(6))
                .build(),
            List.of(
                load(0, 10, 60),
                load(10, 30, 10),
                expect(10, 3, 3),
                expect(18, 3, 3),
                expect(24, 3, 1))),
        new Case(
            "max_scale caps the decision",
            BASE.toBuilder().maxScale(2).build(),
            List.of(load(0, 60, 200), panic(60, 2, 2))),
        new Case(
            "min_scale 1: an idle deployment keeps one instance forever",
            BASE.toBuilder().minScale(1).build(),
            List.of(load(0, 400, 0), expect(400, 1, 1))),
        new Case(
            "scale to zero: idle for a stable window, then inactive for the 30 s grace period",
            toZero,
            List.of(
                load(0, 60, 5),
                expect(119, 1, 1), // the stable average still sees the load of second 59
                expect(
                    121, 1,
                    1), // average 0 since t=120: inactive, one instance for the grace period
                expect(149, 1, 1),
                expect(150, 1, 0))), // 30 s after 120
        new Case(
            "scale to zero: an instance active for less than a stable window is kept",
            toZero,
            List.of(
                expect(0, 0, 1),
                expect(10, 1, 1),
                expect(69, 1, 1),
                expect(70, 1, 1),
                expect(99, 1, 1),
                expect(100, 1, 0))),
        new Case(
            "scale to zero: the retention period, when longer than the grace period, keeps the last instance",
            toZero.toBuilder().scaleToZeroRetention(Duration.ofSeconds(90)).build(),
            List.of(load(0, 60, 5), expect(121, 1, 1), expect(209, 1, 1), expect(210, 1, 0))),
        new Case(
            "scale to zero: a request during the grace period starts it over",
            toZero,
            List.of(
                load(0, 60, 5),
                load(130, 131, 1),
                expect(121, 1, 1),
                expect(160, 1, 1),
                expect(190, 1, 1),
                expect(221, 1, 1),
                expect(222, 1, 0))), // zero average from the tick at 192
        new Case(
            "scale to zero disabled: an idle deployment keeps one instance",
            toZero.toBuilder().enableScaleToZero(false).build(),
            List.of(expect(0, 0, 1), expect(100, 1, 1), expect(300, 1, 1))),
        new Case(
            "scale from zero: any demand at 0 instances starts one",
            toZero,
            List.of(load(200, 201, 1), expect(2, 1, 1), expect(150, 0, 0), expect(201, 0, 1))),
        new Case(
            "activation scale: any demand gets at least 3 instances",
            toZero.toBuilder().activationScale(3).build(),
            List.of(load(200, 201, 1), expect(2, 1, 1), expect(150, 0, 0), expect(201, 0, 3))),
        new Case(
            "activation scale: no demand, no activation",
            toZero.toBuilder().activationScale(3).build(),
            List.of(expect(2, 1, 1), expect(200, 0, 0))),
        new Case(
            "initial scale: a new deployment asks for 3 until 3 were ready once",
            toZero.toBuilder().initialScale(3).build(),
            List.of(
                expect(0, 0, 3),
                expect(10, 2, 3),
                expect(12, 3, 1),
                expect(20, 1, 1),
                expect(99, 1, 1),
                expect(100, 1, 0))),
        new Case(
            "scale to zero: an instance lost while waiting and back again waits a stable window and the grace period anew",
            toZero,
            List.of(
                load(0, 60, 5),
                expect(121, 1, 1),
                expect(130, 0, 0),
                expect(140, 1, 1),
                expect(199, 1, 1),
                expect(200, 1, 1),
                expect(229, 1, 1),
                expect(230, 1, 0))),
        new Case(
            "initial scale above max_scale: the floor lifts once max_scale instances are ready",
            toZero.toBuilder().initialScale(5).maxScale(2).build(),
            List.of(expect(0, 0, 2), expect(10, 2, 1), expect(70, 1, 1), expect(100, 1, 0))),
        new Case(
            "rps metric: 450 requests/s at a target of 200 x 70 % want ceil(450/140) = 4",
            BASE.toBuilder().metric(ScalingPolicy.Metric.RPS).target(200).build(),
            List.of(load(0, 60, 450), expect(60, 4, 4))));
  }

  /**
   * Replays a case second by second: the load of each second is reported in its middle; a decision
   * ends every even second (Knative ticks every 2 s) or the second an expectation names. Ticks see
   * the ready count of the latest expectation (the first one before it), as the platform would.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void replays(Case c) {
    Autoscaler a = new Autoscaler(c.policy());
    long base = 1_000_000_000L; // any epoch: only differences matter
    List<Expect> expects =
        c.steps().stream().filter(Expect.class::isInstance).map(Expect.class::cast).toList();
    int end = expects.get(expects.size() - 1).at();
    int ready = expects.get(0).ready();
    List<String> seen = new ArrayList<>();
    for (int s = 0; s <= end; s++) {
      double inFlight = 0;
      for (Step step : c.steps()) {
        if (step instanceof Load l && l.from() <= s && s < l.to()) {
          inFlight = l.inFlight();
        }
      }
      // A decision "at t" ends second t-1: it sees the load of every second before t.
      long decideAt = base + s * 1000L - 100;
      final int second = s;
      Expect e = expects.stream().filter(x -> x.at() == second).findFirst().orElse(null);
      if (e != null) {
        ready = e.ready();
        Decision d = a.decide(decideAt, ready);
        seen.add("t=" + s + ": " + d.desired() + " (" + d.reason() + ")");
        assertEquals(
            e.desired(),
            d.desired(),
            "at t=" + s + " s: " + d.describe(c.policy()) + "; so far " + seen);
        assertEquals(
            e.panic(), d.panicking(), "panic mode at t=" + s + " s: " + d.describe(c.policy()));
      } else if (s % 2 == 0) {
        a.decide(decideAt, ready);
      }
      a.record(base + s * 1000L + 500, inFlight);
    }
  }
}
