package dev.knoe.control.serve;

import dev.knoe.control.router.DataPlane;
import dev.knoe.control.router.Pool;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The router's Prometheus metrics: requests and their latency by endpoint, deployment and status,
 * and per deployment its ready and wanted instances, requests held and cold starts. The
 * per-deployment meters follow the routes: a deployment deleted (or made again) does not leave a
 * stale series behind.
 */
final class RouterMetrics implements DataPlane.Observer {

  private final MeterRegistry registry;

  /** By endpoint, then deployment: two lookups of strings the router already has, no key made. */
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Served>> served =
      new ConcurrentHashMap<>();

  private final Map<String, List<Meter>> poolMeters = new HashMap<>();

  RouterMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void served(String endpoint, String deployment, int status, long nanos) {
    Served s =
        served
            .computeIfAbsent(endpoint, e -> new ConcurrentHashMap<>())
            .computeIfAbsent(deployment, d -> new Served(endpoint, d));
    s.counter(status).increment();
    s.duration.record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * The meters of one endpoint and deployment. Every request used to build two string keys (and
   * their hashes) to find its meters; here the counter of a status is one array read.
   */
  private final class Served {
    private final String endpoint;
    private final String deployment;
    private final Timer duration;
    private final AtomicReferenceArray<Counter> byStatus = new AtomicReferenceArray<>(600);

    Served(String endpoint, String deployment) {
      this.endpoint = endpoint;
      this.deployment = deployment;
      this.duration =
          Timer.builder("knoe_router_request_duration")
              .description("Time from request to response through the router")
              .tag("endpoint", endpoint)
              .tag("deployment", deployment)
              .publishPercentileHistogram()
              .register(registry);
    }

    Counter counter(int status) {
      Counter c = status >= 0 && status < 600 ? byStatus.get(status) : null;
      if (c == null) {
        // Registering again returns the meter already there, so two threads racing here agree.
        c =
            Counter.builder("knoe_router_requests")
                .description("Requests routed, by endpoint, deployment and status")
                .tag("endpoint", endpoint)
                .tag("deployment", deployment)
                .tag("status", Integer.toString(status))
                .register(registry);
        if (status >= 0 && status < 600) {
          byStatus.set(status, c);
        }
      }
      return c;
    }
  }

  @Override
  public synchronized void routed(String endpoint, String deployment, Pool pool) {
    String key = endpoint + '/' + deployment;
    List<Meter> old = poolMeters.remove(key);
    if (old != null) {
      old.forEach(registry::remove);
    }
    if (pool == null) {
      return;
    }
    String[] tags = {"endpoint", endpoint, "deployment", deployment};
    poolMeters.put(
        key,
        List.of(
            Gauge.builder("knoe_instances_ready", pool, p -> p.ready().size())
                .tags(tags)
                .description("Instances ready to take requests")
                .strongReference(true)
                .register(registry),
            Gauge.builder("knoe_instances_wanted", pool, Pool::wantedInstances)
                .tags(tags)
                .description("Instances the autoscaler wants, ready or starting")
                .strongReference(true)
                .register(registry),
            Gauge.builder("knoe_router_requests_held", pool, Pool::pending)
                .tags(tags)
                .description("Requests waiting for an instance or in flight at one")
                .strongReference(true)
                .register(registry),
            FunctionCounter.builder("knoe_cold_starts", pool, Pool::coldStarts)
                .tags(tags)
                .description("Times requests found no ready instance and waited for one to start")
                .register(registry)));
  }
}
