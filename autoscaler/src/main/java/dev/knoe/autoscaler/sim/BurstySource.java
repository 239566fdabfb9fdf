package dev.knoe.autoscaler.sim;

import java.util.SplittableRandom;

/**
 * A two-state Markov-modulated Poisson process: quiet periods at {@code quietRate} (0 allowed: no
 * request at all) alternate with bursts at {@code burstRate}; each period lasts an exponentially
 * distributed time with its mean. It starts quiet. Exponential gaps are memoryless, so at a change
 * of state the next arrival is drawn again at the new rate.
 */
public final class BurstySource extends GeneratedSource {

  private final double quietRate;
  private final double burstRate;
  private final double quietMean;
  private final double burstMean;
  private boolean burst;
  private double stateEnd;

  public BurstySource(
      double quietRate,
      double burstRate,
      double quietMeanSeconds,
      double burstMeanSeconds,
      ServiceTime service,
      SplittableRandom random) {
    super(service, random);
    if (!(quietRate >= 0)
        || !(burstRate >= 0)
        || Double.isInfinite(quietRate)
        || Double.isInfinite(burstRate)) {
      throw new IllegalArgumentException(
          "bursty rates " + quietRate + " and " + burstRate + "/s, must be at least 0");
    }
    if (!(quietMeanSeconds > 0) || !(burstMeanSeconds > 0)) {
      throw new IllegalArgumentException(
          "bursty periods "
              + quietMeanSeconds
              + " s quiet, "
              + burstMeanSeconds
              + " s burst, must be above 0");
    }
    this.quietRate = quietRate;
    this.burstRate = burstRate;
    this.quietMean = quietMeanSeconds;
    this.burstMean = burstMeanSeconds;
    this.stateEnd = exp(quietMean);
  }

  @Override
  public boolean next() {
    if (quietRate == 0 && burstRate == 0) {
      return false;
    }
    double t = arrival;
    while (true) {
      double rate = burst ? burstRate : quietRate;
      double candidate = rate > 0 ? t + exp(1 / rate) : Double.POSITIVE_INFINITY;
      if (candidate < stateEnd) {
        return emit(candidate);
      }
      t = stateEnd;
      burst = !burst;
      stateEnd = t + exp(burst ? burstMean : quietMean);
    }
  }

  private double exp(double mean) {
    return -mean * Math.log(1.0 - random.nextDouble());
  }
}
