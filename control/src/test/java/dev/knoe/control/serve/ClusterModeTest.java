package dev.knoe.control.serve;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.control.cluster.AzureYamlSpec;
import dev.knoe.control.cluster.OnlineDeployment;
import dev.knoe.control.cluster.OnlineEndpoint;
import dev.knoe.control.knative.KnativeNames;
import dev.knoe.control.upstream.RealCluster;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * {@code knoe serve} in cluster mode against a real kube-apiserver with the CRDs installed ({@link
 * RealCluster}): custom resources applied as {@code kubectl apply} would become the endpoint's
 * Knative Service, with the model downloaded from this control plane's registry; the endpoint API
 * reads and writes those resources. What a real server cannot produce on demand (pod logs without a
 * kubelet, injected write conflicts) is in {@link ClusterFaultsTest}.
 */
@QuarkusTest
@TestProfile(ClusterModeTest.Cluster.class)
public class ClusterModeTest {

  public static final String ADMIN = "cluster-admin-key";
  public static final String READER = "cluster-model-reader-token";
  public static final String NS = "models";
  public static final Path SAMPLES =
      Path.of(System.getProperty("samples.dir", "../samples")).toAbsolutePath().normalize();

  /**
   * knoe serve in cluster mode, in namespace {@link #NS}, on the API server {@code resource} gives.
   */
  public static Map<String, String> clusterMode(String tag) {
    Path data = Path.of("target/cluster-test-" + tag + "-" + System.nanoTime()).toAbsolutePath();
    return Map.of(
        "knoe.data-dir",
        data.toString(),
        "knoe.admin-key",
        ADMIN,
        "knoe.cli-config",
        data.resolve("cli.json").toString(),
        "knoe.backend",
        "knative",
        "knoe.namespace",
        NS,
        "knoe.control-url",
        "http://knoe.knoe.svc:8500",
        "knoe.model-reader-token",
        READER);
  }

