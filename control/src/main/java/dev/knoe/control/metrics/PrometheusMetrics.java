package dev.knoe.control.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.knoe.control.knative.KnativeNames;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * A cluster's figures, read from its Prometheus' HTTP API ({@code GET /api/v1/query_range}) in
 * Knative's own metrics: the queue-proxy's {@code revision_app_request_count} (by {@code
 * response_code_class}) and {@code revision_app_request_latencies} histogram (milliseconds), its
 * {@code revision_queue_depth}, and the autoscaler's {@code autoscaler_actual_pods} and {@code
 * autoscaler_desired_pods}, all labelled {@code namespace_name} and {@code revision_name}. A
 * deployment is every revision whose name {@link KnativeNames#revisionPattern} matches, so a
 * rollout's old and new generations add up. Knative counts no cold starts: that series is null.
 *
 * <p>Prometheus evaluates a range query at {@code start, start + step, ...}, each value looking
 * back over the rate's range; a step {@code [t, t + step)} is evaluated at its end, {@code t +
 * step}. Rates look back over at least a minute: Prometheus usually scrapes every 15 to 30 s and a
 * rate needs two samples, so a 1 s step shows a minute's moving average.
 */
public final class PrometheusMetrics implements MetricsSource {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final URI base;
  private final Supplier<String> namespace;
  private final Clock clock;
  private final HttpClient http;

  /**
   * @param base the Prometheus server, e.g. {@code http://prometheus-server.monitoring.svc}
   * @param namespace the endpoints' namespace (asked when reading: known once the cluster mode
   *     started), or null for any
   */
  public PrometheusMetrics(URI base, Supplier<String> namespace, Clock clock) {
    this.base = base;
    this.namespace = namespace;
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  }

  /** An hour: Prometheus keeps more, but a console's window is minutes. */
  @Override
  public Duration maxWindow() {
    return Duration.ofHours(1);
  }

  /** One figure: its name in the answer and its PromQL with {@code SEL} and {@code RANGE} holes. */
  private record Figure(String name, String promql) {}

  private static final List<Figure> FIGURES =
      List.of(
          new Figure("rps", "sum(rate(revision_app_request_count{SEL}[RANGE]))"),
          new Figure(
              "4xx",
              "sum(rate(revision_app_request_count{SEL,response_code_class=\"4xx\"}[RANGE]))"),
          new Figure(
              "5xx",
              "sum(rate(revision_app_request_count{SEL,response_code_class=\"5xx\"}[RANGE]))"),
          new Figure(
              "p50",
              "histogram_quantile(0.5, sum by (le)"
                  + " (rate(revision_app_request_latencies_bucket{SEL}[RANGE])))"),
          new Figure(
              "p99",
              "histogram_quantile(0.99, sum by (le)"
                  + " (rate(revision_app_request_latencies_bucket{SEL}[RANGE])))"),
          new Figure("ready", "sum(autoscaler_actual_pods{SEL})"),
          new Figure("wanted", "sum(autoscaler_desired_pods{SEL})"),
          new Figure("held", "sum(revision_queue_depth{SEL})"));

