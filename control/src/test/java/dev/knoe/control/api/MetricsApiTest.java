package dev.knoe.control.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.knoe.control.router.Target;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code GET /api/v1/endpoints/{name}/metrics} after real requests through the router: the
 * deployments' instances are one loopback server (the backend starts nothing), which answers the
 * status a request's {@code status} query parameter asks for.
 */
@QuarkusTest
@TestProfile(ControlApiTest.Api.class)
class MetricsApiTest {

  static final String EP = "ep-metrics";

  @Inject FakeBackend backend;

  HttpServer instance;
  String key;

  @BeforeEach
  void endpointWithTwoDeploymentsOnOneInstance() throws IOException {
    instance = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    instance.createContext(
        "/",
        exchange -> {
          String query = exchange.getRequestURI().getQuery();
          int status =
              query != null && query.startsWith("status=")
                  ? Integer.parseInt(query.substring(7))
                  : 200;
          exchange.getRequestBody().readAllBytes();
          byte[] body = "{\"ok\": true}".getBytes();
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(status, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    instance.start();
    if (ControlApiTest.admin().get("/api/v1/endpoints/" + EP).statusCode() == 404) {
      ControlApiTest.endpoint(EP);
      ControlApiTest.deployment(EP, "blue");
      ControlApiTest.deployment(EP, "green");
      ControlApiTest.deployment(EP, "idle");
    }
    for (String d : List.of("blue", "green", "idle")) {
      backend
          .pool(EP, d)
          .update(List.of(new Target("i-" + d, "127.0.0.1", instance.getAddress().getPort())));
    }
    key =
        ControlApiTest.admin()
            .get("/api/v1/endpoints/" + EP + "/keys")
            .jsonPath()
            .getString("primaryKey");
  }

  @AfterEach
  void stopInstance() {
    instance.stop(0);
  }

  int score(String deployment, int status) {
    return given()
        .header("Authorization", "Bearer " + key)
        .header("azureml-model-deployment", deployment)
        .contentType("application/json")
        .body("{}")
        .post("/endpoints/" + EP + "/score?status=" + status)
        .statusCode();
  }

  static JsonPath metrics(String query) {
    return ControlApiTest.admin()
        .get("/api/v1/endpoints/" + EP + "/metrics" + query)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  static double sum(JsonPath m, String path) {
    List<Number> values = m.getList(path);
    return values.stream().mapToDouble(v -> v == null ? 0 : v.doubleValue()).sum();
  }

  @Test
  void theRequestsThroughTheRouterAreCountedByDeploymentAndStatusClass() {
    JsonPath before = metrics("");
    double blue0 = sum(before, "deployments.blue.requests_per_second");
    double blue4xx0 = sum(before, "deployments.blue.errors_4xx_per_second");
    double blue5xx0 = sum(before, "deployments.blue.errors_5xx_per_second");
    double green0 = sum(before, "deployments.green.requests_per_second");
    for (int i = 0; i < 5; i++) {
      assertEquals(200, score("blue", 200));
    }
    assertEquals(404, score("blue", 404));
    assertEquals(404, score("blue", 404));
    assertEquals(503, score("blue", 503));
    for (int i = 0; i < 3; i++) {
      assertEquals(200, score("green", 200));
    }

    // The current second is left out: the counts show once it is over.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonPath m = metrics("");
              assertEquals(blue0 + 8, sum(m, "deployments.blue.requests_per_second"), 1e-9);
              assertEquals(blue4xx0 + 2, sum(m, "deployments.blue.errors_4xx_per_second"), 1e-9);
              assertEquals(blue5xx0 + 1, sum(m, "deployments.blue.errors_5xx_per_second"), 1e-9);
              assertEquals(green0 + 3, sum(m, "deployments.green.requests_per_second"), 1e-9);
              assertTrue(
                  m.getList("deployments.blue.latency_p99_ms").stream().anyMatch(v -> v != null));
              assertTrue(
                  m.getList("deployments.blue.instances_ready").contains(1),
                  "the pools are sampled every second");
            });
    long asked = System.currentTimeMillis() / 1000;
    JsonPath m = metrics("");
    long answered = System.currentTimeMillis() / 1000;
    assertEquals("local", m.getString("source"));
    assertEquals(900, m.getInt("window_seconds"));
    assertEquals(1, m.getInt("step_seconds"));
    assertEquals(900, m.getList("timestamps").size());
    assertEquals(900, m.getList("deployments.idle.requests_per_second").size());
    assertEquals(0.0, sum(m, "deployments.idle.requests_per_second"), "present, all zero");
    assertEquals(List.of("blue", "green", "idle"), List.copyOf(m.getMap("deployments").keySet()));
    // The last whole second at the time the server answered, however long that took.
    long last = m.getLong("timestamps[899]");
    assertTrue(
        last >= asked - 1 && last <= answered - 1,
        "the last whole second: " + last + " asked at " + asked + ", answered by " + answered);
  }

  @Test
  void theShapeHasEverySeriesAndANullMessage() {
    ControlApiTest.admin()
        .get("/api/v1/endpoints/" + EP + "/metrics?window=90s&step=30s")
        .then()
        .statusCode(200)
        .body("endpoint", equalTo(EP))
        .body("$", hasKey("message"))
        .body("message", nullValue())
        .body("window_seconds", equalTo(90))
        .body("step_seconds", equalTo(30))
        .body("timestamps.size()", equalTo(3))
        .body(
            "deployments.blue.keySet()",
            org.hamcrest.Matchers.contains(
                "requests_per_second",
                "latency_p50_ms",
                "latency_p99_ms",
                "errors_4xx_per_second",
                "errors_5xx_per_second",
                "instances_ready",
                "instances_wanted",
                "requests_held",
                "cold_starts"))
        .body("deployments.blue.cold_starts.size()", equalTo(3));
  }

  @ParameterizedTest(name = "window={0} step={1}: {2} steps")
  @CsvSource({"'',60s,15", "PT5M,1m,5", "15m,1m30s,10", "1h30m,1s,-1"})
  void windowsAndStepsInEitherSpelling(String window, String step, int steps) {
    String query = "?step=" + step + (window.isEmpty() ? "" : "&window=" + window);
    if (steps < 0) {
      ControlApiTest.admin()
          .get("/api/v1/endpoints/" + EP + "/metrics" + query)
          .then()
          .statusCode(400)
          .body("error", containsString("window"));
      return;
    }
    assertEquals(steps, metrics(query).getList("timestamps").size());
  }

  @ParameterizedTest(name = "{0} is refused naming {1}")
  @CsvSource({
    "window=abc,window",
    "window=0s,window",
    "window=1.5s,window",
    "step=-1s,step",
    "step=soon,step",
    "window=1m&step=2m,step",
    "window=16m,window"
  })
  void aBadWindowOrStepIs400NamingIt(String query, String param) {
    ControlApiTest.admin()
        .get("/api/v1/endpoints/" + EP + "/metrics?" + query)
        .then()
        .statusCode(400)
        .body("error", containsString(param));
  }

  @Test
  void anUnknownEndpointIs404AndNothingIsOpenWithoutTheAdminKey() {
    ControlApiTest.admin().get("/api/v1/endpoints/no-such-endpoint/metrics").then().statusCode(404);
    ControlApiTest.admin().get("/api/v1/endpoints/bad..name/metrics").then().statusCode(400);
    given().get("/api/v1/endpoints/" + EP + "/metrics").then().statusCode(401);
    given()
        .header("Authorization", "Bearer " + key)
        .get("/api/v1/endpoints/" + EP + "/metrics")
        .then()
        .statusCode(401);
  }

  @Test
  void aDeletedDeploymentLeavesTheAnswer() {
    ControlApiTest.deployment(EP, "gone");
    Map<String, ?> with = metrics("?window=1m").getMap("deployments");
    ControlApiTest.admin()
        .delete("/api/v1/endpoints/" + EP + "/deployments/gone")
        .then()
        .statusCode(org.hamcrest.Matchers.lessThan(300));
    Map<String, ?> without = metrics("?window=1m").getMap("deployments");

    assertTrue(with.containsKey("gone"));
    assertTrue(!without.containsKey("gone"));
  }
}