  public static class Cluster implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return clusterMode("real");
    }

    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(RealApiServer.class));
    }
  }

  /**
   * The tests' real API server, with namespace {@link #NS}; knoe serve reads a kubeconfig for it.
   */
  public static class RealApiServer implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
      RealCluster cluster = RealCluster.shared();
      try (KubernetesClient c = cluster.client()) {
        if (c.namespaces().withName(NS).get() == null) {
          c.namespaces()
              .resource(
                  new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                      .withNewMetadata()
                      .withName(NS)
                      .endMetadata()
                      .build())
              .create();
        }
      }
      return Map.of("knoe.kubernetes.kubeconfig", cluster.kubeconfig(NS).toString());
    }

    @Override
    public void stop() {
      // The API server is the JVM's, stopped when it exits.
    }
  }

  /** A client of the real API server with the admin credential. */
  public static KubernetesClient client() {
    return RealCluster.shared().client();
  }

  @Test
  void appliedResourcesBecomeAKnativeServiceWithTheRegisteredModel() throws Exception {
    String sha = register("my-endpoint-blue", SAMPLES.resolve("models/model-1/model/model.onnx"));
    KubernetesClient client = client();
    Service s = applyWithBlue(client, "my-endpoint", "my-endpoint-blue:1");
    String revision =
        KnativeNames.revision(
            "my-endpoint",
            "blue",
            client
                .resources(OnlineDeployment.class)
                .inNamespace(NS)
                .withName("my-endpoint-blue")
                .get()
                .getMetadata()
                .getUid(),
            1);
    assertEquals(revision, s.getSpec().getTemplate().getMetadata().getName());
    dev.knoe.control.upstream.KnativeJudge.assertAccepted(List.of(s));
    String script =
        s.getSpec().getTemplate().getSpec().getInitContainers().get(0).getCommand().get(2);
    assertTrue(
        script.contains(
            "http://knoe.knoe.svc:8500/api/v1/models/my-endpoint-blue/versions/1/content"),
        script);
    assertTrue(script.contains(sha + "  /mnt/models/model.onnx"), script);
    assertNotNull(
        client.secrets().inNamespace(NS).withName("my-endpoint-auth").get(), "the endpoint's keys");

    // The endpoint API reads the resources: show, list, keys from the Secret, deployments, logs.
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .when()
        .get("/api/v1/endpoints")
        .then()
        .statusCode(200)
        .body("name", org.hamcrest.Matchers.equalTo(List.of("my-endpoint")));
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .when()
        .get("/api/v1/endpoints/my-endpoint")
        .then()
        .statusCode(200)
        .body("traffic.blue", org.hamcrest.Matchers.equalTo(100))
        .body("provisioning_state", org.hamcrest.Matchers.notNullValue());
    String keys =
        new String(
                java.util.Base64.getDecoder()
                    .decode(
                        client
                            .secrets()
                            .inNamespace(NS)
                            .withName("my-endpoint-auth")
                            .get()
                            .getData()
                            .get("keys")))
            .strip();
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .when()
        .get("/api/v1/endpoints/my-endpoint/keys")
        .then()
        .statusCode(200)
        .body("primaryKey", org.hamcrest.Matchers.equalTo(keys.split("\n")[0]));
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .when()
        .get("/api/v1/endpoints/my-endpoint/deployments")
        .then()
        .statusCode(200)
        .body("name", org.hamcrest.Matchers.equalTo(List.of("blue")));
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .when()
        .get("/api/v1/endpoints/my-endpoint/deployments/blue")
        .then()
        .statusCode(200)
        .body("model", org.hamcrest.Matchers.equalTo("my-endpoint-blue:1"));
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .when()
        .get("/api/v1/endpoints/my-endpoint/deployments/blue/logs")
        .then()
        .statusCode(200)
        .body(containsString("no pod of revision " + revision))
        .body(containsString("runs now"));
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .when()
        .get("/api/v1/endpoints/my-endpoint/deployments/red")
        .then()
        .statusCode(404)
        .body("error", containsString("no deployment 'red'"));
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .when()
        .get("/api/v1/endpoints/nope")
        .then()
        .statusCode(404);
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .when()
        .post("/api/v1/endpoints/my-endpoint/token")
        .then()
        .statusCode(400)
        .body("error", containsString("auth_mode key"));
    given().when().get("/api/v1/endpoints").then().statusCode(401);

    given()
        .header("Authorization", "Bearer " + ADMIN)
        .when()
        .delete("/api/v1/models/my-endpoint-blue/versions/1")
        .then()
        .statusCode(409)
        .body("error", containsString("used by a deployment"));
  }

  /**
   * The init container's script as rendered, run here with sh, wget and sha256sum against this
   * control plane.
   */
  @Test
  void theStorageInitializerDownloadsTheModelWithTheReaderTokenAndChecksItsDigest()
      throws Exception {
    Path file = SAMPLES.resolve("models/model-2/model/model.onnx");
    byte[] onnx = Files.readAllBytes(file);
    String sha = register("fetch-model", file);
    String rendered =
        applyWithBlue(client(), "fetch", "fetch-model:1")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getInitContainers()
            .get(0)
            .getCommand()
            .get(2);

    // The pod's volume and the Service's address, mapped onto this machine.
    Path volume = Files.createTempDirectory("knoe-models");
    String script =
        rendered
            .replace("/mnt/models", volume.toString())
            .replace(
                "http://knoe.knoe.svc:8500", "http://localhost:" + io.restassured.RestAssured.port);
    Run ok = sh(script, READER);
    assertEquals(0, ok.exit(), ok.output());
    assertTrue(ok.output().contains(volume.resolve("model.onnx") + ": OK"), ok.output());
    org.junit.jupiter.api.Assertions.assertArrayEquals(
        onnx, Files.readAllBytes(volume.resolve("model.onnx")));

    Run wrongToken = sh(script, "not-the-token");
    assertTrue(wrongToken.exit() != 0, "a wrong token downloads nothing: " + wrongToken.output());
    Run tampered = sh(script.replace(sha, "0".repeat(64)), READER);
    assertTrue(tampered.exit() != 0, tampered.output());
    assertTrue(
        tampered.output().contains("FAILED"),
        "the digest check stops the pod: " + tampered.output());

    given()
        .header("Authorization", "Bearer " + ADMIN)
        .when()
        .delete("/api/v1/endpoints/fetch")
        .then()
        .statusCode(204);
  }

  /** Registers {@code file} as the next version of model {@code name}; its sha256. */
  static String register(String name, Path file) {
    return given()
        .header("Authorization", "Bearer " + ADMIN)
        .contentType("application/octet-stream")
        .body(bytes(file))
        .when()
        .post("/api/v1/models/" + name + "/versions")
        .then()
        .statusCode(201)
        .extract()
        .path("sha256");
  }

  /**
   * As kubectl apply would: endpoint {@code name} with deployment blue of {@code model} at 100 %;
   * the Service made of them.
   */
  static Service applyWithBlue(KubernetesClient client, String name, String model) {
    OnlineEndpoint e = new OnlineEndpoint();
    e.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    e.setSpec(new AzureYamlSpec(new LinkedHashMap<>(Map.of("traffic", Map.of("blue", 100)))));
    client.resource(e).create();
    OnlineDeployment d = new OnlineDeployment();
    d.setMetadata(new ObjectMetaBuilder().withName(name + "-blue").withNamespace(NS).build());
    d.setSpec(
        new AzureYamlSpec(new LinkedHashMap<>(Map.of("endpoint_name", name, "model", model))));
    client.resource(d).create();
    KnativeClient knative = client.adapt(KnativeClient.class);
    // Until it sees the deployment, the reconciler may write a placeholder template (no model).
    Awaitility.await("the reconciler in knoe serve writes the Service with blue's revision")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              Service s = knative.services().inNamespace(NS).withName(name).get();
              var init = s == null ? null : s.getSpec().getTemplate().getSpec().getInitContainers();
              return init != null && !init.isEmpty();
            });
    return knative.services().inNamespace(NS).withName(name).get();
  }

  record Run(int exit, String output) {}

  private static Run sh(String script, String token) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true);
    pb.environment().put("KNOE_MODEL_TOKEN", token);
    Process p = pb.start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
    return new Run(p.exitValue(), out);
  }

  @Test
  void theRestApiWritesTheResourcesWithTheLocalRules() {
    KubernetesClient client = client();
    String sha =
        given()
            .header("Authorization", "Bearer " + ADMIN)
            .contentType("application/octet-stream")
            .body(bytes(SAMPLES.resolve("models/model-1/model/model.onnx")))
            .when()
            .post("/api/v1/models/rest-model/versions")
            .then()
            .statusCode(201)
            .extract()
            .path("sha256");
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .when()
        .get("/api/v1/platform")
        .then()
        .statusCode(200)
        .body("backend", equalTo("knative"))
        .body("namespace", equalTo(NS));

    // Create: the resource holds the spec; the reconciler takes it from there.
    String etag =
        given()
            .header("Authorization", "Bearer " + ADMIN)
            .contentType("application/yaml")
            .body(yaml("name: rest\nauth_mode: key\n"))
            .when()
            .post("/api/v1/endpoints")
            .then()
            .statusCode(201)
            .body("provisioning_state", equalTo("Creating"))
            .extract()
            .header("ETag");
    assertNotNull(client.resources(OnlineEndpoint.class).inNamespace(NS).withName("rest").get());
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .contentType("application/yaml")
        .body(yaml("name: rest\n"))
        .when()
        .post("/api/v1/endpoints")
        .then()
        .statusCode(409)
        .body("error", containsString("already exists"));
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .contentType("application/yaml")
        .body(yaml("name: rest\ntraffic: {blue: 100}\n"))
        .when()
        .put("/api/v1/endpoints/rest")
        .then()
        .statusCode(400)
        .body("error", containsString("blue"));
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .contentType("application/yaml")
        .body(yaml("name: rest\nauth_mode: aml_token\n"))
        .when()
        .put("/api/v1/endpoints/rest")
        .then()
        .statusCode(400)
        .body("error", containsString("auth_mode cannot change"));

    // Deployments: registered models only, pinned with their digest; the local rules hold.
    String deployment =
        "name: blue\nendpoint_name: rest\nmodel: rest-model:latest\ninstance_type: cpu-small\n";
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .contentType("application/yaml")
        .body(yaml(deployment))
        .when()
        .post("/api/v1/endpoints/rest/deployments")
        .then()
        .statusCode(202)
        .header("Location", containsString("/api/v1/endpoints/rest/deployments/blue"));
    OnlineDeployment blue =
        client.resources(OnlineDeployment.class).inNamespace(NS).withName("rest-blue").get();
    assertEquals("rest-model:1", blue.getSpec().getFields().get("model"), "latest is pinned");
    assertEquals(sha, blue.getMetadata().getAnnotations().get("knoe.dev/model-sha256"));
    assertEquals(
        "rest",
        blue.getMetadata().getOwnerReferences().get(0).getName(),
        "removed with its endpoint");
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .contentType("application/yaml")
        .body(yaml("name: green\nendpoint_name: rest\nmodel: {path: /tmp/model.onnx}\n"))
        .when()
        .post("/api/v1/endpoints/rest/deployments")
        .then()
        .statusCode(400)
        .body("error", containsString("uploads it for you"));
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .contentType("application/yaml")
        .body(yaml("name: green\nendpoint_name: rest\nmodel: nope:3\n"))
        .when()
        .post("/api/v1/endpoints/rest/deployments")
        .then()
        .statusCode(400)
        .body("error", containsString("nope:3 is not registered"));
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .contentType("application/yaml")
        .body(
            yaml(
                "name: green\nendpoint_name: rest\nmodel: rest-model:1\ncode_configuration: {code: /tmp/h.jar, scoring_script: a.B}\n"))
        .when()
        .post("/api/v1/endpoints/rest/deployments")
        .then()
        .statusCode(400)
        .body("error", containsString("environment.image"));
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .contentType("application/yaml")
        .body(yaml(deployment.replace("endpoint_name: rest", "endpoint_name: gone")))
        .when()
        .post("/api/v1/endpoints/gone/deployments")
        .then()
        .statusCode(404);

    // Names join with dashes: rest + blue-xyz and rest-blue + xyz would be one resource (and
    // revision) name.
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .contentType("application/yaml")
        .body(yaml("name: blue-xyz\nendpoint_name: rest\nmodel: rest-model:1\n"))
        .when()
        .post("/api/v1/endpoints/rest/deployments")
        .then()
        .statusCode(202);
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .contentType("application/yaml")
        .body(yaml("name: rest-blue\n"))
        .when()
        .post("/api/v1/endpoints")
        .then()
        .statusCode(201);
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .contentType("application/yaml")
        .body(yaml("name: xyz\nendpoint_name: rest-blue\nmodel: rest-model:1\n"))
        .when()
        .post("/api/v1/endpoints/rest-blue/deployments")
        .then()
        .statusCode(409)
        .body(
            "error", containsString("taken by deployment 'blue-xyz' of endpoint resource 'rest'"));
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .when()
        .delete("/api/v1/endpoints/rest-blue")
        .then()
        .statusCode(204);

    // Traffic to it, with If-Match: a stale ETag is refused, the current one accepted.
    String current =
        given()
            .header("Authorization", "Bearer " + ADMIN)
            .when()
            .get("/api/v1/endpoints/rest")
            .then()
            .statusCode(200)
            .extract()
            .header("ETag");
    assertEquals(etag, current);
    String withTraffic = "name: rest\nauth_mode: key\ntraffic: {blue: 100}\n";
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .header("If-Match", current)
        .contentType("application/yaml")
        .body(yaml(withTraffic))
        .when()
        .put("/api/v1/endpoints/rest")
        .then()
        .statusCode(200)
        .body("traffic.blue", equalTo(100));
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .header("If-Match", current)
        .contentType("application/yaml")
        .body(yaml(withTraffic))
        .when()
        .put("/api/v1/endpoints/rest")
        .then()
        .statusCode(412)
        .body("error", containsString("changed since you read it"));
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .when()
        .delete("/api/v1/endpoints/rest/deployments/blue")
        .then()
        .statusCode(409)
        .body("error", containsString("100 % of endpoint 'rest' traffic"));

    // Keys: the reconciler makes the Secret; regenerating one changes only that one, in the Secret.
    Awaitility.await("the auth Secret")
        .atMost(Duration.ofSeconds(30))
        .until(() -> client.secrets().inNamespace(NS).withName("rest-auth").get() != null);
    String primary =
        given()
            .header("Authorization", "Bearer " + ADMIN)
            .when()
            .get("/api/v1/endpoints/rest/keys")
            .then()
            .statusCode(200)
            .extract()
            .path("primaryKey");
    String secondary =
        given()
            .header("Authorization", "Bearer " + ADMIN)
            .when()
            .get("/api/v1/endpoints/rest/keys")
            .then()
            .extract()
            .path("secondaryKey");
    String next =
        given()
            .header("Authorization", "Bearer " + ADMIN)
            .contentType("application/json")
            .body("{\"key_type\": \"secondary\"}")
            .when()
            .post("/api/v1/endpoints/rest/keys/regenerate")
            .then()
            .statusCode(200)
            .body("primaryKey", equalTo(primary))
            .extract()
            .path("secondaryKey");
    assertTrue(!next.equals(secondary));
    String file =
        new String(
            java.util.Base64.getDecoder()
                .decode(
                    client
                        .secrets()
                        .inNamespace(NS)
                        .withName("rest-auth")
                        .get()
                        .getData()
                        .get("keys")));
    assertEquals(primary + "\n" + next + "\n", file, "what the pods read");
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .contentType("application/json")
        .body("{\"key_type\": \"third\"}")
        .when()
        .post("/api/v1/endpoints/rest/keys/regenerate")
        .then()
        .statusCode(400)
        .body("error", containsString("primary or secondary"));

    // A stale If-Match (current was read before the traffic update) deletes nothing and
    // regenerates no key; the current one deletes.
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .header("If-Match", current)
        .contentType("application/json")
        .body("{\"key_type\": \"primary\"}")
        .when()
        .post("/api/v1/endpoints/rest/keys/regenerate")
        .then()
        .statusCode(412)
        .body("error", containsString("changed since you read it"));
    assertEquals(
        primary + "\n" + next + "\n",
        new String(
            java.util.Base64.getDecoder()
                .decode(
                    client
                        .secrets()
                        .inNamespace(NS)
                        .withName("rest-auth")
                        .get()
                        .getData()
                        .get("keys"))),
        "keys unchanged");
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .header("If-Match", current)
        .when()
        .delete("/api/v1/endpoints/rest")
        .then()
        .statusCode(412)
        .body("error", containsString("endpoint 'rest' changed since you read it"));
    assertNotNull(client.resources(OnlineEndpoint.class).inNamespace(NS).withName("rest").get());
    assertNotNull(
        client.resources(OnlineDeployment.class).inNamespace(NS).withName("rest-blue").get());
    String xyz =
        given()
            .header("Authorization", "Bearer " + ADMIN)
            .when()
            .get("/api/v1/endpoints/rest/deployments/blue-xyz")
            .then()
            .statusCode(200)
            .extract()
            .header("ETag");
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .contentType("application/yaml")
        .body(yaml("name: blue-xyz\nendpoint_name: rest\nmodel: rest-model:1\ndescription: new\n"))
        .when()
        .put("/api/v1/endpoints/rest/deployments/blue-xyz")
        .then()
        .statusCode(202);
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .header("If-Match", xyz)
        .when()
        .delete("/api/v1/endpoints/rest/deployments/blue-xyz")
        .then()
        .statusCode(412)
        .body("error", containsString("deployment 'blue-xyz' of endpoint 'rest' changed"));
    assertNotNull(
        client.resources(OnlineDeployment.class).inNamespace(NS).withName("rest-blue-xyz").get());
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .header(
            "If-Match",
            given()
                .header("Authorization", "Bearer " + ADMIN)
                .when()
                .get("/api/v1/endpoints/rest/deployments/blue-xyz")
                .then()
                .extract()
                .header("ETag"))
        .when()
        .delete("/api/v1/endpoints/rest/deployments/blue-xyz")
        .then()
        .statusCode(204);

    // Delete: the endpoint goes with its deployments.
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .when()
        .delete("/api/v1/endpoints/rest")
        .then()
        .statusCode(204);
    assertEquals(
        null, client.resources(OnlineEndpoint.class).inNamespace(NS).withName("rest").get());
    assertEquals(
        null, client.resources(OnlineDeployment.class).inNamespace(NS).withName("rest-blue").get());
    assertEquals(
        null,
        client.resources(OnlineDeployment.class).inNamespace(NS).withName("rest-blue-xyz").get());
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .when()
        .get("/api/v1/endpoints/rest")
        .then()
        .statusCode(404);

    // Created again: an ETag read from the old endpoint does not match the new one.
    String fresh =
        given()
            .header("Authorization", "Bearer " + ADMIN)
            .contentType("application/yaml")
            .body(yaml("name: rest\n"))
            .when()
            .post("/api/v1/endpoints")
            .then()
            .statusCode(201)
            .extract()
            .header("ETag");
    assertTrue(!fresh.equals(current), fresh + " vs " + current);
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .header("If-Match", current)
        .contentType("application/yaml")
        .body(yaml("name: rest\n"))
        .when()
        .put("/api/v1/endpoints/rest")
        .then()
        .statusCode(412);
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .header("If-Match", current)
        .when()
        .delete("/api/v1/endpoints/rest")
        .then()
        .statusCode(412);
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .header("If-Match", fresh)
        .when()
        .delete("/api/v1/endpoints/rest")
        .then()
        .statusCode(204);
  }

  @Test
  void resourcesAppliedWithKubectlThatTheApiWouldRefuseGetClearAnswers() {
    KubernetesClient client = client();
    OnlineEndpoint e = new OnlineEndpoint();
    e.setMetadata(new ObjectMetaBuilder().withName("odd").withNamespace(NS).build());
    e.setSpec(
        new AzureYamlSpec(
            new LinkedHashMap<>(Map.of("auth_mode", "aad_token", "traffic", Map.of("blue", 150)))));
    client.resource(e).create();
    OnlineDeployment d = new OnlineDeployment();
    d.setMetadata(new ObjectMetaBuilder().withName("odd-red").withNamespace(NS).build());
    d.setSpec(
        new AzureYamlSpec(new LinkedHashMap<>(Map.of("endpoint_name", "odd", "model", "nope:1"))));
    client.resource(d).create();

    given()
        .header("Authorization", "Bearer " + ADMIN)
        .when()
        .get("/api/v1/endpoints/odd/keys")
        .then()
        .statusCode(400)
        .body("error", containsString("auth_mode 'aad_token', which is not key or aml_token"));
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .when()
        .get("/api/v1/endpoints/odd")
        .then()
        .statusCode(200)
        .body("traffic.blue", equalTo(150));
    // Its spec is invalid, but red has no traffic in it: deleting red is fine.
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .when()
        .delete("/api/v1/endpoints/odd/deployments/red")
        .then()
        .statusCode(204);
    assertEquals(
        null, client.resources(OnlineDeployment.class).inNamespace(NS).withName("odd-red").get());
    assertEquals(
        "red",
        client
            .resources(OnlineEndpoint.class)
            .inNamespace(NS)
            .withName("odd")
            .get()
            .getMetadata()
            .getAnnotations()
            .get("knoe.dev/deleting-deployments"),
        "marked before it went");
    // Fixing the endpoint through the API replaces what kubectl wrote.
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .contentType("application/yaml")
        .body(yaml("name: odd\n"))
        .when()
        .put("/api/v1/endpoints/odd")
        .then()
        .statusCode(200)
        .body("auth_mode", equalTo("key"));
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .contentType("application/yaml")
        .body(yaml("name: odd\ntraffic: {red: 100}\n"))
        .when()
        .put("/api/v1/endpoints/odd")
        .then()
        .statusCode(400)
        .body("error", containsString("red"));
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .when()
        .delete("/api/v1/endpoints/odd")
        .then()
        .statusCode(204);
  }

  static byte[] yaml(String text) {
    return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  static byte[] bytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
