package dev.knoe.scoring;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A model with two inputs and two outputs, served under a configured name. */
@QuarkusTest
@TestProfile(Profiles.Multi.class)
class MultiIoTest {

  final JsonNode expected = TestModels.expected(TestModels.test("multi"));

  @Test
  void namedInputsAnswerAnObjectKeyedByOutput() throws Exception {
    String body = TestModels.JSON.writeValueAsString(Map.of("inputs", expected.get("inputs")));
    String answer =
        given().body(body).when().post("/score").then().statusCode(200).extract().asString();
    assertEquals(expected.get("outputs"), TestModels.JSON.readTree(answer));
  }

  @Test
  void dataIsRefusedForTwoInputs() {
    given()
        .body("{\"data\": [[1,2,3]]}")
        .when()
        .post("/score")
        .then()
        .statusCode(400)
        .body("error", containsString("this model has [a, b]"));
  }

  @Test
  void missingSecondInputIsNamed() {
    given()
        .body("{\"inputs\": {\"a\": [[1,2,3]]}}")
        .when()
        .post("/score")
        .then()
        .statusCode(400)
        .body("error", equalTo("missing input 'b': the model's inputs are [a, b]"));
  }

  @Test
  void v2ReturnsOnlyTheOutputsAskedFor() {
    given()
        .body(
            """
        {"inputs": [{"name": "a", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]},
                    {"name": "b", "shape": [1, 3], "datatype": "FP32", "data": [4, 5, 6]}],
         "outputs": [{"name": "prod"}]}""")
        .when()
        .post("/v2/models/adder/infer")
        .then()
        .statusCode(200)
        .body("model_name", equalTo("adder"))
        .body("outputs.size()", equalTo(1))
        .body("outputs[0].name", equalTo("prod"))
        .body("outputs[0].data", equalTo(List.of(4f, 10f, 18f)));
  }

  @Test
  void openApiListsBothInputs() {
    given()
        .when()
        .get("/openapi.json")
        .then()
        .statusCode(200)
        .body(
            "paths.'/score'.post.requestBody.content.'application/json'.schema.properties.inputs.required",
            equalTo(List.of("a", "b")))
        .body(
            "paths.'/score'.post.responses.'200'.content.'application/json'.schema.required",
            equalTo(List.of("sum", "prod")));
  }
}
