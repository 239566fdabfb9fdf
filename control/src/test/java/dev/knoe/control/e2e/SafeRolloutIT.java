package dev.knoe.control.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The safe-rollout story against a real {@code knoe serve} with real scoring-function instances:
 * blue, scale out, green beside it, header bypass, 10 % split, mirror, 100 %, delete blue, key
 * rotation, token expiry, and a crash of {@code knoe serve} with everything back after the restart;
 * with continuous load and not one failed request while traffic moves and blue scales.
 */
class SafeRolloutIT {

  static final String REQUEST = "{\"data\": [[1,2,3,4,5,6,7,8,9,10],[10,9,8,7,6,5,4,3,2,1]]}";
  static final String BLUE_ANSWER = "[[-3.625],[4.625]]";
  static final String GREEN_ANSWER = "[[-13.875],[10.875]]";

  @Test
  void safeRollout() throws Exception {
    Path data =
        Files.createTempDirectory(Path.of("target"), "e2e-").toAbsolutePath().resolve("data");
    KnoeServe initial = new KnoeServe(data, Map.of("KNOE_TOKENS_TTL", "PT10S")).start();
    KnoeServe serve = initial;
    try {
      serve.ok(
          "POST",
          "/api/v1/endpoints",
          KnoeServe.JSON.writeValueAsString(Map.of("name", "my-endpoint")));
      deploy(serve, "blue", "model-1", 1);
      serve.ok(
          "PUT",
          "/api/v1/endpoints/my-endpoint",
          "{\"name\": \"my-endpoint\", \"traffic\": {\"blue\": 100}}");
      String key =
          serve.ok("GET", "/api/v1/endpoints/my-endpoint/keys", null).get("primaryKey").asText();

      HttpResponse<String> first = serve.score("my-endpoint", key, null, REQUEST);
      assertEquals(200, first.statusCode(), first.body());
      assertEquals(BLUE_ANSWER, first.body());
      assertEquals("blue", first.headers().firstValue("azureml-model-deployment").orElseThrow());
      assertTrue(first.headers().firstValue("x-request-id").isPresent());
      assertEquals(401, serve.score("my-endpoint", null, null, REQUEST).statusCode());

      try (Load load = new Load(serve, key, 4)) {
        deploy(serve, "blue", "model-1", 2); // scale 1 -> 2 under load
        assertEquals(
            2,
            serve
                .ok("GET", "/api/v1/endpoints/my-endpoint/deployments/blue", null)
                .get("ready_instances")
                .asInt());

        deploy(serve, "green", "model-2", 1); // 0 % traffic
        HttpResponse<String> direct = serve.score("my-endpoint", key, "green", REQUEST);
        assertEquals(GREEN_ANSWER, direct.body());
        assertEquals(
            "green", direct.headers().firstValue("azureml-model-deployment").orElseThrow());

        serve.ok(
            "PUT",
            "/api/v1/endpoints/my-endpoint",
            "{\"name\": \"my-endpoint\", \"traffic\": {\"blue\": 90, \"green\": 10}}");
        int green = 0;
        for (int i = 0; i < 1000; i++) {
          HttpResponse<String> r = serve.score("my-endpoint", key, null, REQUEST);
          assertEquals(200, r.statusCode(), r.body());
          String served = r.headers().firstValue("azureml-model-deployment").orElseThrow();
          assertEquals(served.equals("green") ? GREEN_ANSWER : BLUE_ANSWER, r.body());
          green += served.equals("green") ? 1 : 0;
        }
        // Binomial(1000, 0.1): mean 100, sd 9.5; 55..145 is beyond 4.7 sd on either side.
        assertTrue(green >= 55 && green <= 145, "green served " + green + " of 1000 at 10 %");

        double mirroredBefore = routed(serve, "green");
        serve.ok(
            "PUT",
            "/api/v1/endpoints/my-endpoint",
            "{\"name\": \"my-endpoint\", \"traffic\": {\"blue\": 100, \"green\": 0}, \"mirror_traffic\": {\"green\": 20}}");
        for (int i = 0; i < 300; i++) {
          HttpResponse<String> r = serve.score("my-endpoint", key, null, REQUEST);
          assertEquals(
              BLUE_ANSWER, r.body(), "a mirrored request is answered by the live deployment");
          assertEquals("blue", r.headers().firstValue("azureml-model-deployment").orElseThrow());
        }
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> routed(initial, "green") - mirroredBefore >= 30);

        serve.ok(
            "PUT",
            "/api/v1/endpoints/my-endpoint",
            "{\"name\": \"my-endpoint\", \"traffic\": {\"blue\": 0, \"green\": 100}}");
        assertEquals(GREEN_ANSWER, serve.score("my-endpoint", key, null, REQUEST).body());
        assertEquals(
            409,
            serve
                .api("DELETE", "/api/v1/endpoints/my-endpoint/deployments/green", null)
                .statusCode());
        serve.ok(
            "PUT",
            "/api/v1/endpoints/my-endpoint",
            "{\"name\": \"my-endpoint\", \"traffic\": {\"green\": 100}}");
        serve.ok("DELETE", "/api/v1/endpoints/my-endpoint/deployments/blue", null);
        Thread.sleep(500);
        assertEquals(0, load.failures.get(), "failed requests during the rollout: " + load.errors);
        assertTrue(load.ok.get() > 100, "the load ran: " + load.ok.get() + " requests");
      }

      // A regenerated key is refused at once; the other key keeps working.
      String secondary =
          serve.ok("GET", "/api/v1/endpoints/my-endpoint/keys", null).get("secondaryKey").asText();
      String newPrimary =
          serve
              .ok(
                  "POST",
                  "/api/v1/endpoints/my-endpoint/keys/regenerate",
                  "{\"key_type\": \"primary\"}")
              .get("primaryKey")
              .asText();
      assertEquals(401, serve.score("my-endpoint", key, null, REQUEST).statusCode());
      assertEquals(200, serve.score("my-endpoint", secondary, null, REQUEST).statusCode());
      assertEquals(200, serve.score("my-endpoint", newPrimary, null, REQUEST).statusCode());

      // A token endpoint: a fresh token passes auth (404: no traffic yet), an expired one does not.
      serve.ok(
          "POST",
          "/api/v1/endpoints",
          "{\"name\": \"token-endpoint\", \"auth_mode\": \"aml_token\"}");
      String token =
          serve
              .ok("POST", "/api/v1/endpoints/token-endpoint/token", null)
              .get("accessToken")
              .asText();
      assertEquals(404, serve.score("token-endpoint", token, null, REQUEST).statusCode());
      assertEquals(
          401,
          serve.score("my-endpoint", token, null, REQUEST).statusCode(),
          "a token opens only its endpoint");
      Thread.sleep(10_500);
      assertEquals(401, serve.score("token-endpoint", token, null, REQUEST).statusCode());

      // A crash of knoe serve (kill -9): everything comes back after the restart.
      serve.kill();
      KnoeServe restarted = new KnoeServe(data, Map.of()).start();
      serve = restarted;
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  restarted
                      .ok("GET", "/api/v1/endpoints/my-endpoint/deployments/green", null)
                      .get("provisioning_state")
                      .asText()
                      .equals("Succeeded"));
      HttpResponse<String> after = serve.score("my-endpoint", newPrimary, null, REQUEST);
      assertEquals(200, after.statusCode(), after.body());
      assertEquals(GREEN_ANSWER, after.body());
      JsonNode endpoints = serve.ok("GET", "/api/v1/endpoints", null);
      assertEquals(2, endpoints.size());

