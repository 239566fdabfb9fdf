package dev.knoe.autoscaler;

/**
 * One scaling decision, with what it was based on.
 *
 * @param desired instances wanted now
 * @param ready the ready instances the decision saw
 * @param stable the metric averaged over the stable window (all instances together)
 * @param panic the metric averaged over the panic window
 * @param panicking true while in panic mode (no scale-down)
 * @param reason why {@code desired} is what it is, for logs: "stable", "panic", "min_scale",
 *     "initial_scale", "max_scale", "scale-down delay", "waiting to scale to zero", "scaled to
 *     zero"
 */
public record Decision(
    int desired, int ready, double stable, double panic, boolean panicking, String reason) {

  /**
   * A one-line summary for a log: "3 instances (panic; 70.2 in flight over the panic window, 41.0
   * stable)".
   */
  public String describe(ScalingPolicy policy) {
    return String.format(
        java.util.Locale.ROOT,
        "%d instance(s) from %d ready (%s; %s %.1f over the stable window, %.1f over the panic window, target %.1f per instance)",
        desired,
        ready,
        reason,
        policy.metric() == ScalingPolicy.Metric.RPS ? "requests/s" : "in flight",
        stable,
        panic,
        policy.effectiveTarget());
  }
}
