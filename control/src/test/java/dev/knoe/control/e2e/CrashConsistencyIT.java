package dev.knoe.control.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code knoe serve} killed with SIGKILL at random points of a scripted sequence of 100 API
 * operations, restarted each time: every operation the API acknowledged is there after the restart,
 * and the API's view equals a model of what was acknowledged. The operation in flight at a kill may
 * be applied or not, but never half: the view after the restart equals the model either before or
 * after it.
 *
 * <p>The kills land inside operations: before an operation is sent, a coin (p = 0.2) decides
 * whether a killer thread fires at a random moment of it, drawn from 0 to 1.5 x the recent duration
 * of operations of its kind (so most kills hit while the server handles it, some just after the
 * answer). Everything random comes from one seed, printed; {@code -Dknoe.crash.seed=<seed>} replays
 * a run's operations and kill draws (where in an operation a kill lands still depends on timing).
 */
class CrashConsistencyIT {

  static final int OPERATIONS = 100;
  static final double KILL_PROBABILITY = 0.2;
  static final List<String> ENDPOINTS = List.of("ep-a", "ep-b", "ep-c");
  static final List<String> DEPLOYMENTS = List.of("blue", "green");
  static final List<String> MODELS = List.of("m-a", "m-b");
  // Deployments start real instances: at most this many at once, and this many creates in all.
  static final int MAX_LIVE_DEPLOYMENTS = 2;
  static final int MAX_DEPLOYMENT_CREATES = 6;

  /** An endpoint as the test expects to see it; a null key is not known yet (matches any). */
  record Endpoint(
      String description,
      Map<String, Integer> traffic,
      String primary,
      String secondary,
      Map<String, String> deployments) {}

  /** Everything the API shows that operations change: endpoints, and model versions' sha256. */
  record State(Map<String, Endpoint> endpoints, Map<String, Map<Integer, String>> models) {

    State copy() {
      Map<String, Endpoint> es = new TreeMap<>();
      endpoints.forEach(
          (n, e) ->
              es.put(
                  n,
                  new Endpoint(
                      e.description(),
                      new TreeMap<>(e.traffic()),
                      e.primary(),
                      e.secondary(),
                      new TreeMap<>(e.deployments()))));
      Map<String, Map<Integer, String>> ms = new TreeMap<>();
      models.forEach((n, vs) -> ms.put(n, new TreeMap<>(vs)));
      return new State(es, ms);
    }

    /** Equal, where a key this state does not know yet matches any. */
    boolean matches(State observed) {
      if (!models.equals(observed.models)
          || !endpoints.keySet().equals(observed.endpoints.keySet())) {
        return false;
      }
      for (var e : endpoints.entrySet()) {
        Endpoint want = e.getValue();
        Endpoint got = observed.endpoints.get(e.getKey());
        if (!want.description().equals(got.description())
            || !want.traffic().equals(got.traffic())
            || !want.deployments().equals(got.deployments())
            || (want.primary() != null && !want.primary().equals(got.primary()))
            || (want.secondary() != null && !want.secondary().equals(got.secondary()))) {
          return false;
        }
      }
      return true;
    }
  }

  /** One API call and what it does to the expected state when it is applied. */
  record Operation(String kind, String method, String path, Object body, Effect effect) {
    @Override
    public String toString() {
      return method + " " + path + (body == null ? "" : " " + body);
    }
  }

  @FunctionalInterface
  interface Effect {
    /** Applies the operation to {@code state}; {@code answer} is the API's, null when unknown. */
    void apply(State state, JsonNode answer);
  }

  private final long seed = Long.getLong("knoe.crash.seed", System.nanoTime());
  private final Random random = new Random(seed);
  private final Map<String, Double> durations = new LinkedHashMap<>();
  private int deploymentCreates;

