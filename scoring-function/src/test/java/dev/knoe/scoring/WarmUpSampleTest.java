package dev.knoe.scoring;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The same zero-refusing model with a {@code sample-request.json} beside it: the warm-up runs the
 * sample, so nothing fails.
 */
@QuarkusTest
@TestProfile(WarmUpSampleTest.WithSample.class)
class WarmUpSampleTest {

  static final Path LOG = Path.of("target/warm-up-sample-test.log").toAbsolutePath();

  public static class WithSample implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "knoe.model-dir",
          TestModels.test("range-sample").toString(),
          "quarkus.log.file.enabled",
          "true",
          "quarkus.log.file.path",
          LOG.toString());
    }
  }

  @Test
  void theSampleRequestWarmsTheModelUp() throws Exception {
    given().when().get("/v2/health/ready").then().statusCode(200);
    given()
        .body("{\"data\": [3]}")
        .when()
        .post("/score")
        .then()
        .statusCode(200)
        .body(equalTo("[0,3,6,9]"));
    String log = Files.readString(LOG);
    assertFalse(log.contains("Warm-up run"), log);
  }
}
