package dev.knoe.control.spec;

import java.util.List;
import java.util.Map;

/**
 * An online endpoint ({@code endpoint.yml}): a stable address with auth, spreading requests over
 * its deployments by {@code traffic} percentages.
 *
 * <p>Invariants checked here: a valid name; every traffic value 0..100 and their sum 0 (no traffic,
 * the endpoint answers 404) or 100; at most one mirror target, at 0..50 % and without live traffic.
 * Whether the named deployments exist needs the registry: {@link SpecParser#checkTraffic}.
 *
 * @param name 3 to 32 characters, see {@link Names}
 * @param authMode {@link AuthMode#KEY} when not given
 * @param description free text, or null
 * @param tags free key/value pairs, never null
 * @param traffic percent of live requests by deployment name, in the author's order; never null
 * @param mirrorTraffic percent of live requests copied to one deployment, whose answers are
 *     dropped; never null
 * @param triggers CloudEvents sources scored on this endpoint (a Knoe extension); never null
 */
public record EndpointSpec(
    String name,
    AuthMode authMode,
    String description,
    Map<String, String> tags,
    Map<String, Integer> traffic,
    Map<String, Integer> mirrorTraffic,
    List<Trigger> triggers) {

  public EndpointSpec {
    var check = new Check();
    Names.ENDPOINT.check(check, "name", name);
    if (authMode == null) {
      authMode = AuthMode.KEY;
    }
    tags = check.copy("tags", tags);
    traffic = check.copy("traffic", traffic);
    mirrorTraffic = check.copy("mirror_traffic", mirrorTraffic);
    triggers = triggers == null ? List.of() : List.copyOf(triggers);
    TrafficRules.checkShape(check, traffic, mirrorTraffic);
    check.throwIfAny();
  }

  /** An endpoint with key auth, no traffic and nothing else. */
  public static EndpointSpec of(String name) {
    return new EndpointSpec(name, AuthMode.KEY, null, Map.of(), Map.of(), Map.of(), List.of());
  }

  public EndpointSpec withTraffic(Map<String, Integer> traffic) {
    return new EndpointSpec(name, authMode, description, tags, traffic, mirrorTraffic, triggers);
  }

  public EndpointSpec withMirrorTraffic(Map<String, Integer> mirrorTraffic) {
    return new EndpointSpec(name, authMode, description, tags, traffic, mirrorTraffic, triggers);
  }

  public EndpointSpec withAuthMode(AuthMode authMode) {
    return new EndpointSpec(name, authMode, description, tags, traffic, mirrorTraffic, triggers);
  }
}
