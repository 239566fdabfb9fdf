package dev.knoe.control.spec;

import java.util.Locale;
import java.util.Optional;

/**
 * How many instances a deployment runs.
 *
 * <p>{@link Type#DEFAULT}: a fixed size, {@code min = max = instance_count} (set by {@link
 * DeploymentSpec}). {@link Type#TARGET_UTILIZATION}: the autoscaler keeps each instance near {@code
 * targetUtilizationPercentage} of its {@code max_concurrent_requests_per_instance}, between {@code
 * minInstances} and {@code maxInstances}; {@code minInstances = 0} scales to zero when idle
 * (requests wait for an instance to start, as with Knative's activator).
 *
 * @param type {@link Type#DEFAULT} when not given
 * @param minInstances at least 0; 0 scales to zero; default 1
 * @param maxInstances at least 1 and at least {@code minInstances}; default 10
 * @param targetUtilizationPercentage 1..100, default 70 (Knative's and Azure's)
 * @param pollingInterval seconds between scaling decisions, at least 1; default 1
 */
public record ScaleSettings(
    Type type,
    int minInstances,
    int maxInstances,
    int targetUtilizationPercentage,
    int pollingInterval) {

  public static final int DEFAULT_MIN_INSTANCES = 1;
  public static final int DEFAULT_MAX_INSTANCES = 10;
  public static final int DEFAULT_TARGET_UTILIZATION_PERCENTAGE = 70;
  public static final int DEFAULT_POLLING_INTERVAL = 1;

  /** The scaling modes, as Azure names them. */
  public enum Type {
    DEFAULT("default"),
    TARGET_UTILIZATION("target_utilization");

    private final String value;

    Type(String value) {
      this.value = value;
    }

    /** The YAML value. */
    public String value() {
      return value;
    }

    /** {@code default} or {@code target_utilization}, in any case. */
    public static Optional<Type> fromValue(String value) {
      for (Type t : values()) {
        if (t.value.equals(value.toLowerCase(Locale.ROOT))) {
          return Optional.of(t);
        }
      }
      return Optional.empty();
    }
  }

  public ScaleSettings {
    if (type == null) {
      type = Type.DEFAULT;
    }
    var check = new Check();
    check.range("scale_settings.min_instances", minInstances, 0, DeploymentSpec.MAX_INSTANCES);
    check.range("scale_settings.max_instances", maxInstances, 1, DeploymentSpec.MAX_INSTANCES);
    if (check.ok() && maxInstances < minInstances) {
      check.add(
          "scale_settings.max_instances = "
              + maxInstances
              + ", must be at least min_instances = "
              + minInstances);
    }
    check.range(
        "scale_settings.target_utilization_percentage", targetUtilizationPercentage, 1, 100);
    check.atLeast("scale_settings.polling_interval", pollingInterval, 1);
    check.throwIfAny();
  }

  /** A fixed number of instances ({@link Type#DEFAULT}). */
  public static ScaleSettings fixed(int instances) {
    return new ScaleSettings(
        Type.DEFAULT,
        instances,
        instances,
        DEFAULT_TARGET_UTILIZATION_PERCENTAGE,
        DEFAULT_POLLING_INTERVAL);
  }

  /** Autoscaling between {@code min} and {@code max} with the default target and polling. */
  public static ScaleSettings targetUtilization(int min, int max) {
    return new ScaleSettings(
        Type.TARGET_UTILIZATION,
        min,
        max,
        DEFAULT_TARGET_UTILIZATION_PERCENTAGE,
        DEFAULT_POLLING_INTERVAL);
  }

  /** True when an idle deployment may have no instance at all. */
  public boolean scalesToZero() {
    return minInstances == 0;
  }
}
