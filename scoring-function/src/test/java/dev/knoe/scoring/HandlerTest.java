package dev.knoe.scoring;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The sample handler in samples/handlers/mlp-labels, compiled and packed into a jar by the test,
 * wraps the mlp with pre- and post-processing; a handler that throws gives 424 and the instance
 * keeps serving.
 */
@QuarkusTest
@TestProfile(HandlerTest.WithHandler.class)
class HandlerTest {

  public static class WithHandler implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      try {
        Path out = Path.of("target/handler-test").toAbsolutePath();
        Path classes =
            HandlerBuild.classes(
                TestModels.samples().resolve("handlers/mlp-labels/src/main/java"), out);
        Path jar = HandlerBuild.jar(classes, out, "mlp-labels");
        return Map.of(
            "knoe.model-dir",
            TestModels.sample("mlp").toString(),
            "knoe.handler-path",
            jar.toString(),
            "knoe.handler-class",
            "com.example.knoe.MlpLabels");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @Test
  void handlerTurnsProbabilitiesIntoLabels() throws Exception {
    JsonNode expected = TestModels.expected(TestModels.sample("mlp"));
    String answer =
        given()
            .body(TestModels.JSON.writeValueAsBytes(expected.get("request")))
            .when()
            .post("/score")
            .then()
            .statusCode(200)
            .body("$", hasSize(2))
            .extract()
            .asString();
    JsonNode rows = TestModels.JSON.readTree(answer);
    String[] labels = {
      "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"
    };
    for (int r = 0; r < 2; r++) {
      JsonNode probs = expected.get("response").get(r);
      int best = 0;
      for (int c = 1; c < probs.size(); c++) {
        best = probs.get(c).asDouble() > probs.get(best).asDouble() ? c : best;
      }
      assertEquals(labels[best], rows.get(r).get("label").asText());
      assertEquals(probs.get(best).asDouble(), rows.get(r).get("probability").asDouble(), 1e-5);
      assertEquals(3, rows.get(r).get("top3").size());
      assertEquals(labels[best], rows.get(r).get("top3").get(0).get("label").asText());
    }
  }

  @Test
  void throwingHandlerIs424WithItsMessageAndTheInstanceKeepsServing() throws Exception {
    given()
        .body("{\"rows\": []}")
        .when()
        .post("/score")
        .then()
        .statusCode(424)
        .body("error", containsString("expected {\"data\": [[256 numbers], ...]"));
    given()
        .body("{\"data\": [[1, 2]]}")
        .when()
        .post("/score")
        .then()
        .statusCode(424)
        .body("error", equalTo("the scoring handler failed: row 0 must hold 256 numbers"));
    given()
        .body("not json")
        .when()
        .post("/score")
        .then()
        .statusCode(424)
        .body("error", containsString("not JSON"));
    JsonNode expected = TestModels.expected(TestModels.sample("mlp"));
    given()
        .body(TestModels.JSON.writeValueAsBytes(expected.get("request")))
        .when()
        .post("/score")
        .then()
        .statusCode(200);
  }

  @Test
  void v2StillServesTheRawModel() {
    given()
        .when()
        .get("/v2/models/mlp")
        .then()
        .statusCode(200)
        .body("outputs[0].name", equalTo("probabilities"));
  }
}
