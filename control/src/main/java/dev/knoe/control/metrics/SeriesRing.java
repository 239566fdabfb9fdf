package dev.knoe.control.metrics;

import java.util.Arrays;

/**
 * One deployment's last {@value #SLOTS} seconds (15 minutes), one slot per second: requests, 4xx,
 * 5xx and a {@link LatencyHistogram} of the requests answered in that second, and the last sample
 * of its pool's gauges in that second. Second {@code s} lives in slot {@code s mod 900} and is
 * cleared when the ring comes round to it again, so memory is fixed whatever the traffic: 900 × 48
 * longs (≈ 340 KiB) per deployment.
 *
 * <p>Time is an input (epoch seconds), never read here. Every method holds this ring's lock for a
 * few array writes: the router's event loops only meet here when they serve the same deployment in
 * the same instant, and nothing is allocated per request.
 */
public final class SeriesRing {

  /** Seconds kept: 15 minutes. */
  public static final int SLOTS = 900;

  private static final int STAMP = 0; // the epoch second the slot holds
  private static final int REQUESTS = 1;
  private static final int E4XX = 2;
  private static final int E5XX = 3;
  private static final int READY = 4; // gauges: -1 when not sampled in that second
  private static final int WANTED = 5;
  private static final int HELD = 6;
  private static final int COLD = 7; // cold starts begun in that second (a delta)
  private static final int HIST = 8;
  private static final int STRIDE = HIST + LatencyHistogram.COUNT;

  private final long[] data = new long[SLOTS * STRIDE];

  /** The pool's cumulative cold starts at the previous sample: the base of the next delta. */
  private long coldStartsBefore;

  /**
   * @param coldStartsTotal the pool's cumulative cold starts now, so that those before the ring
   *     existed are not counted in its first second
   */
  public SeriesRing(long coldStartsTotal) {
    for (int slot = 0; slot < SLOTS; slot++) {
      data[slot * STRIDE + STAMP] = Long.MIN_VALUE;
    }
    this.coldStartsBefore = coldStartsTotal;
  }

  /** A request answered in {@code second} with {@code status} after {@code nanos}. */
  public synchronized void record(long second, int status, long nanos) {
    int base = slot(second);
    if (base < 0) {
      return;
    }
    data[base + REQUESTS]++;
    if (status >= 400 && status < 500) {
      data[base + E4XX]++;
    } else if (status >= 500) {
      data[base + E5XX]++;
    }
    data[base + HIST + LatencyHistogram.bucket(nanos)]++;
  }

  /**
   * The pool's gauges as read in {@code second}; a later sample of the same second replaces the
   * gauges, and the cold starts of both are added.
   *
   * @param coldStartsTotal cumulative since the pool was made; the ring keeps the increase
   */
  public synchronized void sample(
      long second, int ready, int wanted, int held, long coldStartsTotal) {
    long started = Math.max(0, coldStartsTotal - coldStartsBefore);
    coldStartsBefore = coldStartsTotal;
    int base = slot(second);
    if (base < 0) {
      return;
    }
    data[base + READY] = ready;
    data[base + WANTED] = wanted;
    data[base + HELD] = held;
    data[base + COLD] = Math.max(0, data[base + COLD]) + started;
  }

  /** Another pool now serves the deployment: its cold starts count from this total. */
  public synchronized void rebase(long coldStartsTotal) {
    coldStartsBefore = coldStartsTotal;
  }

  /**
   * The start of slot {@code second}, cleared first if it held an older second; -1 for a second
   * older than the one the slot holds (a clock set back), which is dropped.
   */
  private int slot(long second) {
    int base = Math.floorMod(second, SLOTS) * STRIDE;
    long held = data[base + STAMP];
    if (held == second) {
      return base;
    }
    if (held > second) {
      return -1;
    }
    Arrays.fill(data, base, base + STRIDE, 0);
    data[base + STAMP] = second;
    data[base + READY] = -1;
    data[base + WANTED] = -1;
    data[base + HELD] = -1;
    data[base + COLD] = -1;
    return base;
  }

  /**
   * {@code steps} steps of {@code stepSeconds} each, the first starting at epoch second {@code
   * first}: per step the rates (count ÷ step), p50 and p99 of the merged histograms (null without a
   * request), the last gauge sample (null without one) and the cold starts begun (null without a
   * sample). Seconds the ring no longer (or never) held count as no request and no sample.
   */
  public synchronized DeploymentSeries window(long first, int steps, int stepSeconds) {
    DeploymentSeries.Builder out = new DeploymentSeries.Builder(steps);
    long[] merged = new long[LatencyHistogram.COUNT];
    for (int k = 0; k < steps; k++) {
      long requests = 0;
      long e4 = 0;
      long e5 = 0;
      long ready = -1;
      long wanted = -1;
      long held = -1;
      long cold = -1;
      Arrays.fill(merged, 0);
      long from = first + (long) k * stepSeconds;
      for (long s = from; s < from + stepSeconds; s++) {
        int base = Math.floorMod(s, SLOTS) * STRIDE;
        if (data[base + STAMP] != s) {
          continue;
        }
        requests += data[base + REQUESTS];
        e4 += data[base + E4XX];
        e5 += data[base + E5XX];
        for (int b = 0; b < LatencyHistogram.COUNT; b++) {
          merged[b] += data[base + HIST + b];
        }
        if (data[base + READY] >= 0) {
          ready = data[base + READY];
          wanted = data[base + WANTED];
          held = data[base + HELD];
          cold = Math.max(0, cold) + data[base + COLD];
        }
      }
      out.add(
          (double) requests / stepSeconds,
          LatencyHistogram.quantile(merged, 0, 0.50),
          LatencyHistogram.quantile(merged, 0, 0.99),
          (double) e4 / stepSeconds,
          (double) e5 / stepSeconds,
          ready < 0 ? null : ready,
          wanted < 0 ? null : wanted,
          held < 0 ? null : held,
          cold < 0 ? null : cold);
    }
    return out.build();
  }
}
