package dev.knoe.control.spec;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * A Knoe extension: CloudEvents from a broker that are scored on the endpoint. On a cluster this
 * becomes a Knative Eventing Trigger on {@code broker} whose subscriber is the endpoint.
 *
 * @param broker the broker's name; {@code default} (Knative's usual broker) when not given
 * @param filter CloudEvents attributes an event must carry exactly, e.g. {@code {type:
 *     com.example.order.created}}; never empty
 */
public record Trigger(String broker, Map<String, String> filter) {

  public static final String DEFAULT_BROKER = "default";

  /** The type of the events an endpoint answers with. */
  static final String RESPONSE_TYPE = "knoe.score.response";

  private static final Pattern BROKER = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");

  /**
   * Knative Eventing's rule for filter attribute names ({@code ^[a-z][a-z0-9]*$}, its Trigger
   * webhook), within CloudEvents' 20 characters: what its webhook would refuse is refused here
   * first.
   */
  private static final Pattern ATTRIBUTE = Pattern.compile("^[a-z][a-z0-9]{0,19}$");

  public Trigger {
    var check = new Check();
    if (broker == null) {
      broker = DEFAULT_BROKER;
    }
    if (!BROKER.matcher(broker).matches()) {
      check.add(
          "broker '" + broker + "' must be a Kubernetes name: lowercase letters, digits and '-'");
    }
    filter = check.copy("filter", filter);
    if (filter.isEmpty()) {
      // The endpoint's replies go back to the broker: a trigger that takes every event would take
      // those replies too, and score them again, forever.
      check.add(
          "filter is empty; give at least type, e.g. {type: com.example.order.created}, since an"
              + " empty filter also matches the endpoint's own "
              + RESPONSE_TYPE
              + " replies");
    }
    for (var e : filter.entrySet()) {
      if (!ATTRIBUTE.matcher(e.getKey()).matches()) {
        check.add(
            "filter attribute '"
                + e.getKey()
                + "' must start with a letter and can only contain lowercase alphanumeric"
                + " (Knative Eventing: ^[a-z][a-z0-9]*$), at most 20 characters (CloudEvents)");
      }
    }
    if (RESPONSE_TYPE.equals(filter.get("type"))) {
      check.add("filter type " + RESPONSE_TYPE + " would feed the endpoint its own replies");
    }
    check.throwIfAny();
  }
}
