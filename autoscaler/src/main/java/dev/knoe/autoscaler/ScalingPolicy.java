package dev.knoe.autoscaler;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every knob of one deployment's autoscaling, with Knative's names and defaults ({@code
 * config-autoscaler}); the decision ({@link Autoscaler}) reads nothing else.
 *
 * @param minScale instances kept at least; 0 lets the deployment scale to zero
 * @param maxScale instances at most; 0 means no limit (Knative's convention)
 * @param initialScale instances a new deployment (generation) starts with, held until that many
 *     were ready once; at least 1
 * @param activationScale instances at least, whenever there is any demand (scale from zero goes
 *     straight there); at least 1
 * @param metric what is averaged: in-flight requests or requests per second
 * @param target the per-instance value of {@code metric} aimed at, before utilization (Knative's
 *     {@code autoscaling.knative.dev/target}); for concurrency, defaults to {@code
 *     containerConcurrency}
 * @param targetUtilizationPercentage share of {@code target} aimed at: 70 keeps 30 % headroom
 * @param containerConcurrency hard limit of requests an instance works on at once; 0 = unlimited
 * @param stableWindow the averaging window of the stable mode: 6 s to 1 h
 * @param panicWindowPercentage the panic window as a share of the stable one: 1 to 100
 * @param panicThresholdPercentage panic when the panic window asks for this share of the ready
 *     capacity: 110 to 1000
 * @param maxScaleUpRate one decision multiplies the ready instances by at most this: above 1
 * @param maxScaleDownRate one decision divides the ready instances by at most this: above 1
 * @param scaleDownDelay a lower count takes effect only after being wanted for this long
 * @param scaleToZeroGracePeriod an idle deployment keeps one instance this long after being marked
 *     inactive (Knative: the time the activator needs to be in the path)
 * @param scaleToZeroRetention the last instance is kept at least this long (Knative's
 *     scale-to-zero-pod-retention-period); the wait is the longer of this and the grace period
 * @param enableScaleToZero false keeps at least one instance whatever {@code minScale} says
 */
public record ScalingPolicy(
    int minScale,
    int maxScale,
    int initialScale,
    int activationScale,
    Metric metric,
    double target,
    double targetUtilizationPercentage,
    int containerConcurrency,
    Duration stableWindow,
    double panicWindowPercentage,
    double panicThresholdPercentage,
    double maxScaleUpRate,
    double maxScaleDownRate,
    Duration scaleDownDelay,
    Duration scaleToZeroGracePeriod,
    Duration scaleToZeroRetention,
    boolean enableScaleToZero) {

  /** Knative's concurrency target when a revision sets no containerConcurrency. */
  public static final double DEFAULT_CONCURRENCY_TARGET = 100;

  /** Knative's requests-per-second target. */
  public static final double DEFAULT_RPS_TARGET = 200;

  /** The averaged quantity; the values are Knative's {@code autoscaling.knative.dev/metric}. */
  public enum Metric {
    CONCURRENCY("concurrency"),
    RPS("rps");

    private final String value;

    Metric(String value) {
      this.value = value;
    }

    public String value() {
      return value;
    }
  }

  public ScalingPolicy {
    StringBuilder errors = new StringBuilder();
    atLeast(errors, "min_scale", minScale, 0);
    atLeast(errors, "max_scale", maxScale, 0);
    if (maxScale > 0 && maxScale < minScale) {
      errors
          .append("; max_scale = ")
          .append(maxScale)
          .append(", must be at least min_scale = ")
          .append(minScale);
    }
    atLeast(errors, "initial_scale", initialScale, 1);
    atLeast(errors, "activation_scale", activationScale, 1);
    if (metric == null) {
      errors.append("; metric is required");
    }
    if (!(target > 0)) {
      errors.append("; target = ").append(target).append(", must be above 0");
    }
    if (!(targetUtilizationPercentage >= 1 && targetUtilizationPercentage <= 100)) {
      errors
          .append("; target_utilization_percentage = ")
          .append(targetUtilizationPercentage)
          .append(", must be between 1 and 100");
    }
    atLeast(errors, "container_concurrency", containerConcurrency, 0);
    if (stableWindow == null
        || stableWindow.compareTo(Duration.ofSeconds(6)) < 0
        || stableWindow.compareTo(Duration.ofHours(1)) > 0) {
      errors.append("; window = ").append(stableWindow).append(", must be between 6s and 1h");
    }
    if (!(panicWindowPercentage >= 1 && panicWindowPercentage <= 100)) {
      errors
          .append("; panic_window_percentage = ")
          .append(panicWindowPercentage)
          .append(", must be between 1 and 100");
    }
    if (!(panicThresholdPercentage >= 110 && panicThresholdPercentage <= 1000)) {
      errors
          .append("; panic_threshold_percentage = ")
          .append(panicThresholdPercentage)
          .append(", must be between 110 and 1000");
    }
    if (!(maxScaleUpRate > 1)) {
      errors.append("; max_scale_up_rate = ").append(maxScaleUpRate).append(", must be above 1");
    }
    if (!(maxScaleDownRate > 1)) {
      errors
          .append("; max_scale_down_rate = ")
          .append(maxScaleDownRate)
          .append(", must be above 1");
    }
    // Knative takes windows and delays in whole seconds (its webhook refuses "6500ms"), and so does
    // its config-autoscaler: one rule for both backends.
    wholeSeconds(errors, "window", stableWindow);
    notNegative(errors, "scale_down_delay", scaleDownDelay);
    wholeSeconds(errors, "scale_down_delay", scaleDownDelay);
    if (scaleDownDelay != null && scaleDownDelay.compareTo(Duration.ofHours(1)) > 0) {
      errors.append("; scale_down_delay = ").append(scaleDownDelay).append(", must be at most 1h");
    }
    notNegative(errors, "scale_to_zero_grace_period", scaleToZeroGracePeriod);
    notNegative(errors, "scale_to_zero_retention", scaleToZeroRetention);
    if (scaleToZeroRetention != null && scaleToZeroRetention.compareTo(Duration.ofHours(1)) > 0) {
      errors
          .append("; scale_to_zero_retention = ")
          .append(scaleToZeroRetention)
          .append(", must be at most 1h");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(errors.substring(2));
    }
  }

  /** Knative's defaults: a builder to change some of them. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this policy. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * The policy of a deployment: Azure's {@code scale_settings} and {@code request_settings} over
   * platform-wide defaults ({@code base}, Knative's {@code config-autoscaler}).
   *
   * <p>{@code default} scaling is a fixed size: min = max = initial = {@code instanceCount}. {@code
   * target_utilization} keeps each instance near {@code utilization} % of its {@code maxConcurrent}
   * requests, between {@code minInstances} (0 = scale to zero) and {@code maxInstances}, starting
   * with {@code instanceCount}. E.g. 32 concurrent requests per instance at 70 % aim at 22.4 in
   * flight per instance: 50 steady requests in flight want ceil(50 / 22.4) = 3.
   */
  public static ScalingPolicy forDeployment(
      ScalingPolicy base,
      boolean autoscaled,
      int instanceCount,
      int minInstances,
      int maxInstances,
      int utilization,
      int maxConcurrent) {
    Builder b =
        base.toBuilder()
            .containerConcurrency(maxConcurrent)
            .metric(Metric.CONCURRENCY)
            .target(maxConcurrent)
            .initialScale(instanceCount);
    return autoscaled
        ? b.minScale(minInstances)
            .maxScale(maxInstances)
            .targetUtilizationPercentage(utilization)
            .build()
        : b.minScale(instanceCount).maxScale(instanceCount).build();
  }

  /** The per-instance value aimed at: {@code target x utilization}. */
  public double effectiveTarget() {
    return target * targetUtilizationPercentage / 100.0;
  }

  /** True when the size never changes: min = max. */
  public boolean fixed() {
    return maxScale > 0 && minScale == maxScale;
  }

  /** The panic window: {@code panicWindowPercentage} of the stable one (6 s of 60 s by default). */
  public Duration panicWindow() {
    return Duration.ofMillis(
        Math.max(1, Math.round(stableWindow.toMillis() * panicWindowPercentage / 100.0)));
  }

  /** How long the last instance stays after the deployment went idle and was marked inactive. */
  public Duration zeroDelay() {
    return scaleToZeroGracePeriod.compareTo(scaleToZeroRetention) >= 0
        ? scaleToZeroGracePeriod
        : scaleToZeroRetention;
  }

  /**
   * The revision-template annotations that make Knative's KPA follow this policy. Knobs that
   * Knative only reads from its cluster-wide {@code config-autoscaler} (scale rates, grace period,
   * enable-scale-to-zero) are not annotations: {@link #clusterSettings()} has them.
   */
  public Map<String, String> annotations() {
    Map<String, String> a = new LinkedHashMap<>();
    String p = "autoscaling.knative.dev/";
    a.put(p + "class", "kpa.autoscaling.knative.dev");
    a.put(p + "metric", metric.value());
    a.put(p + "target", number(target));
    a.put(p + "target-utilization-percentage", number(targetUtilizationPercentage));
    a.put(p + "min-scale", Integer.toString(minScale));
    a.put(p + "max-scale", Integer.toString(maxScale));
    a.put(p + "initial-scale", Integer.toString(initialScale));
    activationAnnotation().ifPresent(v -> a.put(p + "activation-scale", Integer.toString(v)));
    a.put(p + "window", seconds(stableWindow));
    a.put(p + "panic-window-percentage", number(panicWindowPercentage));
    a.put(p + "panic-threshold-percentage", number(panicThresholdPercentage));
    a.put(p + "scale-down-delay", seconds(scaleDownDelay));
    a.put(p + "scale-to-zero-pod-retention-period", seconds(scaleToZeroRetention));
    return a;
  }

  /**
   * The {@code activation-scale} annotation, when it says something {@code min-scale} does not.
   * Knative refuses the annotation unless {@code min-scale <= activation-scale <= max-scale} and it
   * is at least 2 (its own default, unwritten, is 1), so: activation 1 is never written; one at or
   * below min-scale is already implied by it; one above max-scale is capped there, as the decision
   * caps it. E.g. min 0, max 5: activation 3 is written as 3, 8 as 5; min 3: activation 2 is not
   * written.
   */
  java.util.Optional<Integer> activationAnnotation() {
    int effective = maxScale == 0 ? activationScale : Math.min(activationScale, maxScale);
    return effective > Math.max(1, minScale)
        ? java.util.Optional.of(effective)
        : java.util.Optional.empty();
  }

  /** The {@code config-autoscaler} entries this policy needs from the cluster. */
  public Map<String, String> clusterSettings() {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("enable-scale-to-zero", Boolean.toString(enableScaleToZero));
    c.put("scale-to-zero-grace-period", seconds(scaleToZeroGracePeriod));
    c.put("max-scale-up-rate", number(maxScaleUpRate));
    c.put("max-scale-down-rate", number(maxScaleDownRate));
    return c;
  }

  private static String number(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%s", v);
  }

  /** Knative durations are Go durations: whole seconds print as {@code 60s}, others in ms. */
  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  private static void wholeSeconds(StringBuilder errors, String name, Duration d) {
    if (d != null && d.toMillis() % 1000 != 0) {
      errors
          .append("; ")
          .append(name)
          .append(" = ")
          .append(d.toMillis())
          .append("ms, must be whole seconds");
    }
  }

  private static void atLeast(StringBuilder errors, String name, int value, int min) {
    if (value < min) {
      errors
          .append("; ")
          .append(name)
          .append(" = ")
          .append(value)
          .append(", must be at least ")
          .append(min);
    }
  }

  private static void notNegative(StringBuilder errors, String name, Duration d) {
    if (d == null || d.isNegative()) {
      errors.append("; ").append(name).append(" = ").append(d).append(", must be at least 0");
    }
  }

  /** Starts from Knative's defaults ({@code config-autoscaler.yaml}). */
  public static final class Builder {
    private int minScale = 0;
    private int maxScale = 0;
    private int initialScale = 1;
    private int activationScale = 1;
    private Metric metric = Metric.CONCURRENCY;
    private Double target;
    private double targetUtilizationPercentage = 70;
    private int containerConcurrency = 0;
    private Duration stableWindow = Duration.ofSeconds(60);
    private double panicWindowPercentage = 10;
    private double panicThresholdPercentage = 200;
    private double maxScaleUpRate = 1000;
    private double maxScaleDownRate = 2;
    private Duration scaleDownDelay = Duration.ZERO;
    private Duration scaleToZeroGracePeriod = Duration.ofSeconds(30);
    private Duration scaleToZeroRetention = Duration.ZERO;
    private boolean enableScaleToZero = true;

    private Builder() {}

    private Builder(ScalingPolicy p) {
      minScale = p.minScale;
      maxScale = p.maxScale;
      initialScale = p.initialScale;
      activationScale = p.activationScale;
      metric = p.metric;
      target = p.target;
      targetUtilizationPercentage = p.targetUtilizationPercentage;
      containerConcurrency = p.containerConcurrency;
      stableWindow = p.stableWindow;
      panicWindowPercentage = p.panicWindowPercentage;
      panicThresholdPercentage = p.panicThresholdPercentage;
      maxScaleUpRate = p.maxScaleUpRate;
      maxScaleDownRate = p.maxScaleDownRate;
      scaleDownDelay = p.scaleDownDelay;
      scaleToZeroGracePeriod = p.scaleToZeroGracePeriod;
      scaleToZeroRetention = p.scaleToZeroRetention;
      enableScaleToZero = p.enableScaleToZero;
    }

    public Builder minScale(int v) {
      minScale = v;
      return this;
    }

    public Builder maxScale(int v) {
      maxScale = v;
      return this;
    }

    public Builder initialScale(int v) {
      initialScale = v;
      return this;
    }

    public Builder activationScale(int v) {
      activationScale = v;
      return this;
    }

    public Builder metric(Metric v) {
      metric = v;
      return this;
    }

    public Builder target(double v) {
      target = v;
      return this;
    }

    public Builder targetUtilizationPercentage(double v) {
      targetUtilizationPercentage = v;
      return this;
    }

    public Builder containerConcurrency(int v) {
      containerConcurrency = v;
      return this;
    }

    public Builder stableWindow(Duration v) {
      stableWindow = v;
      return this;
    }

    public Builder panicWindowPercentage(double v) {
      panicWindowPercentage = v;
      return this;
    }

    public Builder panicThresholdPercentage(double v) {
      panicThresholdPercentage = v;
      return this;
    }

    public Builder maxScaleUpRate(double v) {
      maxScaleUpRate = v;
      return this;
    }

    public Builder maxScaleDownRate(double v) {
      maxScaleDownRate = v;
      return this;
    }

    public Builder scaleDownDelay(Duration v) {
      scaleDownDelay = v;
      return this;
    }

    public Builder scaleToZeroGracePeriod(Duration v) {
      scaleToZeroGracePeriod = v;
      return this;
    }

    public Builder scaleToZeroRetention(Duration v) {
      scaleToZeroRetention = v;
      return this;
    }

    public Builder enableScaleToZero(boolean v) {
      enableScaleToZero = v;
      return this;
    }

    public ScalingPolicy build() {
      double t =
          target != null
              ? target
              : metric == Metric.RPS
                  ? DEFAULT_RPS_TARGET
                  : containerConcurrency > 0 ? containerConcurrency : DEFAULT_CONCURRENCY_TARGET;
      return new ScalingPolicy(
          minScale,
          maxScale,
          initialScale,
          activationScale,
          metric,
          t,
          targetUtilizationPercentage,
          containerConcurrency,
          stableWindow,
          panicWindowPercentage,
          panicThresholdPercentage,
          maxScaleUpRate,
          maxScaleDownRate,
          scaleDownDelay,
          scaleToZeroGracePeriod,
          scaleToZeroRetention,
          enableScaleToZero);
    }
  }
}
