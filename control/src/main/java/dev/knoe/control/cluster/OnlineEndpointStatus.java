package dev.knoe.control.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the reconciler last found and did for an endpoint (the chart's CRD status, Azure's names).
 *
 * @param provisioningState {@code Creating}, {@code Updating}, {@code Succeeded} or {@code Failed}
 * @param message why it is not Succeeded, or null
 * @param scoringUri the Knative Service's URL + {@code /score}, once Knative gave it one
 * @param openapiUri the Knative Service's URL + {@code /swagger.json}
 * @param traffic the split in effect, by deployment name (what {@code spec.traffic} of the Knative
 *     Service holds, which can lag the asked split while a revision is not Ready)
 * @param observedGeneration the OnlineEndpoint generation this status is about
 * @param deployments a summary per deployment name
 * @param conditions {@code Ready}
 *     <p>Status changes are the named lifecycle methods below (in the spirit of Knative's {@code
 *     route_lifecycle.go}): each takes the status before, the run's time and what the run found,
 *     and returns the status after, its Ready condition included. A status the same as before is
 *     equal to it, so the reconciler writes only what changed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OnlineEndpointStatus(
    @JsonProperty("provisioning_state") String provisioningState,
    @JsonProperty("message") String message,
    @JsonProperty("scoring_uri") String scoringUri,
    @JsonProperty("openapi_uri") String openapiUri,
    @JsonProperty("traffic") Map<String, Integer> traffic,
    @JsonProperty("observed_generation") Long observedGeneration,
    @JsonProperty("deployments") Map<String, DeploymentSummary> deployments,
    @JsonProperty("conditions") List<StatusCondition> conditions) {

  /** The status of an endpoint no run has written yet. */
  public static final OnlineEndpointStatus NONE =
      new OnlineEndpointStatus(null, null, null, null, null, null, null, null);

  /** {@code status}, or {@link #NONE} when there is none yet. */
  public static OnlineEndpointStatus of(OnlineEndpointStatus status) {
    return status == null ? NONE : status;
  }

  /**
   * Where the endpoint is served, as this run found it.
   *
   * @param url the Knative Service's URL, null until Knative gives it one
   * @param traffic the split in effect by deployment name, or null
   * @param deployments a summary per deployment name
   */
  public record Serving(
      String url, Map<String, Integer> traffic, Map<String, DeploymentSummary> deployments) {}

  /** The endpoint's split is in effect and Knative routes it. */
  public OnlineEndpointStatus markSucceeded(Serving serving, long generation, Instant now) {
    return next(ProvisioningState.SUCCEEDED, "Ready", null, serving, generation, now);
  }

  /**
   * Knoe waits for Knative (a revision, the route): {@code Creating} while the endpoint never got
   * further, {@code Updating} once it did.
   */
  public OnlineEndpointStatus markWaiting(
      String message, Serving serving, long generation, Instant now) {
    String state =
        provisioningState == null || ProvisioningState.CREATING.equals(provisioningState)
            ? ProvisioningState.CREATING
            : ProvisioningState.UPDATING;
    return next(state, "Waiting", message, serving, generation, now);
  }

  /**
   * Shares of the endpoint's split cannot move: their deployments are missing or failed.
   *
   * @param problems one sentence per such share
   */
  public OnlineEndpointStatus markTrafficNotApplied(
      List<String> problems, Serving serving, long generation, Instant now) {
    String message = String.join("; ", problems) + "; the other shares are where they were";
    return next(ProvisioningState.FAILED, "TrafficNotApplied", message, serving, generation, now);
  }

  /**
   * The cluster refused some of the endpoint's Triggers; its traffic is served all the same.
   *
   * @param refusals one sentence per refused Trigger, with the cluster's words
   */
  public OnlineEndpointStatus markTriggersRefused(
      List<String> refusals, Serving serving, long generation, Instant now) {
    String message =
        String.join("; ", refusals)
            + "; the endpoint's traffic is served without "
            + (refusals.size() == 1 ? "it" : "them");
    return next(ProvisioningState.FAILED, "TriggerRefused", message, serving, generation, now);
  }

  /**
   * Failed before anything was written (an invalid spec, a name taken): what was in effect stays
   * shown, since the Knative objects are left as they are.
   */
  public OnlineEndpointStatus markFailed(
      String reason, String message, long generation, Instant now) {
    return new OnlineEndpointStatus(
        ProvisioningState.FAILED,
        message,
        scoringUri,
        openapiUri,
        traffic,
        generation,
        deployments,
        StatusCondition.ready(conditions, ProvisioningState.FAILED, reason, message, now));
  }

  private OnlineEndpointStatus next(
      String state, String reason, String message, Serving s, long generation, Instant now) {
    String url = s.url();
    return new OnlineEndpointStatus(
        state,
        message,
        url == null ? null : url + "/score",
        url == null ? null : url + "/swagger.json",
        s.traffic() == null ? null : new LinkedHashMap<>(s.traffic()),
        generation,
        s.deployments(),
        StatusCondition.ready(conditions, state, reason, message, now));
  }

  /**
   * One deployment as its endpoint shows it.
   *
   * @param provisioningState the deployment's state
   * @param revision the Knative revision of its current generation
   * @param url the URL of its traffic tag, once Knative routes it
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record DeploymentSummary(
      @JsonProperty("provisioning_state") String provisioningState,
      @JsonProperty("revision") String revision,
      @JsonProperty("url") String url) {}
}
