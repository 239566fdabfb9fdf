package dev.knoe.autoscaler;

/**
 * Samples of one metric in time buckets, averaged over a trailing window as Knative's {@code
 * TimedFloat64Buckets} does: each bucket holds the mean of the samples that landed in it, a bucket
 * without samples counts as 0 (no report, no load), and while there is less history than the window
 * the average is over the history there is, so a new deployment reacts to its first seconds of load
 * instead of diluting them over a minute.
 *
 * <p>Not thread-safe: one owner records and reads. Times are milliseconds of the caller's clock.
 */
public final class MetricWindow {

  private final long bucketMillis;
  private final double[] sums;
  private final int[] counts;
  private final long[] stamps; // which bucket index each slot holds
  private long first = Long.MIN_VALUE;
  private long last = Long.MIN_VALUE;

  /**
   * @param longestWindowMillis the longest window that {@link #average} will be asked for
   * @param bucketMillis bucket width (Knative: 1 s)
   */
  public MetricWindow(long longestWindowMillis, long bucketMillis) {
    if (bucketMillis <= 0 || longestWindowMillis < bucketMillis) {
      throw new IllegalArgumentException(
          "window "
              + longestWindowMillis
              + " ms with buckets of "
              + bucketMillis
              + " ms: the bucket must be positive and the window at least one bucket");
    }
    this.bucketMillis = bucketMillis;
    int n = (int) ((longestWindowMillis + bucketMillis - 1) / bucketMillis);
    sums = new double[n];
    counts = new int[n];
    stamps = new long[n];
    java.util.Arrays.fill(stamps, Long.MIN_VALUE);
  }

  /**
   * Adds a sample taken at {@code nowMillis}. Samples must not go back in time by more than the
   * window.
   */
  public void record(long nowMillis, double value) {
    long index = Math.floorDiv(nowMillis, bucketMillis);
    int slot = (int) Math.floorMod(index, (long) sums.length);
    if (stamps[slot] != index) {
      stamps[slot] = index;
      sums[slot] = 0;
      counts[slot] = 0;
    }
    sums[slot] += value;
    counts[slot]++;
    if (first == Long.MIN_VALUE) {
      first = index;
    }
    last = Math.max(last, index);
  }

  /** The average over the {@code windowMillis} up to {@code nowMillis}; 0 with no sample in it. */
  public double average(long nowMillis, long windowMillis) {
    long now = Math.floorDiv(nowMillis, bucketMillis);
    long buckets = Math.min(sums.length, Math.max(1, windowMillis / bucketMillis));
    long from = now - buckets + 1;
    if (first == Long.MIN_VALUE || last < from) {
      return 0;
    }
    from = Math.max(from, first);
    double total = 0;
    for (long i = from; i <= now; i++) {
      int slot = (int) Math.floorMod(i, (long) sums.length);
      if (stamps[slot] == i) {
        total += sums[slot] / counts[slot];
      }
    }
    return total / (now - from + 1);
  }

  /** True once any sample was recorded. */
  public boolean hasData() {
    return first != Long.MIN_VALUE;
  }
}
