package dev.knoe.control.runtime.local;

import java.time.Duration;
import java.time.Instant;

/**
 * A health probe's settings, as in a deployment's {@code readiness_probe} / {@code liveness_probe}
 * (and a Kubernetes probe): all times in seconds.
 *
 * @param initialDelaySeconds wait after the process starts before the first probe
 * @param periodSeconds time between the starts of two probes
 * @param timeoutSeconds a probe that has no answer after this long failed
 * @param successThreshold consecutive successes that make a not-ready instance ready
 * @param failureThreshold consecutive failures that make a ready instance unhealthy (readiness) or
 *     restart it (liveness)
 */
public record Probe(
    int initialDelaySeconds,
    int periodSeconds,
    int timeoutSeconds,
    int successThreshold,
    int failureThreshold) {

  /** Azure ML's defaults for online deployments. */
  public static final Probe AZURE_DEFAULT = new Probe(10, 10, 2, 1, 30);

  public Probe {
    atLeast("initial_delay", initialDelaySeconds, 0);
    atLeast("period", periodSeconds, 1);
    atLeast("timeout", timeoutSeconds, 1);
    atLeast("success_threshold", successThreshold, 1);
    atLeast("failure_threshold", failureThreshold, 1);
  }

  /** When the first probe of a process started at {@code processStart} is due. */
  public Instant first(Instant processStart) {
    return processStart.plusSeconds(initialDelaySeconds);
  }

  /**
   * When the probe after one that started at {@code lastStart} is due. Until the process has passed
   * once, it is probed every {@code startupInterval} if that is shorter than the period: like
   * Knative's queue-proxy, a cold start should not wait a whole period (10 s by default) after the
   * model is loaded.
   */
  public Instant next(Instant lastStart, boolean passedOnce, Duration startupInterval) {
    Duration period = Duration.ofSeconds(periodSeconds);
    return lastStart.plus(
        passedOnce || startupInterval.compareTo(period) >= 0 ? period : startupInterval);
  }

  public Duration timeout() {
    return Duration.ofSeconds(timeoutSeconds);
  }

  private static void atLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " = " + value + ", must be at least " + min);
    }
  }
}
