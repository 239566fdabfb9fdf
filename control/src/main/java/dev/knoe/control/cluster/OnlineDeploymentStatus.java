package dev.knoe.control.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * What the reconciler last found and did for a deployment (the chart's CRD status, Azure's names).
 *
 * @param provisioningState {@code Creating} (no revision of it served yet), {@code Updating} (an
 *     older revision serves while the current generation's is not Ready), {@code Succeeded} or
 *     {@code Failed}
 * @param message why it is not Succeeded (a spec problem, or Knative's reason and message)
 * @param revision the Knative revision of the current generation, {@code
 *     <endpoint>-<deployment>-<generation>}
 * @param scoringUri the endpoint's scoring URI (traffic to this deployment follows the endpoint's
 *     split)
 * @param url the URL of the deployment's traffic tag, which reaches it at any percentage
 * @param readyInstances pods of the current revision (Knative's actualReplicas), once it is Ready
 * @param observedGeneration the OnlineDeployment generation this status is about
 * @param conditions {@code Ready}
 *     <p>Status changes are the named lifecycle methods below: each takes the status before, the
 *     run's time and what the run found, and returns the status after, its Ready condition
 *     included.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OnlineDeploymentStatus(
    @JsonProperty("provisioning_state") String provisioningState,
    @JsonProperty("message") String message,
    @JsonProperty("revision") String revision,
    @JsonProperty("scoring_uri") String scoringUri,
    @JsonProperty("url") String url,
    @JsonProperty("ready_instances") Integer readyInstances,
    @JsonProperty("observed_generation") Long observedGeneration,
    @JsonProperty("conditions") List<StatusCondition> conditions) {

  /** The status of a deployment no run has written yet. */
  public static final OnlineDeploymentStatus NONE =
      new OnlineDeploymentStatus(null, null, null, null, null, null, null, null);

  /** {@code status}, or {@link #NONE} when there is none yet. */
  public static OnlineDeploymentStatus of(OnlineDeploymentStatus status) {
    return status == null ? NONE : status;
  }

  /**
   * Its current revision is Ready and traffic routes to it.
   *
   * @param readyInstances the revision's pods (Knative's actualReplicas)
   */
  public OnlineDeploymentStatus markSucceeded(
      String revision,
      String scoringUri,
      String url,
      int readyInstances,
      long generation,
      Instant now) {
    return next(
        ProvisioningState.SUCCEEDED,
        "Ready",
        null,
        revision,
        scoringUri,
        url,
        readyInstances,
        generation,
        now);
  }

  /**
   * Its current revision is on the way: {@code Updating} while an older revision of it serves, else
   * {@code Creating}.
   *
   * @param readyInstances pods of a Ready revision that traffic has not reached yet, else null
   */
  public OnlineDeploymentStatus markWaiting(
      boolean olderRevisionServes,
      String message,
      String revision,
      String scoringUri,
      String url,
      Integer readyInstances,
      long generation,
      Instant now) {
    String state = olderRevisionServes ? ProvisioningState.UPDATING : ProvisioningState.CREATING;
    return next(
        state, "Waiting", message, revision, scoringUri, url, readyInstances, generation, now);
  }

  /**
   * It failed: its spec, its model, its name, its revision (Knative's reason), or its endpoint is
   * gone. An older revision may still serve: {@code scoringUri} says so.
   */
  public OnlineDeploymentStatus markFailed(
      String reason,
      String message,
      String revision,
      String scoringUri,
      String url,
      long generation,
      Instant now) {
    return next(
        ProvisioningState.FAILED,
        reason,
        message,
        revision,
        scoringUri,
        url,
        null,
        generation,
        now);
  }

  private OnlineDeploymentStatus next(
      String state,
      String reason,
      String message,
      String revision,
      String scoringUri,
      String url,
      Integer readyInstances,
      long generation,
      Instant now) {
    return new OnlineDeploymentStatus(
        state,
        message,
        revision,
        scoringUri,
        url,
        readyInstances,
        generation,
        StatusCondition.ready(conditions, state, reason, message, now));
  }
}
