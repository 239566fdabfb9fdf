package dev.knoe.control.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A Kubernetes-style condition in a Knoe resource's status.
 *
 * @param type e.g. {@code Ready}
 * @param status {@code True}, {@code False} or {@code Unknown}
 * @param reason a CamelCase word, or null
 * @param message a sentence, or null
 * @param lastTransitionTime RFC 3339, when {@code status} last changed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StatusCondition(
    @JsonProperty("type") String type,
    @JsonProperty("status") String status,
    @JsonProperty("reason") String reason,
    @JsonProperty("message") String message,
    @JsonProperty("lastTransitionTime") String lastTransitionTime) {

  /** True when everything but the transition time is the same. */
  public boolean sameAs(StatusCondition other) {
    return other != null && type.equals(other.type) && status.equals(other.status)
        && java.util.Objects.equals(reason, other.reason) && java.util.Objects.equals(message, other.message);
  }
}
