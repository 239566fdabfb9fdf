package dev.knoe.control.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.knoe.control.testing.FakeClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster's figures read from a loopback server that stands for Prometheus: it answers {@code
 * POST /api/v1/query_range} as Prometheus' HTTP API documents it ({@code {"status": "success",
 * "data": {"resultType": "matrix", "result": [{"metric": {...}, "values": [[<unix time>,
 * "<value>"], ...]}]}}}, or {@code {"status": "error", "errorType": ..., "error": ...}}).
 */
class PrometheusMetricsTest {

  static final long T0 = 1_733_350_000L;

  final List<Map<String, String>> asked = Collections.synchronizedList(new ArrayList<>());
  HttpServer prometheus;

  /** Starts Prometheus answering each query's form with {@code answer}. */
  URI prometheus(Function<Map<String, String>, String> answer) throws IOException {
    prometheus = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    prometheus.createContext(
        "/api/v1/query_range",
        exchange -> {
          Map<String, String> form = new LinkedHashMap<>();
          for (String pair :
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
                  .split("&")) {
            String[] kv = pair.split("=", 2);
            form.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
          }
          asked.add(form);
          String body = answer.apply(form);
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(body.contains("\"error\"") ? 400 : 200, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    prometheus.start();
    return URI.create("http://127.0.0.1:" + prometheus.getAddress().getPort() + "/");
  }

  @AfterEach
  void stop() {
    if (prometheus != null) {
      prometheus.stop(0);
    }
  }

  static String matrix(String values) {
    return "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},"
        + "\"values\":["
        + values
        + "]}]}}";
  }

  static final String EMPTY =
      "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}";

  PrometheusMetrics reader(URI uri) {
    return new PrometheusMetrics(
        uri, () -> "knoe", new FakeClock(Instant.ofEpochSecond(T0 + 180).plusMillis(400)));
  }

  @Test
  void eachFigureIsKnativesMetricOfTheDeploymentsRevisionsAtTheEndOfEachStep() throws IOException {
    // Three steps of a minute: [T0, T0+60), [T0+60, T0+120), [T0+120, T0+180), evaluated at
    // T0+60, T0+120 and T0+180. Prometheus has no point at T0+60 for the request rate.
    URI uri =
        prometheus(
            form -> {
              String q = form.get("query");
              if (q.contains("histogram_quantile(0.5,")) {
                return matrix("[" + (T0 + 60) + ",\"NaN\"],[" + (T0 + 120) + ",\"12.5\"]");
              }
              if (q.contains("histogram_quantile(0.99,")) {
                return matrix("[" + (T0 + 120) + ",\"80\"],[" + (T0 + 180) + ",\"95.25\"]");
              }
              if (q.contains("5xx")) {
                return EMPTY;
              }
              if (q.contains("4xx")) {
                return matrix("[" + (T0 + 180) + ".000,\"0.5\"]");
              }
              if (q.contains("revision_app_request_count")) {
                return matrix("[" + (T0 + 120) + ",\"2\"],[" + (T0 + 180) + ",\"3.25\"]");
              }
              if (q.contains("autoscaler_actual_pods")) {
                return matrix("[" + (T0 + 120) + ",\"1\"],[" + (T0 + 180) + ",\"2\"]");
              }
              if (q.contains("autoscaler_desired_pods")) {
                return matrix("[" + (T0 + 180) + ",\"3\"]");
              }
              return EMPTY; // revision_queue_depth: not reported
            });

    Figures f = reader(uri).read(new Query("my-endpoint", List.of("blue"), 180, 60));

    assertEquals("prometheus", f.source());
    assertNull(f.message());
    assertEquals(List.of(T0, T0 + 60, T0 + 120), f.timestamps());
    DeploymentSeries blue = f.deployments().get("blue");
    assertEquals(List.of(0.0, 2.0, 3.25), blue.requestsPerSecond());
    assertEquals(List.of(0.0, 0.0, 0.5), blue.errors4xxPerSecond());
    assertEquals(List.of(0.0, 0.0, 0.0), blue.errors5xxPerSecond());
    assertEquals(Arrays.asList(null, 12.5, null), blue.latencyP50Ms(), "NaN: no request");
    assertEquals(Arrays.asList(null, 80.0, 95.25), blue.latencyP99Ms());
    assertEquals(Arrays.asList(null, 1L, 2L), blue.instancesReady());
    assertEquals(Arrays.asList(null, null, 3L), blue.instancesWanted());
    assertEquals(Arrays.asList(null, null, null), blue.requestsHeld());
    assertEquals(Arrays.asList(null, null, null), blue.coldStarts(), "Knative counts none");

    assertEquals(8, asked.size(), "one query per figure");
    for (Map<String, String> form : asked) {
      assertEquals(String.valueOf(T0 + 60), form.get("start"));
      assertEquals(String.valueOf(T0 + 180), form.get("end"));
      assertEquals("60", form.get("step"));
      assertTrue(
          form.get("query")
              .contains(
                  "namespace_name=\"knoe\",revision_name=~\"my-endpoint-blue-[0-9a-f]{5}-[0-9]+\""),
          form.get("query"));
    }
    assertTrue(
        asked.stream()
            .anyMatch(
                form ->
                    form.get("query")
                        .equals(
                            "histogram_quantile(0.99, sum by (le) (rate("
                                + "revision_app_request_latencies_bucket{namespace_name=\"knoe\","
                                + "revision_name=~\"my-endpoint-blue-[0-9a-f]{5}-[0-9]+\"}[60s])))")));
  }

  @Test
  void prometheusRefusingIsSaidInTheMessageWithEmptySeries() throws IOException {
    URI uri =
        prometheus(
            form ->
                "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error at char 3\"}");

    Figures f = reader(uri).read(new Query("my-endpoint", List.of("blue"), 120, 60));

    assertEquals("prometheus", f.source());
    assertTrue(f.message().contains("parse error at char 3"), f.message());
    assertEquals(List.of(0.0, 0.0), f.deployments().get("blue").requestsPerSecond());
  }

  @Test
  void prometheusAbsentIsSaidInTheMessage() throws IOException {
    URI uri = prometheus(form -> EMPTY);
    prometheus.stop(0);
    prometheus = null;

    Figures f = reader(uri).read(new Query("my-endpoint", List.of("blue"), 60, 60));

    assertTrue(f.message().startsWith("Prometheus at " + uri), f.message());
    assertEquals(1, f.timestamps().size());
  }

  @Test
  void withoutPrometheusTheAnswerSaysWhereTheFiguresAre() {
    Figures f =
        MetricsSource.none(
                "see the cluster's Prometheus",
                java.time.Duration.ofHours(1),
                new FakeClock(Instant.ofEpochSecond(T0)))
            .read(new Query("my-endpoint", List.of("blue", "green"), 900, 60));

    assertEquals("none", f.source());
    assertEquals("see the cluster's Prometheus", f.message());
    assertEquals(15, f.timestamps().size());
    assertEquals(T0 - 900, f.timestamps().get(0));
    assertEquals(List.of("blue", "green"), List.copyOf(f.deployments().keySet()));
  }
}
