package dev.knoe.autoscaler.sim;

/**
 * The traffic of every simulated deployment. {@link #open} must give the same requests each time it
 * is called for the same deployment (the autoscaled and the fixed run replay the same trace), and
 * may be called from several threads for different deployments.
 */
public interface Workload {

  /** How many deployments. */
  int deployments();

  /** A name for deployment {@code i} (0-based), for the plot. */
  String name(int i);

  /** A new cursor over deployment {@code i}'s requests, from the first. */
  ArrivalSource open(int i);

  /** One line: what the traffic is, e.g. "poisson 2/s, service exponential, mean 50 ms". */
  String describe();
}
