package dev.knoe.scoring;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The V2 binary tensor data extension on the wire: the exact bytes of an answer, and a clear 400
 * for every way a binary body can be wrong.
 */
@QuarkusTest
@TestProfile(Profiles.Types.class)
class BinaryDataTest {

  static final String HEADER = "Inference-Header-Content-Length";

  @Test
  void serverMetadataNamesTheExtension() {
    given().get("/v2").then().statusCode(200).body("extensions", hasItem("binary_tensor_data"));
  }

  @Test
  void binaryInputsAndOutputsAreRawLittleEndianBytesAfterTheJson() throws Exception {
    // i64 [[1, -2]] and text ["hi", ""]: 16 bytes, then 4+2 + 4+0 bytes.
    byte[] i64 = le(16).putLong(1).putLong(-2).array();
    byte[] text = le(10).putInt(2).put("hi".getBytes(StandardCharsets.UTF_8)).putInt(0).array();
    String json =
        """
        {"id": "r1", "inputs": [
          {"name": "i64", "shape": [1, 2], "datatype": "INT64", "parameters": {"binary_data_size": 16}},
          {"name": "text", "shape": [2], "datatype": "BYTES", "parameters": {"binary_data_size": 10}}
        ], "outputs": [
          {"name": "i64_out", "parameters": {"binary_data": true}},
          {"name": "text_out", "parameters": {"binary_data": true}},
          {"name": "f64_out", "parameters": {"binary_data": false}}
        ]}""";
    // The other inputs, as JSON: every model input is needed.
    json = json.replace("\"inputs\": [", "\"inputs\": [" + otherInputs("i64", "text") + ",");
    Response r = post(json, i64, text);
    r.then()
        .statusCode(200)
        .contentType("application/octet-stream")
        .header(HEADER, Integer::parseInt, org.hamcrest.Matchers.greaterThan(0));
    byte[] body = r.asByteArray();
    int jsonLength = Integer.parseInt(r.header(HEADER));
    JsonNode head = TestModels.JSON.readTree(Arrays.copyOf(body, jsonLength));
    assertEquals("r1", head.get("id").asText());
    assertEquals(3, head.get("outputs").size());
    assertEquals(16, output(head, "i64_out").get("parameters").get("binary_data_size").asInt());
    assertEquals(10, output(head, "text_out").get("parameters").get("binary_data_size").asInt());
    assertEquals("[3.0,-4.5]", output(head, "f64_out").get("data").toString());
    // The model's order, i64_out before text_out, is the order of their bytes.
    byte[] tail = Arrays.copyOfRange(body, jsonLength, body.length);
    assertArrayEquals(concat(le(16).putLong(2).putLong(-1).array(), text), tail);
  }

  private static JsonNode output(JsonNode head, String name) {
    for (JsonNode o : head.get("outputs")) {
      if (o.get("name").asText().equals(name)) {
        return o;
      }
    }
    throw new AssertionError("no output " + name + " in " + head);
  }