  @Override
  public Figures read(Query q) {
    long end = Math.floorDiv(clock.millis(), 1000);
    long first = q.firstSecond(end);
    String ns = namespace.get();
    String range = Math.max(q.stepSeconds(), 60) + "s";
    Map<String, DeploymentSeries> out = new LinkedHashMap<>();
    try {
      // Every query of every deployment at once; each answers a map of time -> value.
      Map<String, Map<String, CompletableFuture<Map<Long, Double>>>> pending =
          new LinkedHashMap<>();
      for (String d : q.deployments()) {
        String sel =
            (ns == null ? "" : "namespace_name=\"" + ns + "\",")
                + "revision_name=~\""
                + KnativeNames.revisionPattern(q.endpoint(), d)
                + "\"";
        Map<String, CompletableFuture<Map<Long, Double>>> byFigure = new HashMap<>();
        for (Figure f : FIGURES) {
          String promql = f.promql().replace("SEL", sel).replace("RANGE", range);
          byFigure.put(f.name(), queryRange(promql, first + q.stepSeconds(), end, q.stepSeconds()));
        }
        pending.put(d, byFigure);
      }
      for (var e : pending.entrySet()) {
        out.put(e.getKey(), series(q, first, e.getValue()));
      }
    } catch (CompletionException | IllegalStateException e) {
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      Figures none = Figures.none(q, end, null);
      return new Figures(
          q.endpoint(),
          Figures.PROMETHEUS,
          "Prometheus at " + base + " did not answer the figures: " + cause.getMessage(),
          none.windowSeconds(),
          none.stepSeconds(),
          none.timestamps(),
          none.deployments());
    }
    return new Figures(
        q.endpoint(),
        Figures.PROMETHEUS,
        null,
        q.windowSeconds(),
        q.stepSeconds(),
        q.timestamps(end),
        Collections.unmodifiableMap(out));
  }

  private static DeploymentSeries series(
      Query q, long first, Map<String, CompletableFuture<Map<Long, Double>>> byFigure) {
    Map<String, Map<Long, Double>> v = new HashMap<>();
    byFigure.forEach((name, f) -> v.put(name, f.join()));
    DeploymentSeries.Builder b = new DeploymentSeries.Builder(q.steps());
    for (int k = 0; k < q.steps(); k++) {
      long at = first + (k + 1) * q.stepSeconds(); // the step's end, where it was evaluated
      b.add(
          orZero(v.get("rps").get(at)),
          v.get("p50").get(at),
          v.get("p99").get(at),
          orZero(v.get("4xx").get(at)),
          orZero(v.get("5xx").get(at)),
          whole(v.get("ready").get(at)),
          whole(v.get("wanted").get(at)),
          whole(v.get("held").get(at)),
          null);
    }
    return b.build();
  }

  /** No series where a rate was asked means nothing was counted. */
  private static Double orZero(Double d) {
    return d == null ? 0.0 : d;
  }

  private static Long whole(Double d) {
    return d == null ? null : Math.round(d);
  }

  /**
   * {@code query_range} of one expression: the values of its (first) series by epoch second; NaN (a
   * quantile without requests) is left out. An answer other than {@code status: success} fails the
   * future with Prometheus' {@code error}.
   */
  private CompletableFuture<Map<Long, Double>> queryRange(
      String promql, long start, long end, long step) {
    String form =
        "query="
            + URLEncoder.encode(promql, StandardCharsets.UTF_8)
            + "&start="
            + start
            + "&end="
            + end
            + "&step="
            + step;
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(base.toString().replaceAll("/+$", "") + "/api/v1/query_range"))
            .timeout(TIMEOUT)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(r -> parse(r.statusCode(), r.body()));
  }

  static Map<Long, Double> parse(int status, byte[] body) {
    JsonNode answer;
    try {
      answer = JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalStateException("HTTP " + status + ", not Prometheus' JSON");
    }
    if (!"success".equals(answer.path("status").asText())) {
      throw new IllegalStateException(
          "HTTP " + status + ": " + answer.path("error").asText("no error given"));
    }
    Map<Long, Double> values = new HashMap<>();
    JsonNode result = answer.path("data").path("result");
    if (result.isArray() && !result.isEmpty()) {
      for (JsonNode point : result.get(0).path("values")) {
        // [ <unix time, may have decimals>, "<value as a string>" ]
        double value;
        try {
          value = Double.parseDouble(point.get(1).asText());
        } catch (NumberFormatException e) {
          continue;
        }
        if (!Double.isNaN(value) && !Double.isInfinite(value)) {
          values.put(Math.round(point.get(0).asDouble()), value);
        }
      }
    }
    return values;
  }
}
