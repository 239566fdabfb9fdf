package dev.knoe.control.cli;

import static dev.knoe.control.cli.Table.column;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Locale;

/** The {@code -o table} columns of each kind of answer. */
final class Tables {

  private Tables() {}

  static final Table ENDPOINTS =
      Table.of(
          column("NAME", v -> Json.text(v, "name")),
          column("AUTH", v -> Json.text(v, "auth_mode")),
          column("STATE", v -> Json.text(v, "provisioning_state")),
          column("TRAFFIC", Tables::traffic),
          column("DEPLOYMENTS", v -> names(v.get("deployments"))),
          column("SCORING URI", v -> Json.text(v, "scoring_uri")));

  static final Table DEPLOYMENTS =
      Table.of(
          column("NAME", v -> Json.text(v, "name")),
          column("ENDPOINT", v -> Json.text(v, "endpoint_name")),
          column("STATE", v -> Json.text(v, "provisioning_state")),
          column("READY", Tables::ready),
          column("MODEL", Tables::model),
          column("INSTANCE TYPE", v -> Json.text(v, "instance_type")));

  static final Table MODELS =
      Table.of(
          column("NAME", v -> Json.text(v, "name")),
          column("VERSION", v -> Json.text(v, "version")),
          column("SIZE", v -> v.has("size") ? bytes(v.get("size").asLong()) : null),
          column("SHA256", v -> abbreviate(Json.text(v, "sha256"), 12)),
          column("DESCRIPTION", v -> Json.text(v, "description")));

  static final Table KEYS =
      Table.of(
          column("PRIMARY KEY", v -> Json.text(v, "primaryKey")),
          column("SECONDARY KEY", v -> Json.text(v, "secondaryKey")));

  static final Table TOKEN =
      Table.of(
          column("ACCESS TOKEN", v -> Json.text(v, "accessToken")),
          column("EXPIRES (UTC)", v -> Json.text(v, "expiryTimeUtc")),
          column("REFRESH AFTER (UTC)", v -> Json.text(v, "refreshAfterTimeUtc")));

  /**
   * {@code online-endpoint metrics}: one row per deployment and interval (rows made by {@code
   * EndpointCommands.Metrics.rows} from the API's series); a step without a value is {@code -}.
   */
  static final Table METRICS =
      Table.of(
          column("DEPLOYMENT", v -> Json.text(v, "deployment")),
          column("TIMESTAMP (UTC)", v -> Json.text(v, "timestamp")),
          column("REQ/S", v -> number(v, "requests_per_second")),
          column("P50 MS", v -> number(v, "latency_p50_ms")),
          column("P99 MS", v -> number(v, "latency_p99_ms")),
          column("4XX/S", v -> number(v, "errors_4xx_per_second")),
          column("5XX/S", v -> number(v, "errors_5xx_per_second")),
          column("READY", v -> number(v, "instances_ready")),
          column("WANTED", v -> number(v, "instances_wanted")),
          column("HELD", v -> number(v, "requests_held")),
          column("COLD STARTS", v -> number(v, "cold_starts")));

  /** A number as the API wrote it; null (no value in that step) is left empty. */
  private static String number(JsonNode v, String field) {
    JsonNode n = v.get(field);
    return n == null || n.isNull() ? null : n.asText();
  }

  /** {@code blue=90 green=10}, then {@code mirror green=10} when there is a mirror. */
  static String traffic(JsonNode endpoint) {
    String live = pairs(endpoint.get("traffic"));
    String mirror = pairs(endpoint.get("mirror_traffic"));
    if (mirror.isEmpty()) {
      return live;
    }
    return (live.isEmpty() ? "" : live + " ") + "mirror " + mirror;
  }

  /**
   * {@code ready/wanted}, e.g. {@code 1/2}: wanted is the autoscaler's count, else {@code
   * instance_count}.
   */
  static String ready(JsonNode deployment) {
    JsonNode ready = deployment.get("ready_instances");
    JsonNode count =
        deployment.has("desired_instances")
            ? deployment.get("desired_instances")
            : deployment.get("instance_count");
    if (ready == null && count == null) {
      return null;
    }
    return (ready == null ? "?" : ready.asText()) + "/" + (count == null ? "?" : count.asText());
  }

  /** The registered version ({@code name:version}), else what the spec names. */
  static String model(JsonNode deployment) {
    String id = Json.text(deployment.get("registered_model"), "id");
    if (id != null) {
      return id;
    }
    JsonNode model = deployment.get("model");
    if (model == null || model.isNull()) {
      return null;
    }
    return model.isTextual() ? model.asText() : Json.text(model, "path");
  }

  /** A size in B, KiB, MiB or GiB with one decimal. */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  private static String pairs(JsonNode map) {
    if (map == null || !map.isObject()) {
      return "";
    }
    var parts = new ArrayList<String>();
    map.fields().forEachRemaining(e -> parts.add(e.getKey() + "=" + e.getValue().asText()));
    return String.join(" ", parts);
  }

  private static String names(JsonNode map) {
    if (map == null || !map.isObject()) {
      return null;
    }
    var parts = new ArrayList<String>();
    map.fieldNames().forEachRemaining(parts::add);
    return String.join(",", parts);
  }

  private static String abbreviate(String s, int n) {
    return s == null || s.length() <= n ? s : s.substring(0, n);
  }
}
