package dev.knoe.control.scoring;

import dev.knoe.autoscaler.ScalingPolicy;
import dev.knoe.control.spec.DeploymentSpec;
import dev.knoe.control.spec.ScaleSettings;

/**
 * A deployment's autoscaling policy, which the local autoscaler runs and Knative's annotations say.
 */
public final class Scaling {

  private Scaling() {}

  /** The deployment's scale and request settings over the platform's knobs ({@code base}). */
  public static ScalingPolicy policy(DeploymentSpec s, ScalingPolicy base) {
    ScaleSettings ss = s.scaleSettings();
    return ScalingPolicy.forDeployment(
        base,
        ss.type() == ScaleSettings.Type.TARGET_UTILIZATION,
        s.instanceCount(),
        ss.minInstances(),
        ss.maxInstances(),
        ss.targetUtilizationPercentage(),
        s.requestSettings().maxConcurrentRequestsPerInstance());
  }
}
