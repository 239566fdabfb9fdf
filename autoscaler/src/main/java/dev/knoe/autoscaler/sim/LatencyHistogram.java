package dev.knoe.autoscaler.sim;

/**
 * Counts of added latencies (time queued) without storing them: an exact bucket for "no wait"
 * (below 1 µs) and 100 logarithmic buckets per decade from 1 µs to 10^4 s, so a percentile is
 * within 2.3 % of the true value; the maximum is exact. Not thread-safe; merge per-thread ones.
 */
public final class LatencyHistogram {

  private static final int PER_DECADE = 100;
  private static final int DECADES = 10; // 1 µs .. 10^4 s
  private static final double MIN_SECONDS = 1e-6;
  private static final double SCALE = PER_DECADE / Math.log(10);

  private final long[] counts = new long[1 + PER_DECADE * DECADES + 1];
  private long total;
  private long waited;
  private double max;

  /** Adds one request that waited {@code seconds} (0 for none). */
  public void record(double seconds) {
    total++;
    if (seconds < MIN_SECONDS) {
      counts[0]++;
      return;
    }
    waited++;
    if (seconds > max) {
      max = seconds;
    }
    int i = 1 + (int) (Math.log(seconds / MIN_SECONDS) * SCALE);
    counts[Math.min(i, counts.length - 1)]++;
  }

  /** Adds {@code n} requests that did not wait. */
  public void recordZero(long n) {
    total += n;
    counts[0] += n;
  }

  public void add(LatencyHistogram other) {
    for (int i = 0; i < counts.length; i++) {
      counts[i] += other.counts[i];
    }
    total += other.total;
    waited += other.waited;
    max = Math.max(max, other.max);
  }

  public void clear() {
    java.util.Arrays.fill(counts, 0);
    total = 0;
    waited = 0;
    max = 0;
  }

  /** Requests recorded. */
  public long count() {
    return total;
  }

  /** Requests that waited at all (1 µs or more). */
  public long waited() {
    return waited;
  }

  /** The longest wait, exact, seconds. */
  public double max() {
    return max;
  }

  /**
   * The {@code p}-th percentile (0..100) in seconds: 0 when at least that share did not wait,
   * otherwise the geometric middle of its bucket (never above the maximum).
   */
  public double percentile(double p) {
    if (total == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(p / 100.0 * total);
    rank = Math.max(1, Math.min(total, rank));
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) {
        if (i == 0) {
          return 0;
        }
        double mid = MIN_SECONDS * Math.exp((i - 1 + 0.5) / SCALE);
        return Math.min(mid, max);
      }
    }
    return max;
  }
}