  @Test
  void everyAcknowledgedOperationSurvivesSigkill() throws Exception {
    System.out.println(
        "CrashConsistencyIT seed " + seed + " (replay: -Dknoe.crash.seed=" + seed + ")");
    Path data =
        Files.createTempDirectory(Path.of("target"), "e2e-crash-").toAbsolutePath().resolve("data");
    byte[][] contents = {
      Files.readAllBytes(sample("model-1")), Files.readAllBytes(sample("model-2"))
    };
    State expected = new State(new TreeMap<>(), new TreeMap<>());
    KnoeServe serve = new KnoeServe(data, Map.of()).start();
    int kills = 0;
    int inFlight = 0;
    int inFlightApplied = 0;
    try {
      for (int i = 0; i < OPERATIONS; i++) {
        Operation op = next(expected, i, contents);
        boolean kill = random.nextDouble() < KILL_PROBABILITY;
        long delayMicros =
            (long) (random.nextDouble() * 1.5 * durations.getOrDefault(op.kind(), 20_000.0));
        String context = "seed " + seed + ", operation " + i + " " + op;

        Thread killer = null;
        if (kill) {
          KnoeServe victim = serve;
          killer =
              new Thread(
                  () -> {
                    try {
                      Thread.sleep(delayMicros / 1000, (int) (delayMicros % 1000) * 1000);
                      victim.kill();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  });
        }
        long start = System.nanoTime();
        HttpResponse<String> answer = null;
        if (killer != null) {
          killer.start();
        }
        try {
          answer = send(serve, op);
        } catch (IOException killedMidway) {
          // no answer: the operation is in flight at the kill
        }
        durations.merge(
            op.kind(), (System.nanoTime() - start) / 1000.0, (old, now) -> 0.7 * old + 0.3 * now);

        State before = expected.copy();
        if (answer != null) {
          if (answer.statusCode() / 100 != 2) {
            fail(context + " -> " + answer.statusCode() + ": " + answer.body());
          }
          op.effect().apply(expected, answer.body().isEmpty() ? null : json(answer.body()));
        }
        if (killer != null) {
          killer.join();
          kills++;
          serve = new KnoeServe(data, Map.of()).start();
        }
        State observed = observe(serve, context);
        if (answer == null) {
          // In flight: applied whole, or not at all.
          inFlight++;
          State after = before.copy();
          op.effect().apply(after, null);
          if (after.matches(observed)) {
            inFlightApplied++;
          } else if (!before.matches(observed)) {
            fail(
                context
                    + ", in flight at the kill: the view is neither before nor after it\n before: "
                    + before
                    + "\n after:  "
                    + after
                    + "\n seen:   "
                    + observed);
          }
        } else if (!expected.matches(observed)) {
          fail(
              context
                  + (killer != null ? ", acknowledged before the kill" : "")
                  + ": the view differs from what was acknowledged\n expected: "
                  + expected
                  + "\n seen:     "
                  + observed);
        }
        expected = observed; // keys made by the server are known from now on
      }
      System.out.printf(
          "CrashConsistencyIT seed %d: %d operations, %d kills, %d in flight at the kill (%d of them"
              + " applied)%n",
          seed, OPERATIONS, kills, inFlight, inFlightApplied);
      assertTrue(kills >= 5, "seed " + seed + " killed only " + kills + " times");

      // What was restored also runs: every deployment's instances start from the stored state.
      KnoeServe last = serve;
      for (var e : expected.endpoints().entrySet()) {
        for (String d : e.getValue().deployments().keySet()) {
          String path = "/api/v1/endpoints/" + e.getKey() + "/deployments/" + d;
          await()
              .atMost(Duration.ofSeconds(120))
              .pollInterval(Duration.ofMillis(500))
              .untilAsserted(
                  () ->
                      assertEquals(
                          "Succeeded",
                          last.ok("GET", path, null).get("provisioning_state").asText(),
                          path));
        }
      }
      // Not visible state, but disk a kill leaves behind: reported, so that it can be watched.
      System.out.println("CrashConsistencyIT temp files left by kills: " + leftovers(data));
    } finally {
      serve.close();
    }
    // Instances follow their knoe serve: none lingers as an orphan, not even one that was still
    // starting at a kill (such ones used to serve for good).
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertEquals(List.of(), processesIn(data)));
  }

