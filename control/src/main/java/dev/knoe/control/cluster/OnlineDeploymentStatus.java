package dev.knoe.control.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What the reconciler last found and did for a deployment (the chart's CRD status, Azure's names).
 *
 * @param provisioningState {@code Creating} (no revision of it served yet), {@code Updating} (an
 *     older revision serves while the current generation's is not Ready), {@code Succeeded} or
 *     {@code Failed}
 * @param message why it is not Succeeded (a spec problem, or Knative's reason and message)
 * @param revision the Knative revision of the current generation, {@code <endpoint>-<deployment>-<generation>}
 * @param scoringUri the endpoint's scoring URI (traffic to this deployment follows the endpoint's split)
 * @param url the URL of the deployment's traffic tag, which reaches it at any percentage
 * @param readyInstances pods of the current revision (Knative's actualReplicas), once it is Ready
 * @param observedGeneration the OnlineDeployment generation this status is about
 * @param conditions {@code Ready}
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
    @JsonProperty("conditions") List<StatusCondition> conditions) {}