      // A graceful stop (SIGTERM, as Ctrl-C sends SIGINT): the instances stop with knoe serve, not
      // as crashes (the launcher's own shutdown hook may stop them before the supervisors close).
      long logged = Files.size(serve.log);
      serve.close();
      byte[] all = Files.readAllBytes(serve.log);
      String stopping =
          new String(Arrays.copyOfRange(all, (int) logged, all.length), StandardCharsets.UTF_8);
      assertFalse(stopping.contains("restarting it in"), stopping);
      assertFalse(stopping.contains(" failed: "), stopping);
      serve = new KnoeServe(data, Map.of()).start();

      serve.ok(
          "PUT", "/api/v1/endpoints/my-endpoint", "{\"name\": \"my-endpoint\", \"traffic\": {}}");
      serve.ok("DELETE", "/api/v1/endpoints/my-endpoint", null);
      assertEquals(404, serve.api("GET", "/api/v1/endpoints/my-endpoint", null).statusCode());
    } finally {
      serve.close();
    }
  }

  static void deploy(KnoeServe serve, String name, String model, int instances) throws Exception {
    String json =
        KnoeServe.JSON.writeValueAsString(
            Map.of(
                "name",
                name,
                "endpoint_name",
                "my-endpoint",
                "model",
                Map.of(
                    "path",
                    KnoeServe.SAMPLES.resolve("models").resolve(model).resolve("model").toString()),
                "instance_count",
                instances,
                // Generous: the load threads count any non-200, and a starved CI machine can be
                // slow to answer.
                "request_settings",
                Map.of("request_timeout_ms", 30000)));
    serve.ok("PUT", "/api/v1/endpoints/my-endpoint/deployments/" + name, json);
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              JsonNode d =
                  serve.ok("GET", "/api/v1/endpoints/my-endpoint/deployments/" + name, null);
              if (d.get("provisioning_state").asText().equals("Failed")) {
                throw new AssertionError("deployment " + name + " failed: " + d.get("message"));
              }
              return d.get("provisioning_state").asText().equals("Succeeded")
                  && d.get("ready_instances").asInt() >= instances;
            });
  }

  /** Requests routed to a deployment so far, from the router's metrics. */
  static double routed(KnoeServe serve, String deployment) throws Exception {
    return metric(serve, "knoe_router_requests_total", deployment);
  }

  /** The sum of a metric's series for a deployment, from knoe serve's /metrics. */
  static double metric(KnoeServe serve, String name, String deployment) throws Exception {
    String metrics =
        serve
            .http
            .send(
                java.net.http.HttpRequest.newBuilder(serve.uri("/metrics"))
                    .header("Authorization", "Bearer " + serve.adminKey())
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    double sum = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith(name + "{") && line.contains("deployment=\"" + deployment + "\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /** Clients scoring continuously without naming a deployment; every non-200 is a failure. */
  static final class Load implements AutoCloseable {
    final AtomicInteger ok = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    Load(KnoeServe serve, String key, int clients) {
      for (int i = 0; i < clients; i++) {
        Thread t =
            new Thread(
                () -> {
                  while (running.get()) {
                    try {
                      HttpResponse<String> r = serve.score("my-endpoint", key, null, REQUEST);
                      if (r.statusCode() == 200) {
                        ok.incrementAndGet();
                      } else {
                        failures.incrementAndGet();
                        errors.add(r.statusCode() + " " + r.body());
                      }
                    } catch (Exception e) {
                      failures.incrementAndGet();
                      errors.add(e.toString());
                    }
                  }
                });
        t.start();
        threads.add(t);
      }
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join();
      }
    }
  }
}
