package dev.knoe.control.runtime.local;

import dev.knoe.control.runtime.local.Instance.State;

/** Consecutive results of one probe for one process run, and what they mean for readiness. */
record ProbeCounter(int successes, int failures) {

  static final ProbeCounter NONE = new ProbeCounter(0, 0);

  ProbeCounter record(boolean ok) {
    // Saturating: only "at least the threshold" matters.
    return ok
        ? new ProbeCounter(Math.min(successes + 1, 1_000_000), 0)
        : new ProbeCounter(0, Math.min(failures + 1, 1_000_000));
  }

  boolean failed(Probe p) {
    return failures >= p.failureThreshold();
  }

  /**
   * The state after a readiness probe: success threshold reached makes a starting or unhealthy
   * instance ready, failure threshold reached makes a ready one unhealthy. A starting instance that
   * fails stays starting: crashes and liveness decide whether it is broken (as in Kubernetes).
   */
  State readiness(State current, Probe p) {
    return switch (current) {
      case STARTING, UNHEALTHY -> successes >= p.successThreshold() ? State.READY : current;
      case READY -> failed(p) ? State.UNHEALTHY : State.READY;
      default -> current;
    };
  }
}
