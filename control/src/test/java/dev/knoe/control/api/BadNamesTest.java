package dev.knoe.control.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A name in the path that its kind's rule refuses is a 400 saying why, on every resource, and no
 * file is made, read or removed for it: the names are checked before a path is built from them.
 */
@QuarkusTest
@TestProfile(ControlApiTest.Api.class)
class BadNamesTest {

  static final Path ONNX =
      Path.of(System.getProperty("samples.dir", "../samples"), "models/model-1/model/model.onnx");

  static final String LONG_ENDPOINT = "a".repeat(33);
  static final String LONG_MODEL = "m".repeat(256);

  /**
   * @param path as sent, already percent-encoded
   * @param problem part of the error
   */
  record Case(String name, String method, String path, String problem) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    String ep = "/api/v1/endpoints/";
    String models = "/api/v1/models/";
    return Stream.of(
        // Models
        new Case("show model NUL", "GET", models + "%00", "model name '\\u0000'"),
        new Case("show model a\\b", "GET", models + "a%5Cb", "model name 'a\\b'"),
        new Case("show model ..a", "GET", models + "..a", "model name '..a'"),
        new Case("register model NUL", "POST", models + "%00/versions", "model name '\\u0000'"),
        new Case("register model blobs", "POST", models + "blobs/versions", "is reserved"),
        new Case("register model BLOBS", "POST", models + "BLOBS/versions", "is reserved"),
        new Case("register model a/b", "POST", models + "a%2Fb/versions", "model name 'a/b'"),
        new Case(
            "register model of 256 characters",
            "POST",
            models + LONG_MODEL + "/versions",
            "256 characters"),
        new Case("show model version NUL", "GET", models + "%00/versions/1", "model name"),
        new Case("model content NUL", "GET", models + "%00/versions/1/content", "model name"),
        new Case("delete model version NUL", "DELETE", models + "%00/versions/1", "model name"),
        // Endpoints
        new Case("show endpoint NUL", "GET", ep + "%00", "endpoint name '\\u0000'"),
        new Case("put endpoint a/b", "PUT", ep + "ab%2Fc", "endpoint name 'ab/c'"),
        new Case("put endpoint ..\\x", "PUT", ep + "..%5Cx", "endpoint name '..\\x'"),
        new Case("put endpoint of 33", "PUT", ep + LONG_ENDPOINT, "33 characters"),
        new Case("delete endpoint NUL", "DELETE", ep + "%00", "endpoint name"),
        new Case("endpoint keys NUL", "GET", ep + "%00/keys", "endpoint name"),
        new Case("regenerate keys NUL", "POST", ep + "%00/keys/regenerate", "endpoint name"),
        new Case("token NUL", "POST", ep + "%00/token", "endpoint name"),
        // Deployments
        new Case("list deployments NUL", "GET", ep + "%00/deployments", "endpoint name"),
        new Case("create deployment a.b", "POST", ep + "a.b/deployments", "endpoint name 'a.b'"),
        new Case(
            "put deployment NUL",
            "PUT",
            ep + "ep-names/deployments/%00",
            "deployment name '\\u0000'"),
        new Case(
            "put deployment on endpoint a\\b",
            "PUT",
            ep + "a%5Cb/deployments/blue",
            "endpoint name 'a\\b'"),
        new Case(
            "show deployment ..x", "GET", ep + "ep-names/deployments/..x", "deployment name '..x'"),
        new Case(
            "delete deployment NUL", "DELETE", ep + "ep-names/deployments/%00", "deployment name"),
        new Case(
            "deployment logs a/b",
            "GET",
            ep + "ep-names/deployments/a%2Fb/logs",
            "deployment name 'a/b'"),
        new Case(
            "deployment logs of endpoint ../x",
            "GET",
            ep + "..%2Fx/deployments/blue/logs",
            "endpoint name '../x'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void isA400AndTouchesNoFile(Case c) throws Exception {
    byte[] onnx = Files.readAllBytes(ONNX);
    Path data = Path.of(ConfigProvider.getConfig().getValue("knoe.data-dir", String.class));
    List<String> before = files(data);
    var request =
        given().header("Authorization", "Bearer " + ControlApiTest.ADMIN).urlEncodingEnabled(false);
    if (c.method().equals("POST") || c.method().equals("PUT")) {
      request =
          c.path().contains("/models/")
              ? request.contentType("application/octet-stream").body(onnx)
              : request.contentType("application/json").body("{}");
    }
    request
        .when()
        .request(c.method(), c.path())
        .then()
        .statusCode(400)
        .body("error", containsString(expectedProblem(c)));
    assertEquals(before, files(data), "files under the data directory");
  }

  /**
   * A name holding an encoded NUL, '/' or '\' never reaches a resource: the gate refuses its path
   * as not canonical first (api.Gate, dev.knoe.spi.RequestTarget). The name rule still refuses such
   * names where a path is built (ModelRegistryNamesTest, StateStoreTest).
   */
  static String expectedProblem(Case c) {
    String lower = c.path().toLowerCase();
    boolean notCanonical = lower.contains("%00") || lower.contains("%2f") || lower.contains("%5c");
    return notCanonical ? "is not canonical" : c.problem();
  }

  /** Every file and folder under {@code dir}, with its size and modification time. */
  static List<String> files(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.map(
              p -> {
                try {
                  return dir.relativize(p)
                      + " "
                      + Files.size(p)
                      + " "
                      + Files.getLastModifiedTime(p).toMillis();
                } catch (IOException e) {
                  return dir.relativize(p) + " " + e;
                }
              })
          .sorted()
          .toList();
    }
  }
}
