package dev.knoe.autoscaler.sim;

import java.util.SplittableRandom;

/**
 * What the generated sources share: the current request, a service time drawn for each arrival from
 * the same random stream.
 */
abstract class GeneratedSource implements ArrivalSource {

  protected final ServiceTime service;
  protected final SplittableRandom random;
  protected double arrival;
  private double serviceSeconds;

  GeneratedSource(ServiceTime service, SplittableRandom random) {
    this.service = service;
    this.random = random;
  }

  /** Makes {@code at} the current request's arrival and draws its service time; true. */
  protected final boolean emit(double at) {
    arrival = at;
    serviceSeconds = service.sample(random);
    return true;
  }

  @Override
  public final double arrival() {
    return arrival;
  }

  @Override
  public final double service() {
    return serviceSeconds;
  }
}
