package dev.knoe.control.serve;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.control.cluster.AzureYamlSpec;
import dev.knoe.control.cluster.OnlineDeployment;
import dev.knoe.control.cluster.OnlineEndpoint;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * {@code knoe serve} in cluster mode against an in-memory Kubernetes API server (fabric8's CRUD
 * mock): custom resources applied as {@code kubectl apply} would become the endpoint's Knative
 * Service, with the model downloaded from this control plane's registry; the endpoint API says
 * it is not served here.
 */
@QuarkusTest
@TestProfile(ClusterModeTest.Cluster.class)
class ClusterModeTest {

  static final String ADMIN = "cluster-admin-key";
  static final String NS = "models";
  static final Path SAMPLES = Path.of(System.getProperty("samples.dir", "../samples")).toAbsolutePath().normalize();
  static KubernetesMockServer server;

  public static class Cluster implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      Path data = Path.of("target/cluster-test-" + System.nanoTime()).toAbsolutePath();
      return Map.of("knoe.data-dir", data.toString(), "knoe.admin-key", ADMIN,
          "knoe.cli-config", data.resolve("cli.json").toString(), "knoe.backend", "knative",
          "knoe.namespace", NS, "knoe.control-url", "http://knoe.knoe.svc:8500");
    }

    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(MockApiServer.class));
    }
  }

  /** The API server the app's client talks to. */
  public static class MockApiServer implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
      server = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(), new MockWebServer(), new HashMap<>(),
          new KubernetesCrudDispatcher(), false);
      server.init();
      return Map.of("knoe.kubernetes.master-url", server.url("/"));
    }

    @Override
    public void stop() {
      server.destroy();
    }
  }

  @Test
  void appliedResourcesBecomeAKnativeServiceWithTheRegisteredModel() throws Exception {
    byte[] onnx = Files.readAllBytes(SAMPLES.resolve("models/model-1/model/model.onnx"));
    String sha = given().header("Authorization", "Bearer " + ADMIN).contentType("application/octet-stream").body(onnx)
        .when().post("/api/v1/models/my-endpoint-blue/versions").then().statusCode(201).extract().path("sha256");

    KubernetesClient client = server.createClient();
    OnlineEndpoint e = new OnlineEndpoint();
    e.setMetadata(new ObjectMetaBuilder().withName("my-endpoint").withNamespace(NS).build());
    e.setSpec(new AzureYamlSpec(new LinkedHashMap<>(Map.of("traffic", Map.of("blue", 100)))));
    client.resource(e).create();
    OnlineDeployment d = new OnlineDeployment();
    d.setMetadata(new ObjectMetaBuilder().withName("my-endpoint-blue").withNamespace(NS).build());
    d.setSpec(new AzureYamlSpec(new LinkedHashMap<>(Map.of("endpoint_name", "my-endpoint", "model", "my-endpoint-blue:1"))));
    client.resource(d).create();

    KnativeClient knative = client.adapt(KnativeClient.class);
    Awaitility.await("the reconciler in knoe serve writes the Service").atMost(Duration.ofSeconds(30))
        .until(() -> knative.services().inNamespace(NS).withName("my-endpoint").get() != null);
    Service s = knative.services().inNamespace(NS).withName("my-endpoint").get();
    assertEquals("my-endpoint-blue-1", s.getSpec().getTemplate().getMetadata().getName());
    String script = s.getSpec().getTemplate().getSpec().getInitContainers().get(0).getCommand().get(2);
    assertTrue(script.contains("http://knoe.knoe.svc:8500/api/v1/models/my-endpoint-blue/versions/1/content"), script);
    assertTrue(script.contains(sha + "  /mnt/models/model.onnx"), script);
    assertNotNull(client.secrets().inNamespace(NS).withName("my-endpoint-auth").get(), "the endpoint's keys");

    // The endpoint API reads the resources: show, list, keys from the Secret, deployments, logs.
    given().header("Authorization", "Bearer " + ADMIN).when().get("/api/v1/endpoints").then().statusCode(200)
        .body("name", org.hamcrest.Matchers.equalTo(List.of("my-endpoint")));
    given().header("Authorization", "Bearer " + ADMIN).when().get("/api/v1/endpoints/my-endpoint").then().statusCode(200)
        .body("traffic.blue", org.hamcrest.Matchers.equalTo(100))
        .body("provisioning_state", org.hamcrest.Matchers.notNullValue());
    String keys = new String(java.util.Base64.getDecoder().decode(
        client.secrets().inNamespace(NS).withName("my-endpoint-auth").get().getData().get("keys"))).strip();
    given().header("Authorization", "Bearer " + ADMIN).when().get("/api/v1/endpoints/my-endpoint/keys").then()
        .statusCode(200).body("primaryKey", org.hamcrest.Matchers.equalTo(keys.split("\n")[0]));
    given().header("Authorization", "Bearer " + ADMIN).when().get("/api/v1/endpoints/my-endpoint/deployments").then()
        .statusCode(200).body("name", org.hamcrest.Matchers.equalTo(List.of("blue")));
    given().header("Authorization", "Bearer " + ADMIN).when().get("/api/v1/endpoints/my-endpoint/deployments/blue")
        .then().statusCode(200).body("model", org.hamcrest.Matchers.equalTo("my-endpoint-blue:1"));
    given().header("Authorization", "Bearer " + ADMIN).when().get("/api/v1/endpoints/my-endpoint/deployments/blue/logs")
        .then().statusCode(200).body("[0]", containsString("my-endpoint-blue-1"));
    given().header("Authorization", "Bearer " + ADMIN).when().get("/api/v1/endpoints/my-endpoint/deployments/red")
        .then().statusCode(404).body("error", containsString("no deployment 'red'"));
    given().header("Authorization", "Bearer " + ADMIN).when().get("/api/v1/endpoints/nope").then().statusCode(404);
    given().header("Authorization", "Bearer " + ADMIN).when().post("/api/v1/endpoints/my-endpoint/token").then()
        .statusCode(400).body("error", containsString("auth_mode key"));
    given().when().get("/api/v1/endpoints").then().statusCode(401);

    given().header("Authorization", "Bearer " + ADMIN).when().delete("/api/v1/models/my-endpoint-blue/versions/1")
        .then().statusCode(409).body("error", containsString("used by a deployment"));

    given().header("Authorization", "Bearer " + ADMIN).contentType("application/json").body("{\"name\": \"other\"}")
        .when().post("/api/v1/endpoints").then().statusCode(501).body("error", containsString("kubectl apply"));
  }
}
