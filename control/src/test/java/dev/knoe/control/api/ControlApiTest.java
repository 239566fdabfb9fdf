package dev.knoe.control.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.knoe.control.model.ModelRegistryTest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The control API's rules and status codes, with a backend that starts nothing. */
@QuarkusTest
@TestProfile(ControlApiTest.Api.class)
class ControlApiTest {

  static final String ADMIN = "test-admin-key";
  static final String READER = "test-model-reader";
  static final Path SAMPLES =
      Path.of(System.getProperty("samples.dir", "../samples")).toAbsolutePath().normalize();

  public static class Api implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      Path data = Path.of("target/api-test-" + System.nanoTime()).toAbsolutePath();
      return Map.of(
          "knoe.data-dir",
          data.toString(),
          "knoe.admin-key",
          ADMIN,
          "knoe.cli-config",
          data.resolve("cli.json").toString(),
          "knoe.models.max-bytes",
          "100000",
          "knoe.model-reader-token",
          READER);
    }
  }

  /**
   * YAML bodies sent as text, given with every request: Quarkus resets RestAssured's global config
   * after each test class, so a global setting made once would be gone for the classes after the
   * first one to use it (the order of classes decided which tests failed).
   */
  static final io.restassured.config.RestAssuredConfig YAML =
      io.restassured.config.RestAssuredConfig.config()
          .encoderConfig(
              io.restassured.config.EncoderConfig.encoderConfig()
                  .encodeContentTypeAs("application/yaml", io.restassured.http.ContentType.TEXT));

  static RequestSpecification admin() {
    return given().config(YAML).header("Authorization", "Bearer " + ADMIN);
  }

  static void endpoint(String name) {
    admin()
        .contentType("application/yaml")
        .body("name: " + name + "\n")
        .when()
        .post("/api/v1/endpoints")
        .then()
        .statusCode(201);
  }

  static void deployment(String endpoint, String name) {
    String json =
        "{\"name\":\""
            + name
            + "\",\"endpoint_name\":\""
            + endpoint
            + "\",\"model\":{\"path\":\""
            + SAMPLES.resolve("models/model-1/model")
            + "\"}}";
    admin()
        .contentType("application/json")
        .body(json)
        .when()
        .put("/api/v1/endpoints/" + endpoint + "/deployments/" + name)
        .then()
        .statusCode(202);
  }

  @Test
  void nothingIsOpenWithoutTheAdminCredential() {
    given()
        .when()
        .get("/api/v1/endpoints")
        .then()
        .statusCode(401)
        .header("WWW-Authenticate", "Bearer")
        .body("error", containsString("admin credential"));
    given()
        .header("Authorization", "Bearer wrong")
        .when()
        .get("/api/v1/endpoints")
        .then()
        .statusCode(401);
    admin().when().get("/api/v1/endpoints").then().statusCode(200);
    given().when().get("/api/v1/platform").then().statusCode(401);
    admin()
        .when()
        .get("/api/v1/platform")
        .then()
        .statusCode(200)
        .body("backend", org.hamcrest.Matchers.equalTo("local"));
  }

  @Test
  void createShowListAndStatusFields() {
    admin()
        .contentType("application/yaml")
        .body(
            """
        $schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json
        name: ep-show
        auth_mode: key
        tags: {team: fraud}
        location: westeurope
        """)
        .when()
        .post("/api/v1/endpoints")
        .then()
        .statusCode(201)
        .header("ETag", notNullValue())
        .body("provisioning_state", equalTo("Succeeded"))
        .body("scoring_uri", containsString("/endpoints/ep-show/score"))
        .body("openapi_uri", containsString("/endpoints/ep-show/swagger.json"))
        .body("warnings[0]", containsString("location"));
    admin()
        .when()
        .get("/api/v1/endpoints/ep-show")
        .then()
        .statusCode(200)
        .body("tags.team", equalTo("fraud"));
    admin().when().get("/api/v1/endpoints").then().statusCode(200).body("name", hasItem("ep-show"));
    admin()
        .contentType("application/yaml")
        .body("name: ep-show\n")
        .when()
        .post("/api/v1/endpoints")
        .then()
        .statusCode(409)
        .body("error", containsString("already exists"));
    admin()
        .when()
        .get("/api/v1/endpoints/nope")
        .then()
        .statusCode(404)
        .body("error", containsString("no endpoint 'nope'"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      unknown key with a suggestion | {"name": "ep-bad", "trafic": {}}                         | did you mean 'traffic'
      name too short                | {"name": "ep"}                                          | 2 characters
      name with a bad character     | {"name": "ep_1"}                                        | must start with a letter
      traffic sums to 90            | {"name": "ep-bad", "traffic": {"a": 90}}                | sums to 90
      traffic names no deployment   | {"name": "ep-bad", "traffic": {"blue": 100}}             | traffic names deployment 'blue', which does not exist
      two mirror targets            | {"name": "ep-bad", "mirror_traffic": {"a": 10, "b": 10}} | may name one deployment
      mirror over 50                | {"name": "ep-bad", "mirror_traffic": {"a": 60}}          | more than 50
      malformed JSON                | {"name": "ep-bad",                                      | line
      """)
  void badEndpointsAre400WithAHelpfulMessage(String name, String body, String message) {
    admin()
        .contentType("application/json")
        .body(body)
        .when()
        .post("/api/v1/endpoints")
        .then()
        .statusCode(400)
        .body("error", containsString(message));
  }

  @Test
  void lostUpdateIs412() {
    endpoint("ep-etag");
    String etag =
        admin()
            .when()
            .get("/api/v1/endpoints/ep-etag")
            .then()
            .statusCode(200)
            .extract()
            .header("ETag");
    admin()
        .header("If-Match", etag)
        .contentType("application/json")
        .body("{\"name\": \"ep-etag\", \"description\": \"first\"}")
        .when()
        .put("/api/v1/endpoints/ep-etag")
        .then()
        .statusCode(200);
    admin()
        .header("If-Match", etag)
        .contentType("application/json")
        .body("{\"name\": \"ep-etag\", \"description\": \"second\"}")
        .when()
        .put("/api/v1/endpoints/ep-etag")
        .then()
        .statusCode(412)
        .body("error", containsString("changed since you read it"));
    admin().when().get("/api/v1/endpoints/ep-etag").then().body("description", equalTo("first"));
  }

  /** DELETE and key regeneration honour If-Match as PUT does; without it they go ahead. */
  @Test
  void staleDeletesAndKeyRegenerationsAre412AndChangeNothing() {
    endpoint("ep-stale");
    deployment("ep-stale", "blue");
    String endpointTag = etag("/api/v1/endpoints/ep-stale");
    String blueTag = etag("/api/v1/endpoints/ep-stale/deployments/blue");
    deployment("ep-stale", "blue"); // a new generation: blueTag is stale
    admin()
        .contentType("application/json")
        .body("{\"name\": \"ep-stale\", \"description\": \"changed\"}")
        .when()
        .put("/api/v1/endpoints/ep-stale")
        .then()
        .statusCode(200); // endpointTag is stale
    String currentBlue = etag("/api/v1/endpoints/ep-stale/deployments/blue");

    admin()
        .header("If-Match", blueTag)
        .when()
        .delete("/api/v1/endpoints/ep-stale/deployments/blue")
        .then()
        .statusCode(412)
        .body("error", containsString("deployment 'blue' changed since you read it"))
        .body("error", containsString("ETag " + currentBlue));
    admin().when().get("/api/v1/endpoints/ep-stale/deployments/blue").then().statusCode(200);

    String keys = admin().when().get("/api/v1/endpoints/ep-stale/keys").then().extract().asString();
    admin()
        .header("If-Match", endpointTag)
        .contentType("application/json")
        .body("{\"key_type\": \"primary\"}")
        .when()
        .post("/api/v1/endpoints/ep-stale/keys/regenerate")
        .then()
        .statusCode(412)
        .body("error", containsString("endpoint 'ep-stale' changed since you read it"));
    admin().when().get("/api/v1/endpoints/ep-stale/keys").then().body(equalTo(keys)); // unchanged

    admin()
        .header("If-Match", endpointTag)
        .when()
        .delete("/api/v1/endpoints/ep-stale")
        .then()
        .statusCode(412)
        .body("error", containsString("endpoint 'ep-stale' changed since you read it"));
    admin().when().get("/api/v1/endpoints/ep-stale").then().statusCode(200);
    admin().when().get("/api/v1/endpoints/ep-stale/deployments/blue").then().statusCode(200);

    // With the current tags, as without any.
    admin()
        .header("If-Match", etag("/api/v1/endpoints/ep-stale"))
        .contentType("application/json")
        .body("{\"key_type\": \"primary\"}")
        .when()
        .post("/api/v1/endpoints/ep-stale/keys/regenerate")
        .then()
        .statusCode(200);
    admin()
        .header("If-Match", currentBlue)
        .when()
        .delete("/api/v1/endpoints/ep-stale/deployments/blue")
        .then()
        .statusCode(204);
    admin()
        .header("If-Match", etag("/api/v1/endpoints/ep-stale"))
        .when()
        .delete("/api/v1/endpoints/ep-stale")
        .then()
        .statusCode(204);
    admin().when().get("/api/v1/endpoints/ep-stale").then().statusCode(404);
  }

  /** A model version's tag tells it from a version registered later under the same number. */
  @Test
  void aStaleModelVersionDeleteIs412() throws Exception {
    byte[] one =
        java.nio.file.Files.readAllBytes(SAMPLES.resolve("models/model-1/model/model.onnx"));
    byte[] two =
        java.nio.file.Files.readAllBytes(SAMPLES.resolve("models/model-2/model/model.onnx"));
    String first = register("stale-model", one);
    admin().when().delete("/api/v1/models/stale-model/versions/1").then().statusCode(204);
    String again = register("stale-model", two); // version 1 again
    assertEquals(again, etag("/api/v1/models/stale-model/versions/1"));
    admin()
        .header("If-Match", first)
        .when()
        .delete("/api/v1/models/stale-model/versions/1")
        .then()
        .statusCode(412)
        .body("error", containsString("model stale-model:1 changed since you read it"));
    admin().when().get("/api/v1/models/stale-model/versions/1").then().statusCode(200);
    admin()
        .header("If-Match", again)
        .when()
        .delete("/api/v1/models/stale-model/versions/1")
        .then()
        .statusCode(204);
    admin().when().get("/api/v1/models/stale-model/versions/1").then().statusCode(404);
  }

  static String etag(String path) {
    return admin().when().get(path).then().statusCode(200).extract().header("ETag");
  }

  /** Registers a version; its ETag. */
  static String register(String model, byte[] onnx) {
    return admin()
        .contentType("application/octet-stream")
        .body(onnx)
        .when()
        .post("/api/v1/models/" + model + "/versions")
        .then()
        .statusCode(201)
        .extract()
        .header("ETag");
  }

  @Test
  void trafficAndMirrorRulesAgainstRealDeployments() {
    endpoint("ep-traffic");
    deployment("ep-traffic", "blue");
    deployment("ep-traffic", "green");
    admin()
        .contentType("application/json")
        .body(
            "{\"name\": \"ep-traffic\", \"traffic\": {\"blue\": 100}, \"mirror_traffic\": {\"blue\": 10}}")
        .when()
        .put("/api/v1/endpoints/ep-traffic")
        .then()
        .statusCode(400)
        .body("error", containsString("live traffic"));
    admin()
        .contentType("application/json")
        .body(
            "{\"name\": \"ep-traffic\", \"traffic\": {\"blue\": 90, \"green\": 10}, \"mirror_traffic\": {}}")
        .when()
        .put("/api/v1/endpoints/ep-traffic")
        .then()
        .statusCode(200)
        .body("traffic.green", equalTo(10));
    admin()
        .when()
        .delete("/api/v1/endpoints/ep-traffic/deployments/green")
        .then()
        .statusCode(409)
        .body(
            "error",
            containsString("knoe online-endpoint update -n ep-traffic --traffic \"blue=100\""));
    admin()
        .contentType("application/json")
        .body(
            "{\"name\": \"ep-traffic\", \"traffic\": {\"blue\": 100}, \"mirror_traffic\": {\"green\": 20}}")
        .when()
        .put("/api/v1/endpoints/ep-traffic")
        .then()
        .statusCode(200);
    admin()
        .when()
        .delete("/api/v1/endpoints/ep-traffic/deployments/green")
        .then()
        .statusCode(409)
        .body("error", containsString("mirror"));
    admin()
        .contentType("application/json")
        .body("{\"name\": \"ep-traffic\", \"traffic\": {\"blue\": 100}}")
        .when()
        .put("/api/v1/endpoints/ep-traffic")
        .then()
        .statusCode(200);
    admin().when().delete("/api/v1/endpoints/ep-traffic/deployments/green").then().statusCode(204);
    admin().when().get("/api/v1/endpoints/ep-traffic/deployments/green").then().statusCode(404);
  }

  @Test
  void deploymentRules() {
    endpoint("ep-deploy");
    admin()
        .contentType("application/yaml")
        .body(
            """
        name: blue
        endpoint_name: ep-deploy
        model: {path: /nope/model.onnx}
        code_configuration: {code: ., scoring_script: score.py}
        """)
        .when()
        .put("/api/v1/endpoints/ep-deploy/deployments/blue")
        .then()
        .statusCode(400)
        .body("error", containsString("Python script"));
    admin()
        .contentType("application/json")
        .body("{\"name\":\"blue\",\"endpoint_name\":\"ep-deploy\",\"model\":{\"path\":\"/nope\"}}")
        .when()
        .put("/api/v1/endpoints/ep-deploy/deployments/blue")
        .then()
        .statusCode(400)
        .body("error", containsString("does not exist"));
    admin()
        .contentType("application/json")
        .body("{\"name\":\"blue\",\"endpoint_name\":\"ep-deploy\",\"model\":\"nomodel:3\"}")
        .when()
        .put("/api/v1/endpoints/ep-deploy/deployments/blue")
        .then()
        .statusCode(400)
        .body("error", containsString("not registered"));
    admin()
        .contentType("application/json")
        .body("{\"name\":\"blue\",\"endpoint_name\":\"other\",\"model\":\"nomodel:3\"}")
        .when()
        .put("/api/v1/endpoints/ep-deploy/deployments/blue")
        .then()
        .statusCode(400)
        .body("error", containsString("path names 'ep-deploy'"));
    String missingCode =
        "{\"name\":\"blue\",\"endpoint_name\":\"ep-deploy\",\"model\":{\"path\":\""
            + SAMPLES.resolve("models/model-1/model")
            + "\"},\"code_configuration\":{\"code\":\"/nope/handler.jar\","
            + "\"scoring_script\":\"com.example.Score\"}}";
    admin()
        .contentType("application/json")
        .body(missingCode)
        .when()
        .put("/api/v1/endpoints/ep-deploy/deployments/blue")
        .then()
        .statusCode(400)
        .body("error", containsString("code_configuration.code /nope/handler.jar does not exist"));
    admin()
        .when()
        .get("/api/v1/endpoints/ep-deploy/deployments/blue")
        .then()
        .statusCode(404); // nothing half-saved
    deployment("ep-deploy", "blue");
    admin()
        .when()
        .get("/api/v1/endpoints/ep-deploy/deployments/blue")
        .then()
        .statusCode(200)
        .body("provisioning_state", equalTo("Succeeded"))
        .body("registered_model.name", equalTo("ep-deploy-blue"))
        .body("registered_model.sha256", notNullValue());
    admin()
        .when()
        .get("/api/v1/endpoints/ep-deploy/deployments/blue/logs?lines=5")
        .then()
        .statusCode(200)
        .body(containsString("log line of blue"));
    admin()
        .when()
        .get("/api/v1/endpoints/ep-deploy/deployments/blue/logs?lines=0")
        .then()
        .statusCode(400);
  }

  @Test
  void atMostTwentyDeployments() {
    endpoint("ep-many");
    for (int i = 0; i < 20; i++) {
      deployment("ep-many", "dep" + i);
    }
    String json =
        "{\"name\":\"dep20\",\"endpoint_name\":\"ep-many\",\"model\":{\"path\":\""
            + SAMPLES.resolve("models/model-1/model")
            + "\"}}";
    admin()
        .contentType("application/json")
        .body(json)
        .when()
        .put("/api/v1/endpoints/ep-many/deployments/dep20")
        .then()
        .statusCode(400)
        .body("error", containsString("20"));
  }

  @Test
  void keysAndTokens() {
    endpoint("ep-keys");
    var keys =
        admin()
            .when()
            .get("/api/v1/endpoints/ep-keys/keys")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    String primary = keys.getString("primaryKey");
    admin()
        .contentType("application/json")
        .body("{\"key_type\": \"primary\"}")
        .when()
        .post("/api/v1/endpoints/ep-keys/keys/regenerate")
        .then()
        .statusCode(200)
        .body("primaryKey", not(equalTo(primary)))
        .body("secondaryKey", equalTo(keys.getString("secondaryKey")));
    admin()
        .contentType("application/json")
        .body("{\"key_type\": \"tertiary\"}")
        .when()
        .post("/api/v1/endpoints/ep-keys/keys/regenerate")
        .then()
        .statusCode(400)
        .body("error", containsString("primary or secondary"));
    admin()
        .when()
        .post("/api/v1/endpoints/ep-keys/token")
        .then()
        .statusCode(400)
        .body("error", containsString("auth_mode key"));
    admin()
        .contentType("application/yaml")
        .body("name: ep-token\nauth_mode: aml_token\n")
        .when()
        .post("/api/v1/endpoints")
        .then()
        .statusCode(201);
    admin()
        .when()
        .post("/api/v1/endpoints/ep-token/token")
        .then()
        .statusCode(200)
        .body("accessToken", notNullValue())
        .body("expiryTimeUtc", notNullValue())
        .body("refreshAfterTimeUtc", notNullValue());
    admin().when().get("/api/v1/endpoints/ep-token/keys").then().statusCode(400);
  }

  @Test
  void modelsAreVersionedCheckedAndProtectedWhileInUse() throws Exception {
    byte[] onnx =
        java.nio.file.Files.readAllBytes(SAMPLES.resolve("models/model-2/model/model.onnx"));
    admin()
        .contentType("application/octet-stream")
        .body(onnx)
        .when()
        .post("/api/v1/models/green-model/versions")
        .then()
        .statusCode(201)
        .body("version", equalTo(1))
        .body("sha256", notNullValue());
    admin()
        .contentType("application/octet-stream")
        .body(onnx)
        .when()
        .post("/api/v1/models/green-model/versions")
        .then()
        .statusCode(201)
        .body("version", equalTo(2));
    admin()
        .contentType("application/octet-stream")
        .body("not a model".getBytes())
        .when()
        .post("/api/v1/models/green-model/versions")
        .then()
        .statusCode(400)
        .body("error", containsString("the upload is not a usable ONNX model: the file does not"));
    admin()
        .contentType("application/octet-stream")
        .body(new byte[200_000])
        .when()
        .post("/api/v1/models/big/versions")
        .then()
        .statusCode(413);
    admin()
        .when()
        .get("/api/v1/models/green-model")
        .then()
        .statusCode(200)
        .body("version", equalTo(java.util.List.of(1, 2)));
    // The file itself, for a cluster's storage initializer: the admin or the model reader, nothing
    // more.
    String sha =
        admin().when().get("/api/v1/models/green-model/versions/1").then().extract().path("sha256");
    byte[] got =
        given()
            .header("Authorization", "Bearer " + READER)
            .when()
            .get("/api/v1/models/green-model/versions/1/content")
            .then()
            .statusCode(200)
            .header("X-Checksum-Sha256", sha)
            .extract()
            .asByteArray();
    org.junit.jupiter.api.Assertions.assertArrayEquals(onnx, got);
    admin().when().get("/api/v1/models/green-model/versions/1/content").then().statusCode(200);
    given()
        .header("Authorization", "Bearer " + READER)
        .when()
        .get("/api/v1/models/green-model")
        .then()
        .statusCode(401);
    given()
        .header("Authorization", "Bearer " + READER)
        .when()
        .delete("/api/v1/models/green-model/versions/1/content")
        .then()
        .statusCode(401);
    given().when().get("/api/v1/models/green-model/versions/1/content").then().statusCode(401);
    admin().when().get("/api/v1/models/green-model/versions/9/content").then().statusCode(404);
    endpoint("ep-models");
    admin()
        .contentType("application/json")
        .body(
            "{\"name\":\"green\",\"endpoint_name\":\"ep-models\",\"model\":\"azureml:green-model:2\"}")
        .when()
        .put("/api/v1/endpoints/ep-models/deployments/green")
        .then()
        .statusCode(202)
        .body("registered_model.version", equalTo(2));
    admin()
        .when()
        .delete("/api/v1/models/green-model/versions/2")
        .then()
        .statusCode(409)
        .body("error", containsString("used by a deployment"));
    admin().when().delete("/api/v1/models/green-model/versions/1").then().statusCode(204);
  }

  /**
   * Uploads refused by the model check: 400 naming the problem, and the store as it was (a model
   * that points outside its folder used to register and wait for the deployment that loads it).
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          external data outside the folder | external | graph 'g' initializer 'w' keeps its data at '../../etc/passwd', which leaves the model's folder
          truncated                        | half     | the file does not parse as an ONNX model: While parsing a protocol message, the input ended unexpectedly in the middle of a field
          one byte                         | one-byte | the file does not parse as an ONNX model: While parsing a protocol message, the input ended unexpectedly in the middle of a field
          """)
  void aRefusedModelUploadIs400AndWritesNothing(String name, String content, String problem)
      throws Exception {
    byte[] sample = Files.readAllBytes(SAMPLES.resolve("models/model-1/model/model.onnx"));
    admin()
        .contentType("application/octet-stream")
        .body(sample)
        .when()
        .post("/api/v1/models/checked/versions")
        .then()
        .statusCode(201);
    Path store =
        Path.of(ConfigProvider.getConfig().getValue("knoe.data-dir", String.class))
            .resolve("models");
    var before = storeFiles(store);
    byte[] body =
        switch (content) {
          case "external" -> ModelRegistryTest.outsideItsFolder();
          case "half" -> Arrays.copyOf(sample, sample.length / 2);
          default -> new byte[] {0x08};
        };

    admin()
        .contentType("application/octet-stream")
        .body(body)
        .when()
        .post("/api/v1/models/checked/versions")
        .then()
        .statusCode(400)
        .body("error", equalTo("the upload is not a usable ONNX model: " + problem));
    assertEquals(before, storeFiles(store), name);
  }

  /** A deployment's local model path gets the judgement an upload gets, before it is registered. */
  @Test
  void aLocalModelPathIsCheckedAsAnUpload(@TempDir Path folder) throws Exception {
    Path file = Files.write(folder.resolve("model.onnx"), ModelRegistryTest.outsideItsFolder());
    endpoint("ep-checked");

    admin()
        .contentType("application/json")
        .body(
            "{\"name\":\"blue\",\"endpoint_name\":\"ep-checked\",\"model\":{\"path\":\""
                + folder
                + "\"}}")
        .when()
        .put("/api/v1/endpoints/ep-checked/deployments/blue")
        .then()
        .statusCode(400)
        .body(
            "error",
            equalTo(
                "model file "
                    + file
                    + " is not a usable ONNX model: graph 'g' initializer 'w' keeps its data at"
                    + " '../../etc/passwd', which leaves the model's folder"));
    admin().when().get("/api/v1/models/ep-checked-blue").then().statusCode(404);
  }

  /** The store's paths, folders included, with each file's last write. */
  static Map<Path, Object> storeFiles(Path store) throws IOException {
    try (var all = Files.walk(store)) {
      Map<Path, Object> out = new TreeMap<>();
      for (Path p : (Iterable<Path>) all::iterator) {
        out.put(
            store.relativize(p), Files.isDirectory(p) ? "folder" : Files.getLastModifiedTime(p));
      }
      return out;
    }
  }
}
