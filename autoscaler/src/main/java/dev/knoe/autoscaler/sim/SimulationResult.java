package dev.knoe.autoscaler.sim;

/**
 * Totals over every deployment of a run, autoscaled and fixed.
 *
 * @param deployments deployments simulated
 * @param durationSeconds trace length per deployment
 * @param requests requests replayed (each run replays the same ones)
 * @param instanceSeconds autoscaled: instance-seconds held over the duration
 * @param fixedInstanceSeconds fixed: size x duration, summed
 * @param coldStarts autoscaled: instances that became ready after t = 0
 * @param coldWaited autoscaled: requests that waited while an instance was starting
 * @param latency autoscaled: added latency (time queued)
 * @param fixedLatency fixed: added latency
 * @param peakInstances the largest autoscaled ready count of any deployment
 * @param fixedInstances the fixed sizes, summed over deployments
 * @param unfinished requests never answered (a deployment that could not serve them)
 * @param timeline the plotted deployment's series, or null
 * @param wallSeconds wall time of the simulation
 * @param threads worker threads used
 */
public record SimulationResult(
    int deployments,
    double durationSeconds,
    long requests,
    double instanceSeconds,
    double fixedInstanceSeconds,
    long coldStarts,
    long coldWaited,
    LatencyHistogram latency,
    LatencyHistogram fixedLatency,
    int peakInstances,
    long fixedInstances,
    long unfinished,
    Timeline timeline,
    double wallSeconds,
    int threads) {}
