package dev.knoe.autoscaler.sim;

import org.HdrHistogram.Histogram;

/**
 * Counts of added latencies (time queued) without storing them, in an HdrHistogram of whole
 * microseconds from 1 µs to 10^4 s at 3 significant digits: a wait below 1 µs counts as "no wait"
 * (0), a percentile is within 0.1 % (or 1 µs) of the true value, longer waits than 10^4 s count as
 * 10^4 s; the maximum is exact. Not thread-safe; merge per-thread ones with {@link #add}.
 */
public final class LatencyHistogram {

  private static final double MICROS_PER_SECOND = 1e6;

  /** 10^4 s, in µs; about 200 KB of counts at 3 digits (10^10 µs takes 24 power-of-2 buckets). */
  private static final long HIGHEST_MICROS = 10_000_000_000L;

  private static final int SIGNIFICANT_DIGITS = 3;

  private final Histogram counts = new Histogram(1, HIGHEST_MICROS, SIGNIFICANT_DIGITS);
  private double max;

  /** Adds one request that waited {@code seconds} (0 for none). */
  public void record(double seconds) {
    // Truncating keeps "below 1 µs is no wait"; clamping keeps an absurd wait from throwing.
    long micros = (long) Math.min(seconds * MICROS_PER_SECOND, HIGHEST_MICROS);
    if (micros < 1) {
      counts.recordValue(0);
      return;
    }
    counts.recordValue(micros);
    if (seconds > max) {
      max = seconds;
    }
  }

  /** Adds {@code n} requests that did not wait. */
  public void recordZero(long n) {
    counts.recordValueWithCount(0, n);
  }

  public void add(LatencyHistogram other) {
    counts.add(other.counts);
    max = Math.max(max, other.max);
  }

  public void clear() {
    counts.reset();
    max = 0;
  }

  /** Requests recorded. */
  public long count() {
    return counts.getTotalCount();
  }

  /** Requests that waited at all (1 µs or more). */
  public long waited() {
    return counts.getTotalCount() - counts.getCountAtValue(0);
  }

  /** The longest wait, exact, seconds. */
  public double max() {
    return max;
  }

  /**
   * The {@code p}-th percentile (0..100) in seconds: 0 when at least that share did not wait,
   * otherwise the top of its bucket (HdrHistogram's convention: it errs on the long side), but
   * never above the exact maximum.
   */
  public double percentile(double p) {
    if (counts.getTotalCount() == 0) {
      return 0;
    }
    return Math.min(counts.getValueAtPercentile(p) / MICROS_PER_SECOND, max);
  }
}
