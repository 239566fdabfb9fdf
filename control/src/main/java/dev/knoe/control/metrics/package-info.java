/**
 * The figures behind the console's charts: per-deployment time series of requests, errors, latency
 * and instances, kept in a bounded ring by {@code knoe serve} (local mode) or read from a cluster's
 * Prometheus, answered in one shape ({@link dev.knoe.control.metrics.Figures}).
 */
package dev.knoe.control.metrics;