  @Test
  void aJsonRequestGetsJsonAsBefore() {
    given()
        .body("{\"inputs\": [" + otherInputs() + "]}")
        .post("/v2/models/types/infer")
        .then()
        .statusCode(200)
        .contentType("application/json")
        .header(HEADER, (String) null);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      size not shape x datatype  | 16 | [1, 2] | 12 | 12 | input 'i64' is INT64 of shape [1, 2], which is 16 bytes, but its binary_data_size is 12
      body truncated             | 16 | [1, 2] | 16 | 8  | input 'i64' has binary_data_size 16 but the body holds only 8 more bytes
      bytes left over            | 16 | [1, 2] | 16 | 24 | the body holds 24 bytes after the JSON header (Inference-Header-Content-Length:
      shape not the model's      | 16 | [2]    | 16 | 16 | input 'i64' expects shape [-1, 2] (-1 = any), the request sent shape [2]
      header past the body       | 9999 | [1, 2] | 16 | 16 | Inference-Header-Content-Length is 9999 but the body is
      header not a number        | x  | [1, 2] | 16 | 16 | Inference-Header-Content-Length must be the length in bytes of the JSON part of the body, not 'x'
      no header                  | -  | [1, 2] | 16 | 16 | input 'i64' has binary_data_size but the request has no Inference-Header-Content-Length header
      """)
  void aWrongBinaryBodyIs400NamingTheProblem(
      String name, String header, String shape, int size, int sent, String message) {
    String json =
        "{\"inputs\": ["
            + otherInputs("i64")
            + ", {\"name\": \"i64\", \"shape\": "
            + shape
            + ", \"datatype\": \"INT64\", \"parameters\": {\"binary_data_size\": "
            + size
            + "}}]}";
    byte[] head = json.getBytes(StandardCharsets.UTF_8);
    var request = given().body(concat(head, new byte[sent]));
    if (header.equals("16")) {
      request.header(HEADER, head.length);
    } else if (!header.equals("-")) {
      request.header(HEADER, header);
    }
    request
        .post("/v2/models/types/infer")
        .then()
        .statusCode(400)
        .body("error", containsString(message));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      length past the end    | 0500000068 | input 'text' has 1 BYTES elements but its binary data ends inside element 0
      bytes left after       | 000000006869 | input 'text' has 1 elements, which end 2 bytes before its binary_data_size
      not UTF-8              | 01000000ff | input 'text': element 0 is not UTF-8 text
      """)
  void aWrongBytesTensorIs400(String name, String hex, String message) {
    byte[] data = HexFormat.of().parseHex(hex);
    String json =
        "{\"inputs\": ["
            + otherInputs("text").replace("[\"a\", \"b\"]", "[\"a\"]")
            + ", {\"name\": \"text\", \"shape\": [1], \"datatype\": \"BYTES\","
            + " \"parameters\": {\"binary_data_size\": "
            + data.length
            + "}}]}";
    post(json, data).then().statusCode(400).body("error", containsString(message));
  }

  @Test
  void dataAndBinaryTogetherOrNoShapeAre400() {
    String both =
        "{\"inputs\": ["
            + otherInputs("i64")
            + ", {\"name\": \"i64\", \"shape\": [1, 2], \"data\": [1, 2],"
            + " \"parameters\": {\"binary_data_size\": 16}}]}";
    post(both, new byte[16])
        .then()
        .statusCode(400)
        .body(
            "error",
            containsString("input 'i64' has both \"data\" and parameters.binary_data_size"));
    String noShape =
        "{\"inputs\": ["
            + otherInputs("i64")
            + ", {\"name\": \"i64\", \"parameters\": {\"binary_data_size\": 16}}]}";
    post(noShape, new byte[16])
        .then()
        .statusCode(400)
        .body("error", containsString("input 'i64' is binary data and has no \"shape\""));
  }

  /** JSON entries for every input of the types model but {@code except}, one or two rows. */
  static String otherInputs(String... except) {
    String all =
        """
        {"name": "f64", "shape": [1, 2], "data": [1.5, -2.25]}
        {"name": "i64", "shape": [1, 2], "data": [1, -2]}
        {"name": "i32", "shape": [1, 2], "data": [1, 2]}
        {"name": "i8", "shape": [1, 2], "data": [1, 2]}
        {"name": "u8", "shape": [1, 2], "data": [1, 2]}
        {"name": "i16", "shape": [1, 2], "data": [1, 2]}
        {"name": "flag", "shape": [1, 2], "data": [true, false]}
        {"name": "f16", "shape": [1, 2], "data": [0.5, 1]}
        {"name": "text", "shape": [2], "data": ["a", "b"]}""";
    return all.lines()
        .filter(l -> Arrays.stream(except).noneMatch(e -> l.contains("\"" + e + "\"")))
        .reduce((a, b) -> a + ", " + b)
        .orElseThrow();
  }

  static Response post(String json, byte[]... binary) {
    byte[] head = json.getBytes(StandardCharsets.UTF_8);
    return given()
        .header(HEADER, head.length)
        .contentType("application/octet-stream")
        .body(concat(head, concat(binary)))
        .post("/v2/models/types/infer");
  }

  static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  static byte[] concat(byte[]... parts) {
    int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
    ByteBuffer b = ByteBuffer.allocate(n);
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }
}
