package dev.knoe.control.metrics;

import dev.knoe.control.router.DataPlane;
import dev.knoe.control.router.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local router's figures, per endpoint and deployment, for the last 15 minutes: fed by the
 * router ({@link DataPlane.Observer}) with every request answered, and by {@link #sampleGauges}
 * (every second, from the serve wiring) with each routed pool's instances, requests held and cold
 * starts. A deployment has a ring ({@link SeriesRing}) while its pool is in the routes: one leaving
 * them (a deployment or endpoint deleted) takes its ring along, so memory follows the deployments,
 * not the traffic.
 */
public final class LocalMetrics implements DataPlane.Observer, MetricsSource {

  /** The ring's length: the longest window answered. */
  public static final Duration MAX_WINDOW = Duration.ofSeconds(SeriesRing.SLOTS);

  private final Clock clock;

  /** By endpoint, then deployment: two lookups of strings the router already has, no key made. */
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Routed>> endpoints =
      new ConcurrentHashMap<>();

  /** A deployment in the routes: its pool (whose gauges are sampled) and its ring. */
  private record Routed(Pool pool, SeriesRing ring) {}

  public LocalMetrics(Clock clock) {
    this.clock = clock;
  }

  private long second() {
    return Math.floorDiv(clock.millis(), 1000);
  }

  /**
   * Counted only for a deployment in the routes: an answer that arrives after its deployment left
   * them (a mirror copy, a slow request) makes no ring that nothing would remove.
   */
  @Override
  public void served(String endpoint, String deployment, int status, long nanos) {
    ConcurrentHashMap<String, Routed> deployments = endpoints.get(endpoint);
    Routed r = deployments == null ? null : deployments.get(deployment);
    if (r != null) {
      r.ring().record(second(), status, nanos);
    }
  }

  @Override
  public synchronized void routed(String endpoint, String deployment, Pool pool) {
    if (pool == null) {
      ConcurrentHashMap<String, Routed> deployments = endpoints.get(endpoint);
      if (deployments != null) {
        deployments.remove(deployment);
        if (deployments.isEmpty()) {
          endpoints.remove(endpoint);
        }
      }
      return;
    }
    Map<String, Routed> deployments =
        endpoints.computeIfAbsent(endpoint, e -> new ConcurrentHashMap<>());
    Routed before = deployments.get(deployment);
    SeriesRing ring;
    if (before == null) {
      ring = new SeriesRing(pool.coldStarts());
    } else {
      ring = before.ring(); // another pool for the same deployment: its history stays
      ring.rebase(pool.coldStarts());
    }
    deployments.put(deployment, new Routed(pool, ring));
  }

  /** Reads every routed pool's gauges into the current second (the serve wiring's 1 s timer). */
  public void sampleGauges() {
    long now = second();
    endpoints.forEach(
        (endpoint, deployments) ->
            deployments.forEach(
                (name, r) ->
                    r.ring()
                        .sample(
                            now,
                            r.pool().ready().size(),
                            r.pool().wantedInstances(),
                            // held at zero: waiting for an instance, not in flight at one
                            r.pool().waiting(),
                            r.pool().coldStarts())));
  }

  /** Whether a deployment has a ring now (for tests: deletion drops it). */
  public boolean tracks(String endpoint, String deployment) {
    Map<String, Routed> deployments = endpoints.get(endpoint);
    return deployments != null && deployments.containsKey(deployment);
  }

  @Override
  public Duration maxWindow() {
    return MAX_WINDOW;
  }

  /** A deployment not in the routes (being created, or failed) answers all zero. */
  @Override
  public Figures read(Query q) {
    long end = second();
    Map<String, Routed> routed = endpoints.getOrDefault(q.endpoint(), new ConcurrentHashMap<>());
    Map<String, DeploymentSeries> out = new LinkedHashMap<>();
    for (String d : q.deployments()) {
      Routed r = routed.get(d);
      out.put(
          d,
          r == null
              ? DeploymentSeries.empty(q.steps())
              : r.ring().window(q.firstSecond(end), q.steps(), (int) q.stepSeconds()));
    }
    return new Figures(
        q.endpoint(),
        Figures.LOCAL,
        null,
        q.windowSeconds(),
        q.stepSeconds(),
        q.timestamps(end),
        Collections.unmodifiableMap(out));
  }
}
