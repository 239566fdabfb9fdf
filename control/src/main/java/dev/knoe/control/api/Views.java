package dev.knoe.control.api;

import dev.knoe.control.endpoint.DeploymentState;
import dev.knoe.control.endpoint.EndpointState;
import dev.knoe.control.model.ModelVersion;
import dev.knoe.control.router.Pool;
import dev.knoe.control.runtime.Backend;
import dev.knoe.control.spec.SpecWriter;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Resources as the API returns them: the spec in its YAML names plus status, with Azure's field names. */
final class Views {

  private Views() {}

  static Map<String, Object> endpoint(EndpointState e, List<DeploymentState> deployments, URI base) {
    Map<String, Object> v = new LinkedHashMap<>(SpecWriter.endpoint(e.spec()));
    String root = base.toString().replaceAll("/$", "") + "/endpoints/" + e.name();
    v.put("provisioning_state", e.state().name());
    if (e.message() != null) {
      v.put("message", e.message());
    }
    v.put("scoring_uri", root + "/score");
    v.put("openapi_uri", root + "/swagger.json");
    v.put("traffic", e.spec().traffic());
    v.put("mirror_traffic", e.spec().mirrorTraffic());
    Map<String, Object> ds = new LinkedHashMap<>();
    for (DeploymentState d : deployments) {
      ds.put(d.name(), Map.of("provisioning_state", d.state().name(), "scoring_uri", root + "/score",
          "header", Map.of("azureml-model-deployment", d.name())));
    }
    v.put("deployments", ds);
    v.put("generation", e.generation());
    v.put("created_at", e.createdAt().toString());
    v.put("updated_at", e.updatedAt().toString());
    return v;
  }

  static Map<String, Object> deployment(DeploymentState d, Pool pool, Optional<Backend.ScaleStatus> scale, URI base) {
    Map<String, Object> v = new LinkedHashMap<>(SpecWriter.deployment(d.spec()));
    v.put("provisioning_state", d.state().name());
    if (d.message() != null) {
      v.put("message", d.message());
    }
    v.put("registered_model", model(d.model()));
    v.put("ready_instances", pool == null ? 0 : pool.ready().size());
    scale.ifPresent(s -> {
      v.put("desired_instances", s.desired());
      if (s.lastDecision() != null) {
        v.put("scaling", s.lastDecision());
      }
    });
    v.put("instances", pool == null ? List.of() : pool.ready().stream()
        .map(t -> Map.of("id", t.id(), "url", "http://" + t.host() + ":" + t.port(), "in_flight", t.inFlight().get())).toList());
    v.put("scoring_uri", base.toString().replaceAll("/$", "") + "/endpoints/" + d.endpoint() + "/score");
    v.put("generation", d.generation());
    v.put("created_at", d.createdAt().toString());
    v.put("updated_at", d.updatedAt().toString());
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
}
