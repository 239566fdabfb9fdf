package dev.knoe.scoring;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A model that ONNX Runtime refuses to run on zeros (Range with a zero step) and no sample request
 * beside it: the warm-up fails, the log says so with the model's inputs, and the instance serves.
 */
@QuarkusTest
@TestProfile(WarmUpTest.ZeroStep.class)
class WarmUpTest {

  static final Path LOG = Path.of("target/warm-up-test.log").toAbsolutePath();

  public static class ZeroStep implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "knoe.model-dir",
          TestModels.test("range").toString(),
          "quarkus.log.file.enabled",
          "true",
          "quarkus.log.file.path",
          LOG.toString());
    }
  }

  @Test
  void aFailedWarmUpIsLoggedAndTheModelServes() throws Exception {
    given().when().get("/v2/health/ready").then().statusCode(200);
    given()
        .body("{\"data\": [3]}")
        .when()
        .post("/score")
        .then()
        .statusCode(200)
        .body(equalTo("[0,3,6,9]"));
    given()
        .body("{\"data\": [0]}")
        .when()
        .post("/score")
        .then()
        .statusCode(400)
        .body("error", org.hamcrest.Matchers.containsString("delta in Range operator"));
    String log = Files.readString(LOG);
    assertTrue(
        log.contains("Warm-up run with zeros")
            && log.contains("the model's inputs are [step]")
            && log.contains("delta in Range operator can not be zero"),
        log);
  }
}
