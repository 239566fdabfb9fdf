package dev.knoe.control.endpoint;

import java.time.Instant;
import java.util.Map;

/**
 * An endpoint as the API shows it, whatever the backend: its spec, its state, where to score it and
 * its deployments. The control API writes it as JSON (Azure's field names); a field a backend
 * cannot know is null and left out.
 *
 * @param spec the spec in its YAML names ({@code name}, {@code auth_mode}, {@code traffic}, ...)
 * @param provisioningState {@code Creating}, {@code Updating}, {@code Succeeded}, {@code Failed} or
 *     {@code Deleting}
 * @param message why it is not Succeeded, or null
 * @param scoringUri absolute, or relative to the control API's address (the local router shares it)
 * @param openapiUri like {@code scoringUri}
 * @param traffic the split asked for
 * @param mirrorTraffic the mirror asked for
 * @param effectiveTraffic the split in effect, when it can lag the one asked (a cluster); else null
 * @param deployments one summary per deployment name
 * @param generation moved by every change of the spec
 * @param createdAt null when the backend does not know it
 * @param updatedAt null when the backend does not know it
 * @param etag what {@code If-Match} must repeat to change it
 */
public record EndpointView(
    Map<String, Object> spec,
    String provisioningState,
    String message,
    String scoringUri,
    String openapiUri,
    Map<String, Integer> traffic,
    Map<String, Integer> mirrorTraffic,
    Map<String, Integer> effectiveTraffic,
    Map<String, DeploymentSummary> deployments,
    long generation,
    Instant createdAt,
    Instant updatedAt,
    String etag) {

  /**
   * One deployment as its endpoint shows it.
   *
   * @param provisioningState the deployment's state
   * @param scoringUri where its traffic arrives (the endpoint's), or null
   * @param header the request header that sends a request to it alone, or null
   * @param revision its current Knative revision, or null
   * @param url the URL of its traffic tag, or null
   */
  public record DeploymentSummary(
      String provisioningState,
      String scoringUri,
      Map<String, String> header,
      String revision,
      String url) {}
}
