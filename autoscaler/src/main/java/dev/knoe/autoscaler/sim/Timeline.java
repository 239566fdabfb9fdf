package dev.knoe.autoscaler.sim;

import java.util.Arrays;

/**
 * What one deployment did, second by second (for the plot): requests that arrived, the average
 * number in flight (queued or being served), the instances the decision wanted, the ready ones,
 * those held (starting, ready or draining: what is paid for), the autoscaler's stable-window
 * average at each decision, and the requests that waited for a cold start (by arrival second).
 */
public final class Timeline {

  private final String deployment;
  private final int seconds;
  final int[] arrivals;
  final double[] inFlight;
  final int[] desired;
  final int[] ready;
  final int[] held;
  final double[] stable;
  final int[] coldWaited;
  int fixedSize;

  public Timeline(String deployment, int seconds) {
    this.deployment = deployment;
    this.seconds = seconds;
    arrivals = new int[seconds];
    inFlight = new double[seconds];
    desired = new int[seconds];
    ready = new int[seconds];
    held = new int[seconds];
    stable = new double[seconds];
    Arrays.fill(stable, Double.NaN);
    coldWaited = new int[seconds];
  }

  public String deployment() {
    return deployment;
  }

  /** Seconds covered. */
  public int seconds() {
    return seconds;
  }

  /** Size of the fixed deployment it is compared with. */
  public int fixedSize() {
    return fixedSize;
  }

  public int[] arrivals() {
    return arrivals.clone();
  }

  public double[] inFlight() {
    return inFlight.clone();
  }

  public int[] desired() {
    return desired.clone();
  }

  public int[] ready() {
    return ready.clone();
  }

  public int[] held() {
    return held.clone();
  }

  public int[] coldWaited() {
    return coldWaited.clone();
  }
}
