package dev.knoe.control.endpoint;

import dev.knoe.control.model.ModelVersion;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A deployment as the API shows it, whatever the backend. The control API writes it as JSON
 * (Azure's field names); a field a backend cannot know is null and left out.
 *
 * @param spec the spec in its YAML names
 * @param endpoint the endpoint's name
 * @param name the deployment's name
 * @param provisioningState {@code Creating}, {@code Updating}, {@code Succeeded} or {@code Failed}
 * @param message why it is not Succeeded, or null
 * @param registeredModel the registered model version it serves, or null when unknown here
 * @param readyInstances instances (pods) of the current generation ready to serve
 * @param desiredInstances what the autoscaler wants now, or null for a fixed size or when unknown
 * @param scaling the autoscaler's last decision in words, or null
 * @param instances the instances the router sends to, or null when the router is not this process
 * @param revision its current Knative revision, or null
 * @param url the URL of its traffic tag, or null
 * @param scoringUri the endpoint's, absolute or relative to the control API's address
 * @param generation moved by every change of the spec
 * @param createdAt null when the backend does not know it
 * @param updatedAt null when the backend does not know it
 * @param etag what {@code If-Match} must repeat to change it
 */
public record DeploymentView(
    Map<String, Object> spec,
    String endpoint,
    String name,
    String provisioningState,
    String message,
    ModelVersion registeredModel,
    int readyInstances,
    Integer desiredInstances,
    String scaling,
    List<Instance> instances,
    String revision,
    String url,
    String scoringUri,
    long generation,
    Instant createdAt,
    Instant updatedAt,
    String etag) {

  /** An instance the router sends to: its id, address and requests in flight. */
  public record Instance(String id, String url, int inFlight) {}
}
