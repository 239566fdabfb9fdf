package dev.knoe.control.metrics;

import java.util.Arrays;

/**
 * Fixed log-scale latency buckets, the same for every second and every deployment, so that the
 * buckets of any seconds add up and a percentile of the sum is exact to a bucket's width.
 *
 * <p>Bucket {@code i} holds latencies up to {@code 100 µs × √2^i}: 100 µs, 141 µs, 200 µs, ..., 1
 * ms at i = 6.6, 1 s at i = 26.6, 52 s at i = 38; the last bucket ({@value #COUNT} − 1) holds
 * everything above 52 s. Neighbouring bounds are 41 % apart, so a percentile read from the buckets
 * is within 41 % of the true one (and linear interpolation inside the bucket, as Prometheus' {@code
 * histogram_quantile} does, usually closer).
 */
public final class LatencyHistogram {

  /** Number of buckets, the last one open-ended. */
  public static final int COUNT = 40;

  /** Upper bounds in nanoseconds of buckets 0 .. COUNT − 2 (the last has none). */
  private static final long[] UPPER_NANOS = new long[COUNT - 1];

  static {
    for (int i = 0; i < UPPER_NANOS.length; i++) {
      UPPER_NANOS[i] = Math.round(100_000 * Math.pow(Math.sqrt(2), i));
    }
  }

  private LatencyHistogram() {}

  /** The bucket of a latency: a binary search of 39 bounds (6 comparisons), no allocation. */
  public static int bucket(long nanos) {
    int i = Arrays.binarySearch(UPPER_NANOS, nanos);
    return i >= 0 ? i : -i - 1; // an exact bound belongs to its bucket; above all bounds: the last
  }

  /** The upper bound of bucket {@code i} in milliseconds; infinite for the last. */
  public static double upperMillis(int i) {
    return i < UPPER_NANOS.length ? UPPER_NANOS[i] / 1e6 : Double.POSITIVE_INFINITY;
  }

  /** The lower bound of bucket {@code i} in milliseconds (0 for the first). */
  public static double lowerMillis(int i) {
    return i == 0 ? 0 : UPPER_NANOS[i - 1] / 1e6;
  }

  /**
   * The {@code q}-quantile (0..1) of the latencies counted in {@code counts} (one count per bucket,
   * starting at {@code offset}), in milliseconds, interpolated linearly inside its bucket; null
   * when there is no latency. E.g. 10 requests of which 9 in bucket 6 (0.8 .. 1.13 ms) and 1 in
   * bucket 20 (≈ 72 .. 102 ms): p50 is in bucket 6 (rank 5 of 9 there: 0.8 + 5/9 × 0.33 ms), p99
   * (rank 9.9 > 9) in bucket 20.
   */
  public static Double quantile(long[] counts, int offset, double q) {
    long total = 0;
    for (int i = 0; i < COUNT; i++) {
      total += counts[offset + i];
    }
    if (total == 0) {
      return null;
    }
    double rank = q * total;
    long below = 0;
    for (int i = 0; i < COUNT; i++) {
      long c = counts[offset + i];
      if (c > 0 && below + c >= rank) {
        if (i == COUNT - 1) {
          return lowerMillis(i); // open-ended: the most that can be said
        }
        double lo = lowerMillis(i);
        double hi = upperMillis(i);
        return lo + (hi - lo) * Math.max(0, rank - below) / c;
      }
      below += c;
    }
    return lowerMillis(COUNT - 1);
  }
}
