package dev.knoe.autoscaler.sim;

import java.util.SplittableRandom;

/** Poisson arrivals at a constant rate: exponential gaps with mean {@code 1 / rate}. */
public final class PoissonSource extends GeneratedSource {

  private final double rate;

  /**
   * @param rate requests per second, at least 0 (0: no request at all)
   */
  public PoissonSource(double rate, ServiceTime service, SplittableRandom random) {
    super(service, random);
    if (!(rate >= 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException("rate " + rate + "/s, must be at least 0");
    }
    this.rate = rate;
  }

  @Override
  public boolean next() {
    if (rate == 0) {
      return false;
    }
    return emit(arrival + -Math.log(1.0 - random.nextDouble()) / rate);
  }
}
