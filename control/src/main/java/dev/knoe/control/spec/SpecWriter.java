package dev.knoe.control.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders specs as trees of maps, lists, strings and integers with the YAML keys (snake_case), for
 * the API's JSON and YAML answers. Parsing a written spec gives the same spec back.
 */
public final class SpecWriter {

  private SpecWriter() {}

  /** Every field; {@code description} only when set. */
  public static Map<String, Object> endpoint(EndpointSpec spec) {
    var out = new LinkedHashMap<String, Object>();
    out.put("name", spec.name());
    out.put("auth_mode", spec.authMode().value());
    putIfSet(out, "description", spec.description());
    out.put("tags", new LinkedHashMap<>(spec.tags()));
    out.put("traffic", new LinkedHashMap<>(spec.traffic()));
    out.put("mirror_traffic", new LinkedHashMap<>(spec.mirrorTraffic()));
    out.put(
        "triggers", spec.triggers().stream().map(SpecWriter::trigger).collect(Collectors.toList()));
    return out;
  }

  /**
   * Every field with its effective value (defaults included); {@code description}, {@code
   * code_configuration} and {@code environment} only when set; {@code scale_settings} holds only
   * {@code type} for default scaling, whose size is {@code instance_count}. A registered model is
   * written {@code name:version}, an inline one {@code {path: ...}}.
   */
  public static Map<String, Object> deployment(DeploymentSpec spec) {
    var out = new LinkedHashMap<String, Object>();
    out.put("name", spec.name());
    out.put("endpoint_name", spec.endpointName());
    putIfSet(out, "description", spec.description());
    out.put("tags", new LinkedHashMap<>(spec.tags()));
    ModelRef model = spec.model();
    out.put("model", model.isInline() ? map("path", model.path()) : model.reference());
    CodeConfiguration code = spec.codeConfiguration();
    if (code != null) {
      var c = new LinkedHashMap<String, Object>();
      putIfSet(c, "code", code.code());
      c.put("scoring_script", code.scoringScript());
      out.put("code_configuration", c);
    }
    if (spec.image() != null) {
      out.put("environment", map("image", spec.image()));
    }
    out.put("environment_variables", new LinkedHashMap<>(spec.environmentVariables()));
    out.put("instance_type", spec.instanceType());
    out.put("instance_count", spec.instanceCount());
    out.put("scale_settings", scaleSettings(spec.scaleSettings()));
    RequestSettings r = spec.requestSettings();
    var requests = new LinkedHashMap<String, Object>();
    requests.put("request_timeout_ms", r.requestTimeoutMs());
    requests.put("max_concurrent_requests_per_instance", r.maxConcurrentRequestsPerInstance());
    requests.put("max_queue_wait_ms", r.maxQueueWaitMs());
    out.put("request_settings", requests);
    out.put("liveness_probe", probe(spec.livenessProbe()));
    out.put("readiness_probe", probe(spec.readinessProbe()));
    var batching = new LinkedHashMap<String, Object>();
    batching.put("max_batch_size", spec.batching().maxBatchSize());
    batching.put("max_delay_ms", spec.batching().maxDelayMs());
    out.put("batching", batching);
    return out;
  }

  /** A tree as YAML (block style, no {@code ---}) or as indented JSON. */
  public static String render(Object tree, Format format) {
    try {
      return Mappers.of(format).writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, Object> trigger(Trigger t) {
    var out = new LinkedHashMap<String, Object>();
    out.put("broker", t.broker());
    out.put("filter", new LinkedHashMap<>(t.filter()));
    return out;
  }

  private static Map<String, Object> scaleSettings(ScaleSettings s) {
    var out = new LinkedHashMap<String, Object>();
    out.put("type", s.type().value());
    if (s.type() == ScaleSettings.Type.TARGET_UTILIZATION) {
      out.put("min_instances", s.minInstances());
      out.put("max_instances", s.maxInstances());
      out.put("target_utilization_percentage", s.targetUtilizationPercentage());
      out.put("polling_interval", s.pollingInterval());
    }
    return out;
  }

  private static Map<String, Object> probe(Probe p) {
    var out = new LinkedHashMap<String, Object>();
    out.put("initial_delay", p.initialDelay());
    out.put("period", p.period());
    out.put("timeout", p.timeout());
    out.put("success_threshold", p.successThreshold());
    out.put("failure_threshold", p.failureThreshold());
    return out;
  }

  private static Map<String, Object> map(String key, Object value) {
    var out = new LinkedHashMap<String, Object>();
    out.put(key, value);
    return out;
  }

  private static void putIfSet(Map<String, Object> out, String key, Object value) {
    if (value != null) {
      out.put(key, value);
    }
  }
}
