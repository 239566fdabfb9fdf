package dev.knoe.autoscaler.sim;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How long an instance works on a generated request.
 *
 * @param exponential true: exponentially distributed with mean {@code meanSeconds}; false: always
 *     {@code meanSeconds}
 * @param meanSeconds the mean, at least 0
 */
public record ServiceTime(boolean exponential, double meanSeconds) {

  public ServiceTime {
    if (!(meanSeconds >= 0) || Double.isInfinite(meanSeconds)) {
      throw new IllegalArgumentException("service time " + meanSeconds + " s, must be at least 0");
    }
  }

  public static ServiceTime exponential(double meanSeconds) {
    return new ServiceTime(true, meanSeconds);
  }

  public static ServiceTime fixed(double meanSeconds) {
    return new ServiceTime(false, meanSeconds);
  }

  /** One service time. */
  public double sample(SplittableRandom random) {
    return exponential ? -meanSeconds * Math.log(1.0 - random.nextDouble()) : meanSeconds;
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "%s %s ms",
        exponential ? "exponential, mean" : "fixed",
        Report.number(meanSeconds * 1000));
  }
}