  /** Processes whose working directory is under {@code dir} (an instance's is its log folder). */
  static List<String> processesIn(Path dir) {
    return ProcessHandle.allProcesses()
        .filter(
            p -> {
              try {
                return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd"))
                    .startsWith(dir);
              } catch (IOException | UnsupportedOperationException | SecurityException e) {
                return false; // gone meanwhile, or not ours to read
              }
            })
        .map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
        .toList();
  }

  // ---- the script: a valid next operation for the expected state

  private Operation next(State s, int i, byte[][] contents) {
    List<String> endpoints = new ArrayList<>(s.endpoints().keySet());
    List<String> free = ENDPOINTS.stream().filter(n -> !s.endpoints().containsKey(n)).toList();
    int live = s.endpoints().values().stream().mapToInt(e -> e.deployments().size()).sum();
    List<String[]> unusedVersions = new ArrayList<>();
    s.models()
        .forEach(
            (m, vs) ->
                vs.keySet().stream()
                    .filter(v -> !inUse(s, m + ":" + v))
                    .forEach(v -> unusedVersions.add(new String[] {m, "" + v})));
    List<String[]> deletable = new ArrayList<>();
    s.endpoints()
        .forEach(
            (e, ep) ->
                ep.deployments().keySet().stream()
                    .filter(d -> ep.traffic().getOrDefault(d, 0) == 0)
                    .forEach(d -> deletable.add(new String[] {e, d})));
    boolean anyModel = s.models().values().stream().anyMatch(vs -> !vs.isEmpty());
    String description = "op-" + i;

    Map<String, Integer> weights = new LinkedHashMap<>();
    weights.put("create-endpoint", free.isEmpty() ? 0 : 3);
    weights.put("update-endpoint", endpoints.isEmpty() ? 0 : 4);
    weights.put("delete-endpoint", endpoints.isEmpty() ? 0 : 1);
    weights.put("regenerate-key", endpoints.isEmpty() ? 0 : 3);
    weights.put("upload-model", 3);
    weights.put("delete-model-version", unusedVersions.isEmpty() ? 0 : 2);
    weights.put(
        "create-deployment",
        !endpoints.isEmpty()
                && anyModel
                && live < MAX_LIVE_DEPLOYMENTS
                && deploymentCreates < MAX_DEPLOYMENT_CREATES
            ? 2
            : 0);
    weights.put("delete-deployment", deletable.isEmpty() ? 0 : 2);
    String kind = draw(weights);

    switch (kind) {
      case "create-endpoint" -> {
        String name = pick(free);
        return new Operation(
            kind,
            "POST",
            "/api/v1/endpoints",
            Map.of("name", name, "description", description),
            (st, a) ->
                st.endpoints()
                    .put(
                        name,
                        new Endpoint(description, new TreeMap<>(), null, null, new TreeMap<>())));
      }
      case "update-endpoint" -> {
        String name = pick(endpoints);
        Map<String, Integer> traffic = split(s.endpoints().get(name).deployments().keySet());
        return new Operation(
            kind,
            "PUT",
            "/api/v1/endpoints/" + name,
            Map.of("name", name, "description", description, "traffic", traffic),
            (st, a) -> {
              Endpoint e = st.endpoints().get(name);
              st.endpoints()
                  .put(
                      name,
                      new Endpoint(
                          description,
                          new TreeMap<>(traffic),
                          e.primary(),
                          e.secondary(),
                          e.deployments()));
            });
      }
      case "delete-endpoint" -> {
        String name = pick(endpoints);
        return new Operation(
            kind,
            "DELETE",
            "/api/v1/endpoints/" + name,
            null,
            (st, a) -> st.endpoints().remove(name));
      }
      case "regenerate-key" -> {
        String name = pick(endpoints);
        String type = random.nextBoolean() ? "primary" : "secondary";
        return new Operation(
            kind,
            "POST",
            "/api/v1/endpoints/" + name + "/keys/regenerate",
            Map.of("key_type", type),
            (st, a) -> {
              Endpoint e = st.endpoints().get(name);
              // The answer holds both keys; in flight, the new key is not known (null matches any).
              String primary =
                  a != null
                      ? a.get("primaryKey").asText()
                      : type.equals("primary") ? null : e.primary();
              String secondary =
                  a != null
                      ? a.get("secondaryKey").asText()
                      : type.equals("secondary") ? null : e.secondary();
              st.endpoints()
                  .put(
                      name,
                      new Endpoint(
                          e.description(), e.traffic(), primary, secondary, e.deployments()));
            });
      }
      case "upload-model" -> {
        String name = pick(MODELS);
        byte[] content = contents[random.nextInt(contents.length)];
        String sha = sha256(content);
        int version =
            s.models().getOrDefault(name, Map.of()).keySet().stream()
                    .mapToInt(Integer::intValue)
                    .max()
                    .orElse(0)
                + 1;
        return new Operation(
            kind,
            "POST",
            "/api/v1/models/" + name + "/versions",
            content,
            (st, a) -> {
              if (a != null) {
                assertEquals(version, a.get("version").asInt(), "the version assigned");
              }
              st.models().computeIfAbsent(name, k -> new TreeMap<>()).put(version, sha);
            });
      }
      case "delete-model-version" -> {
        String[] mv = pick(unusedVersions);
        return new Operation(
            kind,
            "DELETE",
            "/api/v1/models/" + mv[0] + "/versions/" + mv[1],
            null,
            (st, a) -> {
              st.models().get(mv[0]).remove(Integer.parseInt(mv[1]));
              if (st.models().get(mv[0]).isEmpty()) {
                st.models().remove(mv[0]);
              }
            });
      }
      case "create-deployment" -> {
        String endpoint = pick(endpoints);
        List<String> names =
            DEPLOYMENTS.stream()
                .filter(d -> !s.endpoints().get(endpoint).deployments().containsKey(d))
                .toList();
        List<String> refs = new ArrayList<>();
        s.models().forEach((m, vs) -> vs.keySet().forEach(v -> refs.add(m + ":" + v)));
        String name = pick(names);
        String ref = pick(refs);
        deploymentCreates++;
        return new Operation(
            kind,
            "PUT",
            "/api/v1/endpoints/" + endpoint + "/deployments/" + name,
            Map.of(
                "name",
                name,
                "endpoint_name",
                endpoint,
                "model",
                "azureml:" + ref,
                "instance_count",
                1),
            (st, a) -> st.endpoints().get(endpoint).deployments().put(name, ref));
      }
      case "delete-deployment" -> {
        String[] ed = pick(deletable);
        return new Operation(
            kind,
            "DELETE",
            "/api/v1/endpoints/" + ed[0] + "/deployments/" + ed[1],
            null,
            (st, a) -> {
              // The endpoint's traffic keeps its entry at 0, as it was asked.
              st.endpoints().get(ed[0]).deployments().remove(ed[1]);
            });
      }
      default -> throw new IllegalStateException(kind);
    }
  }

