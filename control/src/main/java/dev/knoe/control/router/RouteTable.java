package dev.knoe.control.router;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the router needs for one endpoint, swapped atomically when the endpoint, its traffic
 * or its keys change, so a request sees one consistent version.
 *
 * @param keyDigests SHA-256 of the endpoint's keys (key auth); the router never holds the keys
 * @param traffic deployments with live traffic and their percentages, in a fixed order
 * @param mirror the deployment that gets a copy of {@code mirrorPercent} % of requests, if any
 * @param creating true while the endpoint is being created: requests get 503
 */
public record RouteTable(
    String endpoint,
    boolean tokenAuth,
    byte[][] keyDigests,
    List<Weight> traffic,
    Optional<String> mirror,
    int mirrorPercent,
    Map<String, DeploymentRoute> deployments,
    boolean creating) {

  public record Weight(String deployment, int percent) {}

  /**
   * Limits of one deployment and its pool.
   *
   * @param maxConcurrentPerInstance {@code max_concurrent_requests_per_instance}: 429 beyond twice
   *     this times the instances
   */
  public record DeploymentRoute(
      String name, int maxConcurrentPerInstance, int requestTimeoutMs, Pool pool) {}

  /** The deployment for a number uniformly drawn in [0, 100); empty when traffic sums to 0. */
  public Optional<String> choose(int draw) {
    return Optional.ofNullable(deploymentFor(draw));
  }

  /** {@link #choose} without the Optional, for the router's hot path; null when none. */
  String deploymentFor(int draw) {
    int acc = 0;
    for (Weight w : traffic) {
      acc += w.percent();
      if (draw < acc) {
        return w.deployment();
      }
    }
    return null;
  }
}
