package dev.knoe.autoscaler;

import java.util.ArrayDeque;

/**
 * The Knative Pod Autoscaler's decision for one deployment: the scaling step of Knative's {@code
 * pkg/autoscaler/scaling} (windows, panic mode, rate limits, activation scale, scale-down delay)
 * followed by what Knative's KPA reconciler adds (scale-to-zero timing, initial scale, min and
 * max).
 *
 * <p>The caller reports the metric ({@link #record}, every second) and asks for a decision ({@link
 * #decide}, every tick, 2 s in Knative) passing the time and the ready instances; nothing here
 * reads a clock or starts a thread, so a test or the simulator replays an hour in microseconds. Not
 * thread-safe: one owner.
 *
 * <p>Scale to zero, as Knative does it: the stable average must first fall to 0 (one stable window
 * without a request in flight); the deployment must have been active (had instances) for a stable
 * window; then it is "inactive" and keeps one instance for the longer of the grace period and the
 * retention period, after which it goes to 0. A request while inactive resets all of that.
 */
public final class Autoscaler {

  private static final long NONE = Long.MIN_VALUE;

  private final ScalingPolicy policy;
  private final MetricWindow window;
  private final long stableMillis;
  private final long panicMillis;
  private final long delayMillis;
  private final ArrayDeque<long[]> delayed =
      new ArrayDeque<>(); // {time, desired}, desired decreasing

  private long panicTime = NONE;
  private int maxPanicPods;
  private long activeSince = NONE;
  private long inactiveSince = NONE;
  private boolean initialized;

  public Autoscaler(ScalingPolicy policy) {
    this.policy = policy;
    this.stableMillis = policy.stableWindow().toMillis();
    this.panicMillis = policy.panicWindow().toMillis();
    this.delayMillis = policy.scaleDownDelay().toMillis();
    this.window = new MetricWindow(stableMillis, 1000);
  }

  public ScalingPolicy policy() {
    return policy;
  }

  /**
   * A sample of the metric for the whole deployment at {@code nowMillis}: the average number of
   * requests in flight (router queue included) over the last second, or requests per second.
   */
  public void record(long nowMillis, double value) {
    window.record(nowMillis, value);
  }

  /**
   * The instances wanted at {@code nowMillis} given {@code ready} ready instances. Changes the
   * decision state (panic, delays, scale-to-zero timers): call it once per tick.
   */
  public Decision decide(long nowMillis, int ready) {
    // A max_scale below the initial scale would otherwise hold the floor forever.
    int initialTarget =
        policy.maxScale() > 0
            ? Math.min(policy.initialScale(), policy.maxScale())
            : policy.initialScale();
    if (ready >= initialTarget) {
      initialized = true;
    }
    if (ready > 0 && activeSince == NONE) {
      activeSince = nowMillis;
    } else if (ready == 0) {
      // Nothing ready: whatever comes back is active anew, and inactive only after its own window.
      activeSince = NONE;
      inactiveSince = NONE;
    }
    double stable = window.average(nowMillis, stableMillis);
    double panic = window.average(nowMillis, panicMillis);
    double target = policy.effectiveTarget();
    String reason = "stable";

    // Rate limits are relative to what is ready; a deployment at 0 counts as 1 so it can start.
    double readyCount = Math.max(1, ready);
    double maxUp = Math.ceil(policy.maxScaleUpRate() * readyCount);
    double maxDown = Math.floor(readyCount / policy.maxScaleDownRate());
    double dspc = Math.ceil(stable / target);
    double dppc = Math.ceil(panic / target);
    int desiredStable = (int) Math.min(Math.max(dspc, maxDown), maxUp);
    int desiredPanic = (int) Math.min(Math.max(dppc, maxDown), maxUp);
    if (policy.activationScale() > 1) {
      // Any demand at all gets at least activation-scale instances.
      if (dspc > 0 && desiredStable < policy.activationScale()) {
        desiredStable = policy.activationScale();
      }
      if (dppc > 0 && desiredPanic < policy.activationScale()) {
        desiredPanic = policy.activationScale();
      }
    }

    // E.g. 2 ready and the panic window asks for ceil(95 / 22.4) = 5: 5 / 2 >= 200 % -> panic.
    boolean overThreshold = dppc / readyCount >= policy.panicThresholdPercentage() / 100.0;
    if (overThreshold) {
      panicTime = nowMillis; // enter, or extend: panic lasts a stable window past the last surge
    } else if (panicTime != NONE && nowMillis > panicTime + stableMillis) {
      panicTime = NONE;
      maxPanicPods = 0;
    }
    int desired = desiredStable;
    if (panicTime != NONE) {
      reason = "panic";
      desired = Math.max(desired, desiredPanic);
      // Never scale down while panicking.
      if (desired > maxPanicPods) {
        maxPanicPods = desired;
      } else {
        desired = maxPanicPods;
      }
    }

    if (delayMillis > 0) {
      int before = desired;
      desired = delayed(nowMillis, desired);
      if (desired > before) {
        reason = "scale-down delay";
      }
    }

    // Scale to zero (Knative's KPA reconciler: active for a stable window, then inactive for the
    // grace period).
    if (desired == 0) {
      if (!policy.enableScaleToZero()) {
        desired = 1;
        reason = "scale to zero disabled";
      } else if (activeSince != NONE && nowMillis - activeSince < stableMillis) {
        desired = 1;
        inactiveSince = NONE;
        reason = "waiting to scale to zero (active for less than the stable window)";
      } else if (ready > 0) {
        if (inactiveSince == NONE) {
          inactiveSince = nowMillis;
        }
        if (nowMillis - inactiveSince < policy.zeroDelay().toMillis()) {
          desired = 1;
          reason = "waiting to scale to zero (grace period)";
        } else {
          reason = "scaled to zero";
        }
      } else {
        reason = "scaled to zero";
      }
    } else {
      inactiveSince = NONE;
    }

    // Bounds: the initial scale is a floor until it was reached once.
    int min = initialized ? policy.minScale() : Math.max(policy.minScale(), policy.initialScale());
    if (desired < min) {
      desired = min;
      reason = initialized ? "min_scale" : "initial_scale";
    }
    if (policy.maxScale() > 0 && desired > policy.maxScale()) {
      desired = policy.maxScale();
      reason = "max_scale";
    }
    return new Decision(desired, ready, stable, panic, panicTime != NONE, reason);
  }

  /**
   * Treats the initial scale as reached: for a deployment that was already running under an earlier
   * policy (a change of its bounds is not a new generation, so it does not start over).
   */
  public void skipInitialScale() {
    initialized = true;
  }

  /** True while in panic mode. */
  public boolean panicking() {
    return panicTime != NONE;
  }

  /** The largest count wanted within the scale-down delay (Knative's {@code max.TimeWindow}). */
  private int delayed(long now, int desired) {
    while (!delayed.isEmpty() && delayed.peekLast()[1] <= desired) {
      delayed.pollLast();
    }
    delayed.addLast(new long[] {now, desired});
    while (delayed.peekFirst()[0] <= now - delayMillis) {
      delayed.pollFirst();
    }
    return (int) delayed.peekFirst()[1];
  }
}
