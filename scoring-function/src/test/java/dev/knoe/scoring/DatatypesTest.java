package dev.knoe.scoring;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every datatype ONNX Runtime's Java API carries, through V2 and {@code /score}, against numpy's
 * values.
 */
@QuarkusTest
@TestProfile(Profiles.Types.class)
class DatatypesTest {

  static final Map<String, String> V2_TYPES =
      Map.of(
          "f64", "FP64", "i64", "INT64", "i32", "INT32", "i8", "INT8", "u8", "UINT8", "i16",
          "INT16", "flag", "BOOL", "f16", "FP16", "text", "BYTES");
  static final Map<String, String> OUT_TYPES =
      Map.of(
          "f64_out",
          "FP64",
          "i64_out",
          "INT64",
          "i32_out",
          "INT32",
          "i8_out",
          "INT8",
          "u8_out",
          "UINT8",
          "i16_out",
          "INT16",
          "flag_out",
          "BOOL",
          "f16_out",
          "FP16",
          "f16_as_f32",
          "FP32",
          "text_out",
          "BYTES");

  final JsonNode expected = TestModels.expected(TestModels.test("types"));

  @Test
  void metadataNamesEveryDatatype() {
    var meta = given().when().get("/v2/models/types").then().statusCode(200).extract().jsonPath();
    V2_TYPES.forEach(
        (name, type) ->
            assertEquals(
                type, meta.getString("inputs.find { it.name == '" + name + "' }.datatype"), name));
    OUT_TYPES.forEach(
        (name, type) ->
            assertEquals(
                type, meta.getString("outputs.find { it.name == '" + name + "' }.datatype"), name));
  }

  @Test
  void v2InferCarriesEveryDatatypeExactly() throws Exception {
    ObjectNode request = TestModels.JSON.createObjectNode();
    ArrayNode inputs = request.putArray("inputs");
    expected
        .get("inputs")
        .fields()
        .forEachRemaining(
            e -> {
              ObjectNode in = inputs.addObject();
              in.put("name", e.getKey());
              in.put("datatype", V2_TYPES.get(e.getKey()));
              ArrayNode shape = in.putArray("shape");
              shape.add(e.getValue().size());
              if (e.getValue().get(0).isArray()) {
                shape.add(e.getValue().get(0).size());
              }
              in.set("data", e.getValue()); // nested data with a declared shape is fine too
            });
    String answer =
        given()
            .body(TestModels.JSON.writeValueAsBytes(request))
            .when()
            .post("/v2/models/types/infer")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    JsonNode outputs = TestModels.JSON.readTree(answer).get("outputs");
    assertEquals(OUT_TYPES.size(), outputs.size());
    for (JsonNode out : outputs) {
      String name = out.get("name").asText();
      assertEquals(OUT_TYPES.get(name), out.get("datatype").asText(), name);
      ArrayNode flat = TestModels.JSON.createArrayNode();
      flatten(expected.get("outputs").get(name), flat);
      assertEquals(flat, out.get("data"), name);
    }
  }

  @Test
  void scoreWithNamedInputsAnswersEveryOutputByName() throws Exception {
    byte[] body = TestModels.JSON.writeValueAsBytes(Map.of("inputs", expected.get("inputs")));
    String answer =
        given().body(body).when().post("/score").then().statusCode(200).extract().asString();
    assertEquals(expected.get("outputs"), TestModels.JSON.readTree(answer));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      int8 out of range      | i8   | [[128, 0], [0, 0]]        | input 'i8' is INT8, the value 128 at element 0 is out of range [-128, 127]
      uint8 negative         | u8   | [[0, 0], [0, -1]]         | input 'u8' is UINT8, the value -1 at element 3 is out of range [0, 255]
      fp16 beyond its range  | f16  | [[0, 0], [-70000, 0]]     | input 'f16' is FP16, the value -70000 at element 2 is out of range [-65504.0, 65504.0]
      fraction for int64     | i64  | [[1.5, 0], [0, 0]]        | input 'i64' is INT64, but the request holds the number 1.5
      int64 beyond 64 bits   | i64  | [[99999999999999999999, 0], [0, 0]] | out of range
      number for bool        | flag | [[1, 0], [0, 1]]          | input 'flag' is BOOL, but the request holds the number 1
      number for string      | text | [1, 2]                    | input 'text' is BYTES, but the request holds the number 1
      """)
  void valuesOutsideTheDatatypeAre400(String name, String input, String value, String message)
      throws Exception {
    ObjectNode inputs = expected.get("inputs").deepCopy();
    inputs.set(input, TestModels.JSON.readTree(value));
    given()
        .body(TestModels.JSON.writeValueAsBytes(Map.of("inputs", inputs)))
        .when()
        .post("/score")
        .then()
        .statusCode(400)
        .body("error", containsString(message));
  }

  @Test
  void datatypeMismatchInV2NamesBothTypes() {
    given()
        .body(
            """
        {"inputs": [{"name": "i64", "datatype": "INT32", "shape": [2, 2], "data": [1, 2, 3, 4]}]}""")
        .when()
        .post("/v2/models/types/infer")
        .then()
        .statusCode(400)
        .body(
            "error",
            equalTo("input 'i64' has datatype INT64 in the model, the request declares INT32"));
  }

  private static void flatten(JsonNode node, ArrayNode into) {
    if (node.isArray()) {
      node.forEach(n -> flatten(n, into));
    } else {
      into.add(node);
    }
  }
}
