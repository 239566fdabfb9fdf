package dev.knoe.autoscaler.sim;

import java.util.SplittableRandom;

/** Poisson arrivals at a constant rate: exponential gaps with mean {@code 1 / rate}. */
public final class PoissonSource implements ArrivalSource {

  private final double rate;
  private final ServiceTime service;
  private final SplittableRandom random;
  private double arrival;
  private double serviceSeconds;

  /** @param rate requests per second, at least 0 (0: no request at all) */
  public PoissonSource(double rate, ServiceTime service, SplittableRandom random) {
    if (!(rate >= 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException("rate " + rate + "/s, must be at least 0");
    }
    this.rate = rate;
    this.service = service;
    this.random = random;
  }

  @Override
  public boolean next() {
    if (rate == 0) {
      return false;
    }
    arrival += -Math.log(1.0 - random.nextDouble()) / rate;
    serviceSeconds = service.sample(random);
    return true;
  }

  @Override
  public double arrival() {
    return arrival;
  }

  @Override
  public double service() {
    return serviceSeconds;
  }
}
