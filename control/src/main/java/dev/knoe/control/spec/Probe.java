package dev.knoe.control.spec;

/**
 * A health probe of an instance, in seconds, with Kubernetes' meaning.
 *
 * <p>Defaults differ from Azure's (10 s delay, 10 s period for both): Knoe's readiness probe starts
 * at once and polls every second, because a scaled-to-zero deployment holds requests until an
 * instance is ready and every second of probing delay is added to that cold start. Liveness keeps
 * Azure's pace: a restart is expensive, so it is slow to decide.
 *
 * @param initialDelay seconds before the first probe, at least 0
 * @param period seconds between probes, at least 1
 * @param timeout seconds a probe may take, at least 1
 * @param successThreshold consecutive successes to count as healthy, at least 1 (exactly 1 for
 *     liveness, as Kubernetes requires)
 * @param failureThreshold consecutive failures to count as unhealthy, at least 1
 */
public record Probe(
    int initialDelay, int period, int timeout, int successThreshold, int failureThreshold) {

  /** Readiness: probe at once, every second, for up to 30 s of failures. */
  public static final Probe READINESS_DEFAULTS = new Probe(0, 1, 2, 1, 30);

  /** Liveness: Azure's pace, restart after 30 failures 10 s apart. */
  public static final Probe LIVENESS_DEFAULTS = new Probe(10, 10, 2, 1, 30);

  public Probe {
    var check = new Check();
    check.atLeast("initial_delay", initialDelay, 0);
    check.atLeast("period", period, 1);
    check.atLeast("timeout", timeout, 1);
    check.atLeast("success_threshold", successThreshold, 1);
    check.atLeast("failure_threshold", failureThreshold, 1);
    check.throwIfAny();
  }
}
