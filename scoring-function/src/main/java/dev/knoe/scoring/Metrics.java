package dev.knoe.scoring;

import dev.knoe.scoring.batch.Observer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Prometheus metrics: requests by route and status, request latency, inference time, batch sizes
 * and queue depth. Meters are created once and cached, so the hot path only increments.
 */
@ApplicationScoped
public class Metrics {

  @Inject MeterRegistry registry;

  private final ConcurrentHashMap<String, Counter> requests = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> latency = new ConcurrentHashMap<>();

  public void request(String route, int status, long nanos) {
    requests
        .computeIfAbsent(
            route + ' ' + status,
            k ->
                Counter.builder("knoe_requests")
                    .description("Requests by route and HTTP status")
                    .tag("route", route)
                    .tag("status", Integer.toString(status))
                    .register(registry))
        .increment();
    latency
        .computeIfAbsent(
            route,
            k ->
                Timer.builder("knoe_request_duration")
                    .description("Time from request to response")
                    .tag("route", route)
                    .publishPercentileHistogram()
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  Observer inferenceObserver() {
    Timer inference =
        Timer.builder("knoe_inference_duration")
            .description("Time of one ONNX Runtime run")
            .publishPercentileHistogram()
            .register(registry);
    DistributionSummary batch =
        DistributionSummary.builder("knoe_batch_size")
            .description("Requests merged into one ONNX Runtime run")
            .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128)
            .register(registry);
    DistributionSummary rows =
        DistributionSummary.builder("knoe_batch_rows")
            .description("Rows in one ONNX Runtime run")
            .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128)
            .register(registry);
    return (requests, r, nanos) -> {
      inference.record(nanos, TimeUnit.NANOSECONDS);
      batch.record(requests);
      rows.record(r);
    };
  }

  void queueDepth(IntSupplier depth) {
    Gauge.builder("knoe_queue_depth", depth::getAsInt)
        .description("Requests waiting for an ONNX Runtime run")
        .register(registry);
  }
}
