package dev.knoe.control.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

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
    return other != null
        && type.equals(other.type)
        && status.equals(other.status)
        && java.util.Objects.equals(reason, other.reason)
        && java.util.Objects.equals(message, other.message);
  }

  /**
   * The one condition Knoe's resources have, {@code Ready}, for a resource now in {@code state}.
   * Its transition time moves only when its status does (as Kubernetes conditions do), so a status
   * written again with the same outcome is equal to the one before and is not written.
   *
   * @param before the conditions of the status before, or null
   * @param reason a CamelCase word; {@code state} when null
   * @param now the run's time, kept to the second (RFC 3339 without fractions, as kubectl shows)
   */
  public static List<StatusCondition> ready(
      List<StatusCondition> before, String state, String reason, String message, Instant now) {
    String status = ProvisioningState.readyStatus(state);
    StatusCondition was =
        before == null
            ? null
            : before.stream().filter(c -> "Ready".equals(c.type())).findFirst().orElse(null);
    String time =
        was != null && status.equals(was.status())
            ? was.lastTransitionTime()
            : now.truncatedTo(ChronoUnit.SECONDS).toString();
    return List.of(
        new StatusCondition("Ready", status, reason == null ? state : reason, message, time));
  }
}
