package dev.knoe.control.state;

import dev.knoe.control.credentials.EndpointKeys;
import dev.knoe.control.spec.EndpointSpec;
import java.time.Instant;

/**
 * An endpoint as stored: its spec, a generation bumped by every change (the ETag), its keys and its
 * state.
 */
public record EndpointState(
    EndpointSpec spec,
    long generation,
    EndpointKeys keys,
    ProvisioningState state,
    String message,
    Instant createdAt,
    Instant updatedAt) {

  public String name() {
    return spec.name();
  }

  public EndpointState with(EndpointSpec next, Instant now) {
    return new EndpointState(next, generation + 1, keys, state, message, createdAt, now);
  }

  public EndpointState with(EndpointKeys next, Instant now) {
    return new EndpointState(spec, generation + 1, next, state, message, createdAt, now);
  }

  public EndpointState with(ProvisioningState next, String why) {
    return new EndpointState(spec, generation, keys, next, why, createdAt, updatedAt);
  }

  public String etag() {
    return "\"" + generation + "\"";
  }
}
