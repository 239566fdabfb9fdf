package dev.knoe.control.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * What the reconciler last found and did for an endpoint (the chart's CRD status, Azure's names).
 *
 * @param provisioningState {@code Creating}, {@code Updating}, {@code Succeeded} or {@code Failed}
 * @param message why it is not Succeeded, or null
 * @param scoringUri the Knative Service's URL + {@code /score}, once Knative gave it one
 * @param openapiUri the Knative Service's URL + {@code /swagger.json}
 * @param traffic the split in effect, by deployment name (what {@code spec.traffic} of the
 *     Knative Service holds, which can lag the asked split while a revision is not Ready)
 * @param observedGeneration the OnlineEndpoint generation this status is about
 * @param deployments a summary per deployment name
 * @param conditions {@code Ready}
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
