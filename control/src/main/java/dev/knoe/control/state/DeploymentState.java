package dev.knoe.control.state;

import dev.knoe.control.model.ModelVersion;
import dev.knoe.control.spec.DeploymentSpec;
import java.time.Instant;

/**
 * A deployment as stored: its spec, the registered model version it resolved to, a generation
 * bumped by every change of the spec (each generation is a new set of instances, rolled in), and
 * its state.
 */
public record DeploymentState(
    DeploymentSpec spec,
    ModelVersion model,
    long generation,
    ProvisioningState state,
    String message,
    Instant createdAt,
    Instant updatedAt) {

  public String name() {
    return spec.name();
  }

  public String endpoint() {
    return spec.endpointName();
  }

  public DeploymentState with(ProvisioningState next, String why) {
    return new DeploymentState(spec, model, generation, next, why, createdAt, updatedAt);
  }

  public String etag() {
    return "\"" + generation + "\"";
  }
}
