package dev.knoe.control.serve;

import static dev.knoe.control.serve.ClusterModeTest.ADMIN;
import static dev.knoe.control.serve.ClusterModeTest.NS;
import static dev.knoe.control.serve.ClusterModeTest.SAMPLES;
import static dev.knoe.control.serve.ClusterModeTest.bytes;
import static dev.knoe.control.serve.ClusterModeTest.yaml;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.knoe.control.cluster.OnlineDeployment;
import dev.knoe.control.cluster.OnlineEndpoint;
import dev.knoe.control.knative.KnativeNames;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code knoe serve} in cluster mode where only a mock API server will do: fabric8's CRUD mock with
 * expectations, for what a real API server cannot produce on demand here, the logs of a pod (no
 * kubelet runs) and a write conflict at an exact moment. Everything else is {@link
 * ClusterModeTest}, on a real API server.
 */
@QuarkusTest
@TestProfile(ClusterFaultsTest.MockCluster.class)
public class ClusterFaultsTest {

  static KubernetesMockServer server;

  public static class MockCluster implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return ClusterModeTest.clusterMode("mock");
    }

    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(MockApiServer.class));
    }
  }

  /** The API server the app's client talks to: CRUD plus expectations. */
  public static class MockApiServer implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
      Map<
              io.fabric8.mockwebserver.ServerRequest,
              java.util.Queue<io.fabric8.mockwebserver.ServerResponse>>
          responses = new HashMap<>();
      server =
          new KubernetesMockServer(
              new io.fabric8.mockwebserver.Context(),
              new MockWebServer(),
              responses,
              new KubernetesMixedDispatcher(responses),
              false);
      server.init();
      try {
        var file = Files.createTempFile("knoe-mock-kubeconfig", ".yaml");
        file.toFile().deleteOnExit();
        Files.writeString(
            file,
            "apiVersion: v1\nkind: Config\nclusters:\n- name: mock\n  cluster: {server: \""
                + server.url("/")
                + "\"}\nusers:\n- name: u\n  user: {token: mock}\ncontexts:\n- name: mock\n"
                + "  context: {cluster: mock, user: u}\ncurrent-context: mock\n");
        return Map.of("knoe.kubernetes.kubeconfig", file.toString());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public void stop() {
      server.destroy();
    }
  }

  @Test
  void logsAreThePodsContainersOutputTheModelDownloadApart() {
    ClusterModeTest.register(
        "my-endpoint-blue", SAMPLES.resolve("models/model-1/model/model.onnx"));
    KubernetesClient client = server.createClient();
    ClusterModeTest.applyWithBlue(client, "my-endpoint", "my-endpoint-blue:1");
    // The reconciler writes the Service before the deployment's status names its revision.
    org.awaitility.Awaitility.await("the deployment's status names its revision")
        .atMost(java.time.Duration.ofSeconds(30))
        .until(
            () -> {
              OnlineDeployment d =
                  client
                      .resources(OnlineDeployment.class)
                      .inNamespace(NS)
                      .withName("my-endpoint-blue")
                      .get();
              return d.getStatus() != null && d.getStatus().revision() != null;
            });
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
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .when()
        .get("/api/v1/endpoints/my-endpoint/deployments/blue/logs")
        .then()
        .statusCode(200)
        .body(containsString("no pod of revision " + revision + " runs now"));
    // With a pod of the revision: its containers' logs, the model download's apart.
    String pod = revision + "-deployment-x1";
    client
        .pods()
        .inNamespace(NS)
        .resource(
            new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata()
                .withName(pod)
                .withNamespace(NS)
                .addToLabels("serving.knative.dev/revision", revision)
                .endMetadata()
                .build())
        .create();
    server
        .expect()
        .get()
        .withPath(
            "/api/v1/namespaces/"
                + NS
                + "/pods/"
                + pod
                + "/log?pretty=false&container=scoring-function&tailLines=5")
        .andReturn(200, "scored 3 rows\n")
        .always();
    server
        .expect()
        .get()
        .withPath(
            "/api/v1/namespaces/"
                + NS
                + "/pods/"
                + pod
                + "/log?pretty=false&container=storage-initializer&tailLines=100")
        .andReturn(200, "model.onnx: OK\n")
        .always();
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .when()
        .get("/api/v1/endpoints/my-endpoint/deployments/blue/logs?lines=5")
        .then()
        .statusCode(200)
        .body(equalTo(pod + " scored 3 rows\n"));
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .when()
        .get("/api/v1/endpoints/my-endpoint/deployments/blue/logs?container=storage-initializer")
        .then()
        .statusCode(200)
        .body(equalTo(pod + " model.onnx: OK\n"));
  }

  @Test
  void aWriteThatMeetsANewerResourceVersionIsMadeAgainFromFreshReads() {
    KubernetesClient client = server.createClient();
    String path = "/apis/knoe.dev/v1alpha1/namespaces/" + NS + "/onlineendpoints/busy";
    var conflict =
        new io.fabric8.kubernetes.api.model.StatusBuilder()
            .withCode(409)
            .withReason("Conflict")
            .withMessage("Operation cannot be fulfilled: the object has been modified")
            .build();
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .contentType("application/octet-stream")
        .body(bytes(SAMPLES.resolve("models/model-1/model/model.onnx")))
        .when()
        .post("/api/v1/models/busy-model/versions")
        .then()
        .statusCode(201);
    String etag =
        given()
            .header("Authorization", "Bearer " + ADMIN)
            .contentType("application/yaml")
            .body(yaml("name: busy\n"))
            .when()
            .post("/api/v1/endpoints")
            .then()
            .statusCode(201)
            .extract()
            .header("ETag");
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .contentType("application/yaml")
        .body(yaml("name: blue\nendpoint_name: busy\nmodel: busy-model:1\n"))
        .when()
        .post("/api/v1/endpoints/busy/deployments")
        .then()
        .statusCode(202);

    // The reconciler's status write (say) lands between the API's read and its write: the user's
    // If-Match still holds, so the update is made again on a fresh read, not refused.
    server.expect().put().withPath(path).andReturn(409, conflict).once();
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .header("If-Match", etag)
        .contentType("application/yaml")
        .body(yaml("name: busy\ntraffic: {blue: 100}\n"))
        .when()
        .put("/api/v1/endpoints/busy")
        .then()
        .statusCode(200)
        .body("traffic.blue", equalTo(100));
    assertEquals(
        Map.of("blue", 100),
        client
            .resources(OnlineEndpoint.class)
            .inNamespace(NS)
            .withName("busy")
            .get()
            .getSpec()
            .getFields()
            .get("traffic"));

    // The mark a deployment delete makes meets a newer version: read again, the rule is checked
    // again.
    server.expect().put().withPath(path).andReturn(409, conflict).once();
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .when()
        .delete("/api/v1/endpoints/busy/deployments/blue")
        .then()
        .statusCode(409)
        .body("error", containsString("100 % of endpoint 'busy' traffic"));
    server.expect().put().withPath(path).andReturn(409, conflict).once();
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .contentType("application/yaml")
        .body(yaml("name: busy\n"))
        .when()
        .put("/api/v1/endpoints/busy")
        .then()
        .statusCode(200);
    server.expect().put().withPath(path).andReturn(409, conflict).once();
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .when()
        .delete("/api/v1/endpoints/busy/deployments/blue")
        .then()
        .statusCode(204);
    assertEquals(
        null, client.resources(OnlineDeployment.class).inNamespace(NS).withName("busy-blue").get());

    // Something that keeps writing wins in the end: a clear 412, the spec as it was.
    server.expect().put().withPath(path).andReturn(409, conflict).times(5);
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .contentType("application/yaml")
        .body(yaml("name: busy\ndescription: never\n"))
        .when()
        .put("/api/v1/endpoints/busy")
        .then()
        .statusCode(412)
        .body("error", containsString("kept changing"));
    assertEquals(
        null,
        client
            .resources(OnlineEndpoint.class)
            .inNamespace(NS)
            .withName("busy")
            .get()
            .getSpec()
            .getFields()
            .get("description"));

    // A delete with If-Match deletes the version it read: one that meets a newer version (the
    // reconciler's status, say) is read and checked again, then made.
    String current =
        given()
            .header("Authorization", "Bearer " + ADMIN)
            .when()
            .get("/api/v1/endpoints/busy")
            .then()
            .statusCode(200)
            .extract()
            .header("ETag");
    server.expect().delete().withPath(path).andReturn(409, conflict).once();
    given()
        .header("Authorization", "Bearer " + ADMIN)
        .header("If-Match", current)
        .when()
        .delete("/api/v1/endpoints/busy")
        .then()
        .statusCode(204);
    assertEquals(
        null, client.resources(OnlineEndpoint.class).inNamespace(NS).withName("busy").get());
  }
}
