package dev.knoe.autoscaler.sim;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Generated traffic, the same pattern for every deployment, each with its own random stream drawn
 * from the seed and the deployment's index (so a run does not depend on the number of threads and
 * the fixed-size run replays exactly the autoscaled run's requests).
 *
 * @param kind poisson, diurnal or bursty
 * @param rate poisson: the rate; diurnal: the lowest rate; bursty: the quiet rate (requests/s)
 * @param peak diurnal: the highest rate; bursty: the rate during a burst
 * @param periodSeconds diurnal: the length of a cycle
 * @param quietSeconds bursty: mean length of a quiet period
 * @param burstSeconds bursty: mean length of a burst
 * @param service service times
 * @param deployments how many deployments
 * @param seed the seed
 */
public record Pattern(
    Kind kind,
    double rate,
    double peak,
    double periodSeconds,
    double quietSeconds,
    double burstSeconds,
    ServiceTime service,
    int deployments,
    long seed)
    implements Workload {

  public enum Kind {
    POISSON,
    DIURNAL,
    BURSTY
  }

  public Pattern {
    if (deployments < 1) {
      throw new IllegalArgumentException("deployments = " + deployments + ", must be at least 1");
    }
    // Checks the rates and periods once, rather than in every worker.
    source(
        kind,
        rate,
        peak,
        periodSeconds,
        quietSeconds,
        burstSeconds,
        service,
        new SplittableRandom(0));
  }

  @Override
  public String name(int i) {
    return "deployment-" + (i + 1);
  }

  @Override
  public ArrivalSource open(int i) {
    return source(
        kind,
        rate,
        peak,
        periodSeconds,
        quietSeconds,
        burstSeconds,
        service,
        new SplittableRandom(seedOf(seed, i)));
  }

  /**
   * The seed of deployment {@code i}'s stream: SplitMix64's finalizer over the seed and the index.
   */
  static long seedOf(long seed, int i) {
    long z = seed * 0x9E3779B97F4A7C15L + (i + 1) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static ArrivalSource source(
      Kind kind,
      double rate,
      double peak,
      double period,
      double quiet,
      double burst,
      ServiceTime service,
      SplittableRandom random) {
    return switch (kind) {
      case POISSON -> new PoissonSource(rate, service, random);
      case DIURNAL -> new DiurnalSource(rate, peak, period, service, random);
      case BURSTY -> new BurstySource(rate, peak, quiet, burst, service, random);
    };
  }

  @Override
  public String describe() {
    String s =
        switch (kind) {
          case POISSON -> "poisson " + Report.number(rate) + "/s";
          case DIURNAL ->
              "diurnal "
                  + Report.number(rate)
                  + " to "
                  + Report.number(peak)
                  + "/s over "
                  + Report.duration(periodSeconds);
          case BURSTY ->
              "bursty "
                  + Report.number(rate)
                  + "/s quiet (mean "
                  + Report.duration(quietSeconds)
                  + "), "
                  + Report.number(peak)
                  + "/s bursts (mean "
                  + Report.duration(burstSeconds)
                  + ")";
        };
    return String.format(Locale.ROOT, "%s, service %s, seed %d", s, service, seed);
  }
}
