package dev.knoe.control.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * One instance of two killed with SIGKILL under continuous load through the router: at most 0.1 %
 * of the requests fail, a replacement serves within the backoff (1 s) and an instance's start time,
 * and the deployment is never Failed while the other instance serves.
 */
class InstanceCrashIT {

  static final String DEPLOYMENT = "/api/v1/endpoints/my-endpoint/deployments/blue";
  // Two clients: about one request is in flight on each instance, and those on the killed one
  // fail (the router retries only a request whose connection failed before it was sent). 0.1 %
  // of 2000 is 2.
  static final int CLIENTS = 2;
  static final int REQUESTS = 2000;

  @Test
  void oneInstanceKilledUnderLoad() throws Exception {
    Path data =
        Files.createTempDirectory(Path.of("target"), "e2e-crash-instance-")
            .toAbsolutePath()
            .resolve("data");
    try (KnoeServe serve = new KnoeServe(data, Map.of()).start()) {
      serve.ok("POST", "/api/v1/endpoints", "{\"name\": \"my-endpoint\"}");
      long deployStart = System.nanoTime();
      SafeRolloutIT.deploy(serve, "blue", "model-1", 2);
      Duration startTime = Duration.ofNanos(System.nanoTime() - deployStart);
      serve.ok(
          "PUT",
          "/api/v1/endpoints/my-endpoint",
          "{\"name\": \"my-endpoint\", \"traffic\": {\"blue\": 100}}");
      String key =
          serve.ok("GET", "/api/v1/endpoints/my-endpoint/keys", null).get("primaryKey").asText();

      Set<String> states = new LinkedHashSet<>();
      List<String> messages = new ArrayList<>();
      Duration replaced;
      SafeRolloutIT.Load load = new SafeRolloutIT.Load(serve, key, CLIENTS);
      try {
        Thread.sleep(3000);
        JsonNode instances = serve.ok("GET", DEPLOYMENT, null).get("instances");
        int port = URI.create(instances.get(0).get("url").asText()).getPort();
        ProcessHandle victim = serve.instance(port);
        long killedAt = System.nanoTime();
        victim.destroyForcibly();
        // The backoff's first delay, then an instance's start: twice the measured one, as the
        // replacement starts on a machine busy with the load.
        Duration limit = Duration.ofSeconds(1).plus(startTime.multipliedBy(2)).plusSeconds(5);
        await()
            .atMost(limit)
            .pollInterval(Duration.ofMillis(50))
            .until(
                () -> {
                  JsonNode d = serve.ok("GET", DEPLOYMENT, null);
                  states.add(d.get("provisioning_state").asText());
                  if (d.hasNonNull("message")) {
                    messages.add(d.get("message").asText());
                  }
                  return d.get("ready_instances").asInt() == 2
                      && !d.get("instances").toString().contains(":" + port + "\"");
                });
        replaced = Duration.ofNanos(System.nanoTime() - killedAt);
        // The load goes on with both until there are enough requests to count 0.1 % of.
        await()
            .atMost(Duration.ofSeconds(180))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> load.ok.get() + load.failures.get() >= REQUESTS);
      } finally {
        load.close();
      }
      int total = load.ok.get() + load.failures.get();
      System.out.printf(
          "InstanceCrashIT: start time %d ms, replaced after %d ms, %d of %d requests failed %s;"
              + " states %s, messages %s%n",
          startTime.toMillis(),
          replaced.toMillis(),
          load.failures.get(),
          total,
          load.errors,
          states,
          new LinkedHashSet<>(messages));
      assertTrue(total >= REQUESTS, "the load ran: " + total + " requests");
      assertTrue(
          load.failures.get() <= total / 1000 && load.failures.get() <= CLIENTS,
          load.failures.get() + " of " + total + " failed: " + load.errors);
      assertFalse(states.contains("Failed"), "Failed while the other instance served: " + messages);
    }
  }
}
