package dev.knoe.control.api;

import dev.knoe.control.endpoint.DeploymentView;
import dev.knoe.control.endpoint.EndpointView;
import dev.knoe.control.metrics.DeploymentSeries;
import dev.knoe.control.metrics.Figures;
import dev.knoe.control.model.ModelVersion;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The views as JSON: the spec in its YAML names first, then the status, with Azure's field names; a
 * field the backend does not know (null) is left out. The one place a field name of the API is
 * written.
 */
final class Views {

  private Views() {}

  /**
   * @param base the control API's address, which relative addresses of the view are resolved
   *     against
   */
  static Map<String, Object> endpoint(EndpointView e, URI base) {
    Map<String, Object> v = new LinkedHashMap<>(e.spec());
    v.put("provisioning_state", e.provisioningState());
    putIf(v, "message", e.message());
    putIf(v, "scoring_uri", resolve(base, e.scoringUri()));
    putIf(v, "openapi_uri", resolve(base, e.openapiUri()));
    v.put("traffic", e.traffic());
    v.put("mirror_traffic", e.mirrorTraffic());
    putIf(v, "effective_traffic", e.effectiveTraffic());
    if (e.deployments() != null) {
      Map<String, Object> ds = new LinkedHashMap<>();
      e.deployments()
          .forEach(
              (name, d) -> {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("provisioning_state", d.provisioningState());
                putIf(s, "scoring_uri", resolve(base, d.scoringUri()));
                putIf(s, "header", d.header());
                putIf(s, "revision", d.revision());
                putIf(s, "url", d.url());
                ds.put(name, s);
              });
      v.put("deployments", ds);
    }
    v.put("generation", e.generation());
    putIf(v, "created_at", e.createdAt());
    putIf(v, "updated_at", e.updatedAt());
    return v;
  }

  static Map<String, Object> deployment(DeploymentView d, URI base) {
    Map<String, Object> v = new LinkedHashMap<>(d.spec());
    v.put("provisioning_state", d.provisioningState());
    putIf(v, "message", d.message());
    if (d.registeredModel() != null) {
      v.put("registered_model", model(d.registeredModel()));
    }
    v.put("ready_instances", d.readyInstances());
    putIf(v, "desired_instances", d.desiredInstances());
    putIf(v, "scaling", d.scaling());
    if (d.instances() != null) {
      v.put(
          "instances",
          d.instances().stream()
              .map(i -> Map.of("id", i.id(), "url", i.url(), "in_flight", i.inFlight()))
              .toList());
    }
    putIf(v, "revision", d.revision());
    putIf(v, "scoring_uri", resolve(base, d.scoringUri()));
    putIf(v, "url", d.url());
    v.put("generation", d.generation());
    putIf(v, "created_at", d.createdAt());
    putIf(v, "updated_at", d.updatedAt());
    return v;
  }

  static Map<String, Object> model(ModelVersion m) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("name", m.name());
    v.put("version", m.version());
    v.put("id", m.reference());
    v.put("sha256", m.sha256());
    v.put("size", m.size());
    if (m.description() != null) {
      v.put("description", m.description());
    }
    v.put("anonymous", m.anonymous());
    v.put("created_at", m.createdAt().toString());
    return v;
  }

  static Map<String, Object> withWarnings(Map<String, Object> view, List<String> warnings) {
    if (!warnings.isEmpty()) {
      view.put("warnings", warnings);
    }
    return view;
  }

  /** An address of the local router is relative to the API's own; a cluster's is absolute. */
  private static String resolve(URI base, String address) {
    return address == null ? null : base.resolve(address).toString();
  }

  /**
   * An endpoint's figures, in the shape the console reads: {@code endpoint}, {@code source}, {@code
   * message}, {@code window_seconds}, {@code step_seconds}, {@code timestamps} and per deployment
   * its series (null where a step has no value; {@code message} is always written).
   */
  static Map<String, Object> metrics(Figures f) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("endpoint", f.endpoint());
    v.put("source", f.source());
    v.put("message", f.message());
    v.put("window_seconds", f.windowSeconds());
    v.put("step_seconds", f.stepSeconds());
    v.put("timestamps", f.timestamps());
    Map<String, Object> deployments = new LinkedHashMap<>();
    f.deployments().forEach((name, s) -> deployments.put(name, series(s)));
    v.put("deployments", deployments);
    return v;
  }

  private static Map<String, Object> series(DeploymentSeries s) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("requests_per_second", s.requestsPerSecond());
    v.put("latency_p50_ms", s.latencyP50Ms());
    v.put("latency_p99_ms", s.latencyP99Ms());
    v.put("errors_4xx_per_second", s.errors4xxPerSecond());
    v.put("errors_5xx_per_second", s.errors5xxPerSecond());
    v.put("instances_ready", s.instancesReady());
    v.put("instances_wanted", s.instancesWanted());
    v.put("requests_held", s.requestsHeld());
    v.put("cold_starts", s.coldStarts());
    return v;
  }

  private static void putIf(Map<String, Object> v, String key, Object value) {
    if (value != null) {
      v.put(key, value instanceof java.time.Instant t ? t.toString() : value);
    }
  }
}
