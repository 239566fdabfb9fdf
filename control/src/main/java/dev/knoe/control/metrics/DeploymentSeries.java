package dev.knoe.control.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One deployment's figures over a window, one value per step, every list as long as the window's
 * timestamps. A rate is per second over its step; a latency is in milliseconds and null where the
 * step had no request; a gauge is its last sample in the step and null where none was taken (or the
 * source has no such figure); cold starts are those begun within the step.
 */
public record DeploymentSeries(
    List<Double> requestsPerSecond,
    List<Double> latencyP50Ms,
    List<Double> latencyP99Ms,
    List<Double> errors4xxPerSecond,
    List<Double> errors5xxPerSecond,
    List<Long> instancesReady,
    List<Long> instancesWanted,
    List<Long> requestsHeld,
    List<Long> coldStarts) {

  /** No request and no sample in any of {@code steps} steps: rates 0, everything else null. */
  public static DeploymentSeries empty(int steps) {
    Builder b = new Builder(steps);
    for (int i = 0; i < steps; i++) {
      b.add(0.0, null, null, 0.0, 0.0, null, null, null, null);
    }
    return b.build();
  }

  /** Collects the steps in order; the lists it builds allow nulls. */
  static final class Builder {
    private final List<Double> rps;
    private final List<Double> p50;
    private final List<Double> p99;
    private final List<Double> e4;
    private final List<Double> e5;
    private final List<Long> ready;
    private final List<Long> wanted;
    private final List<Long> held;
    private final List<Long> cold;

    Builder(int steps) {
      rps = new ArrayList<>(steps);
      p50 = new ArrayList<>(steps);
      p99 = new ArrayList<>(steps);
      e4 = new ArrayList<>(steps);
      e5 = new ArrayList<>(steps);
      ready = new ArrayList<>(steps);
      wanted = new ArrayList<>(steps);
      held = new ArrayList<>(steps);
      cold = new ArrayList<>(steps);
    }

    void add(
        Double requestsPerSecond,
        Double latencyP50,
        Double latencyP99,
        Double errors4xx,
        Double errors5xx,
        Long instancesReady,
        Long instancesWanted,
        Long requestsHeld,
        Long coldStarts) {
      rps.add(round(requestsPerSecond));
      p50.add(round(latencyP50));
      p99.add(round(latencyP99));
      e4.add(round(errors4xx));
      e5.add(round(errors5xx));
      ready.add(instancesReady);
      wanted.add(instancesWanted);
      held.add(requestsHeld);
      cold.add(coldStarts);
    }

    DeploymentSeries build() {
      return new DeploymentSeries(
          Collections.unmodifiableList(rps),
          Collections.unmodifiableList(p50),
          Collections.unmodifiableList(p99),
          Collections.unmodifiableList(e4),
          Collections.unmodifiableList(e5),
          Collections.unmodifiableList(ready),
          Collections.unmodifiableList(wanted),
          Collections.unmodifiableList(held),
          Collections.unmodifiableList(cold));
    }

    /** Three decimals (a microsecond, a thousandth of a request per second) are plenty. */
    private static Double round(Double v) {
      return v == null || v.isNaN() || v.isInfinite() ? null : Math.round(v * 1000) / 1000.0;
    }
  }
}
