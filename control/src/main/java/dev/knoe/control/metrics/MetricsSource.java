package dev.knoe.control.metrics;

import java.time.Clock;
import java.time.Duration;

/**
 * Where an endpoint's figures come from: {@link LocalMetrics} (the local router's ring), {@link
 * PrometheusMetrics} (a cluster's Prometheus), or {@link #none} (nowhere this process knows).
 */
public interface MetricsSource {

  /** The longest window this source can answer. */
  Duration maxWindow();

  /** The figures of the query's deployments; every one is answered, all zero if need be. */
  Figures read(Query query);

  /** Answers {@code source: none} with this sentence saying where the figures are. */
  static MetricsSource none(String message, Duration maxWindow, Clock clock) {
    return new MetricsSource() {
      @Override
      public Duration maxWindow() {
        return maxWindow;
      }

      @Override
      public Figures read(Query query) {
        return Figures.none(query, Math.floorDiv(clock.millis(), 1000), message);
      }
    };
  }
}