  /** A split of 100 over the deployments (or over none: no traffic). */
  private Map<String, Integer> split(java.util.Set<String> deployments) {
    Map<String, Integer> traffic = new TreeMap<>();
    List<String> ds = new ArrayList<>(deployments);
    if (ds.isEmpty() || random.nextInt(4) == 0) {
      ds.forEach(d -> traffic.put(d, 0));
      return traffic;
    }
    int left = 100;
    for (int k = 0; k < ds.size(); k++) {
      int p = k == ds.size() - 1 ? left : random.nextInt(left + 1);
      traffic.put(ds.get(k), p);
      left -= p;
    }
    return traffic;
  }

  private static boolean inUse(State s, String ref) {
    return s.endpoints().values().stream().anyMatch(e -> e.deployments().containsValue(ref));
  }

  private String draw(Map<String, Integer> weights) {
    int total = weights.values().stream().mapToInt(Integer::intValue).sum();
    int r = random.nextInt(total);
    for (var w : weights.entrySet()) {
      r -= w.getValue();
      if (r < 0) {
        return w.getKey();
      }
    }
    throw new IllegalStateException();
  }

  private <T> T pick(List<T> from) {
    return from.get(random.nextInt(from.size()));
  }

  // ---- talking to knoe serve

  private static HttpResponse<String> send(KnoeServe serve, Operation op) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(serve.uri(op.path()))
            .header("Authorization", "Bearer " + serve.adminKey())
            .timeout(Duration.ofSeconds(60));
    if (op.body() instanceof byte[] bytes) {
      b.header("Content-Type", "application/octet-stream")
          .method(op.method(), HttpRequest.BodyPublishers.ofByteArray(bytes));
    } else if (op.body() != null) {
      b.header("Content-Type", "application/json")
          .method(
              op.method(),
              HttpRequest.BodyPublishers.ofString(KnoeServe.JSON.writeValueAsString(op.body())));
    } else {
      b.method(op.method(), HttpRequest.BodyPublishers.noBody());
    }
    return serve.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The API's view, checked for what must hold whatever was acknowledged: every listed model
   * version's content matches its sha256, and every deployment's model version is listed.
   */
  private static State observe(KnoeServe serve, String context) throws Exception {
    Map<String, Map<Integer, String>> models = new TreeMap<>();
    for (String m : MODELS) {
      HttpResponse<String> r = serve.api("GET", "/api/v1/models/" + m, null);
      if (r.statusCode() == 404) {
        continue;
      }
      assertEquals(200, r.statusCode(), context + ": GET model " + m + ": " + r.body());
      Map<Integer, String> versions = new TreeMap<>();
      for (JsonNode v : json(r.body())) {
        String sha = v.get("sha256").asText();
        HttpResponse<byte[]> content =
            serve.http.send(
                HttpRequest.newBuilder(
                        serve.uri(
                            "/api/v1/models/"
                                + m
                                + "/versions/"
                                + v.get("version").asInt()
                                + "/content"))
                    .header("Authorization", "Bearer " + serve.adminKey())
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(
            200, content.statusCode(), context + ": content of " + m + ":" + v.get("version"));
        assertEquals(
            sha, sha256(content.body()), context + ": content of " + m + ":" + v.get("version"));
        versions.put(v.get("version").asInt(), sha);
      }
      models.put(m, versions);
    }
    Map<String, Endpoint> endpoints = new TreeMap<>();
    for (JsonNode e : serve.ok("GET", "/api/v1/endpoints", null)) {
      String name = e.get("name").asText();
      Map<String, Integer> traffic = new TreeMap<>();
      e.get("traffic")
          .fields()
          .forEachRemaining(t -> traffic.put(t.getKey(), t.getValue().asInt()));
      JsonNode keys = serve.ok("GET", "/api/v1/endpoints/" + name + "/keys", null);
      Map<String, String> deployments = new TreeMap<>();
      for (JsonNode d : serve.ok("GET", "/api/v1/endpoints/" + name + "/deployments", null)) {
        JsonNode model = d.get("registered_model");
        String ref = model.get("id").asText();
        assertEquals(
            models
                .getOrDefault(model.get("name").asText(), Map.of())
                .get(model.get("version").asInt()),
            model.get("sha256").asText(),
            context
                + ": deployment "
                + name
                + "/"
                + d.get("name").asText()
                + " uses "
                + ref
                + ", which is not listed as such");
        deployments.put(d.get("name").asText(), ref);
      }
      endpoints.put(
          name,
          new Endpoint(
              Objects.toString(e.path("description").asText(null)),
              traffic,
              keys.get("primaryKey").asText(),
              keys.get("secondaryKey").asText(),
              deployments));
    }
    return new State(endpoints, models);
  }

  /** Temp files (of atomic writes and uploads) that a kill left behind and no start cleaned up. */
  private static List<Path> leftovers(Path data) throws IOException {
    try (Stream<Path> files = Files.walk(data)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(".tmp"))
          .filter(p -> !p.startsWith(data.resolve("logs")))
          .toList();
    }
  }

  private static Path sample(String model) {
    return KnoeServe.SAMPLES
        .resolve("models")
        .resolve(model)
        .resolve("model")
        .resolve("model.onnx");
  }

  private static JsonNode json(String body) throws IOException {
    return KnoeServe.JSON.readTree(body);
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
