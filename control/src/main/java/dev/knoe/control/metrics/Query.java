package dev.knoe.control.metrics;

import java.util.List;

/**
 * What to read: an endpoint's deployments over the last {@code windowSeconds}, in steps of {@code
 * stepSeconds}. The window is a whole number of steps: {@code windowSeconds} is rounded down to
 * one, e.g. 900 s in steps of 7 s is 128 steps (896 s).
 *
 * <p>The window ends where the current second starts ({@code endSecond}, read by the source from
 * its clock): the current, partial second is left out, so the last point of a chart refreshed every
 * second does not dip while its second is still counting.
 *
 * @param deployments the endpoint's deployments now, in the order to answer them
 */
public record Query(
    String endpoint, List<String> deployments, long windowSeconds, long stepSeconds) {

  public Query {
    deployments = List.copyOf(deployments);
    if (stepSeconds < 1 || windowSeconds < stepSeconds) {
      throw new IllegalArgumentException(
          "step = " + stepSeconds + " s, window = " + windowSeconds + " s: 1 ≤ step ≤ window");
    }
    windowSeconds = windowSeconds / stepSeconds * stepSeconds;
  }

  public int steps() {
    return (int) (windowSeconds / stepSeconds);
  }

  /** Epoch second at which the first step starts, when the window ends at {@code endSecond}. */
  public long firstSecond(long endSecond) {
    return endSecond - windowSeconds;
  }

  /** The start of each step, oldest first, when the window ends at {@code endSecond}. */
  public List<Long> timestamps(long endSecond) {
    return Figures.timestamps(firstSecond(endSecond), steps(), stepSeconds);
  }
}
