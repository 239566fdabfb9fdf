package dev.knoe.autoscaler.sim;

import dev.knoe.autoscaler.ScalingPolicy;

/**
 * One simulation run.
 *
 * @param workload the traffic of every deployment
 * @param policy every deployment's autoscaling (its containerConcurrency, at least 1, is what an
 *     instance serves at once)
 * @param durationSeconds the trace replayed: arrivals from 0 up to this
 * @param startSeconds time from asking for an instance until it is ready
 * @param startJitterSeconds a uniform random 0..jitter added to each start
 * @param fixedSize the fixed deployment's size, or 0 for each deployment's autoscaled peak of ready
 *     instances
 * @param threads worker threads (deployments are independent)
 * @param plotDeployment the deployment whose timeline is kept, or -1 for none
 * @param seed seeds the start jitter (generated traffic has its own seed)
 */
public record SimulationSpec(
    Workload workload,
    ScalingPolicy policy,
    double durationSeconds,
    double startSeconds,
    double startJitterSeconds,
    int fixedSize,
    int threads,
    int plotDeployment,
    long seed) {

  public SimulationSpec {
    if (policy.containerConcurrency() < 1) {
      throw new IllegalArgumentException(
          "container concurrency "
              + policy.containerConcurrency()
              + ": the simulator needs a limit of at least 1 request per instance");
    }
    if (!(durationSeconds > 0) || Double.isInfinite(durationSeconds)) {
      throw new IllegalArgumentException("duration " + durationSeconds + " s, must be above 0");
    }
    if (!(startSeconds >= 0) || !(startJitterSeconds >= 0)) {
      throw new IllegalArgumentException("start time and jitter must be at least 0");
    }
    if (fixedSize < 0) {
      throw new IllegalArgumentException(
          "fixed size " + fixedSize + ", must be at least 1 (or 0: the peak)");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads " + threads + ", must be at least 1");
    }
    if (plotDeployment >= workload.deployments()) {
      throw new IllegalArgumentException(
          "plot deployment " + (plotDeployment + 1) + ", there are only " + workload.deployments());
    }
  }
}
