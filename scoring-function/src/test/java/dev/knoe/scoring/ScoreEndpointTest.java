package dev.knoe.scoring;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code /score}, V2 and OpenAPI on model-1, with every kind of bad input. */
@QuarkusTest
@TestProfile(Profiles.Model1.class)
class ScoreEndpointTest {

  static final String SAMPLE = "{\"data\": [[1,2,3,4,5,6,7,8,9,10],[10,9,8,7,6,5,4,3,2,1]]}";

  @Test
  void scoresTheSampleRequestAsNumpyDoes() throws Exception {
    JsonNode expected = TestModels.expected(TestModels.sample("model-1"));
    String body = Files.readString(TestModels.samples().resolve("requests/model-1.json"));
    String answer =
        given()
            .contentType(ContentType.JSON)
            .body(body)
            .when()
            .post("/score")
            .then()
            .statusCode(200)
            .contentType(ContentType.JSON)
            .header("x-request-id", notNullValue())
            .header("azureml-model-deployment", "blue")
            .extract()
            .asString();
    assertEquals(expected.get("response"), TestModels.JSON.readTree(answer));
  }

  @Test
  void aRequestNamingAnotherDeploymentIsRefusedNotScored() {
    given()
        .header("azureml-model-deployment", "blue")
        .body(SAMPLE)
        .when()
        .post("/score")
        .then()
        .statusCode(200);
    given()
        .header("azureml-model-deployment", "green")
        .body(SAMPLE)
        .when()
        .post("/score")
        .then()
        .statusCode(421)
        .body("error", containsString("this is deployment 'blue', not 'green'"))
        .body("error", containsString("Knative-Serving-Tag"));
  }

  @Test
  void namedInputsGiveTheSameAnswer() {
    given()
        .body("{\"inputs\": {\"input\": [[1,2,3,4,5,6,7,8,9,10]]}}")
        .when()
        .post("/score")
        .then()
        .statusCode(200)
        .body(equalTo("[[-3.625]]"));
  }

  @Test
  void echoesTheCallersRequestId() {
    given()
        .header("x-request-id", "abc-123")
        .body(SAMPLE)
        .when()
        .post("/score")
        .then()
        .statusCode(200)
        .header("x-request-id", "abc-123");
    given()
        .header("x-request-id", "not ok <script>")
        .body(SAMPLE)
        .when()
        .post("/score")
        .then()
        .statusCode(200)
        .header("x-request-id", matchesPattern("[0-9a-f]{1,32}"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      malformed JSON              | {"data": [[1,2,3         | malformed JSON
      not an object               | [[1,2,3,4,5,6,7,8,9,10]]  | must be a JSON object
      empty body                  |                           | body is empty
      wrong width                 | {"data": [[1,2,3]]}       | input 'input' expects shape [-1, 10]
      wrong rank                  | {"data": [1,2,3,4,5,6,7,8,9,10]} | expects shape [-1, 10] (-1 = any), the request sent shape [10]
      strings for floats          | {"data": [["a","b","c","d","e","f","g","h","i","j"]]} | input 'input' is FP32, but the request holds the string "a"
      ragged rows                 | {"data": [[1,2,3,4,5,6,7,8,9,10],[1]]} | ragged
      mixed nesting               | {"data": [[1,2,3,4,5,6,7,8,9,10],5]} | ragged
      no values                   | {"data": []}              | holds no values
      unknown input name          | {"inputs": {"x": [[1,2,3,4,5,6,7,8,9,10]]}} | unknown input 'x': the model's inputs are [input]
      missing input               | {"inputs": {}}            | missing input 'input'
      unknown field               | {"instances": [[1]]}      | unknown field 'instances'
      neither data nor inputs     | {}                        | neither "data" nor "inputs"
      null value                  | {"data": [[null,2,3,4,5,6,7,8,9,10]]} | holds null
      beyond FP32 (1e400)         | {"data": [[1,2,3,4,5,6,7,8,9,1e400]]} | input 'input' is FP32, the value 1e400 at element 9 is out of range [-3.4028235E38, 3.4028235E38]
      beyond FP32 (-3.5e38)       | {"data": [[1,2,3,4,5,6,7,8,9,10],[-3.5e38,2,3,4,5,6,7,8,9,10]]} | input 'input' is FP32, the value -3.5e38 at element 10 is out of range
      """)
  void badInputIs400NamingTheProblem(String name, String body, String message) {
    given()
        .contentType(ContentType.JSON)
        .body(body == null ? "" : body)
        .when()
        .post("/score")
        .then()
        .statusCode(400)
        .contentType(ContentType.JSON)
        .header("x-request-id", notNullValue())
        .body("error", containsString(message));
    // and the process keeps serving
    given().body(SAMPLE).when().post("/score").then().statusCode(200);
  }

  @Test
  void bodyOverTheLimitIs413() {
    String big =
        "{\"data\": [" + "[1,2,3,4,5,6,7,8,9,10],".repeat(4000) + "[1,2,3,4,5,6,7,8,9,10]]}";
    given()
        .body(big)
        .when()
        .post("/score")
        .then()
        .statusCode(413)
        .contentType(ContentType.JSON)
        .header("x-request-id", notNullValue())
        .body("error", containsString("larger than the limit of 65536 bytes"));
    given().body(SAMPLE).when().post("/score").then().statusCode(200);
  }

  /**
   * 50 MB, by Content-Length and chunked, written by hand on a socket whose reads time out after 10
   * s: the answer is 413 once the limit is passed and the connection closes, the rest unread.
   */
  @ParameterizedTest(name = "chunked: {0}")
  @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
  void fiftyMegabytesAre413AndTheConnectionCloses(boolean chunked) throws Exception {
    int fiftyMb = 50 * 1024 * 1024;
    byte[] chunk = "1,".repeat(32 * 1024).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    try (var socket = new java.net.Socket("localhost", io.restassured.RestAssured.port)) {
      socket.setSoTimeout(10_000);
      var out = socket.getOutputStream();
      out.write(
          ("POST /score HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                  + (chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + fiftyMb)
                  + "\r\n\r\n")
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      Thread writer =
          new Thread(
              () -> {
                try {
                  for (int sent = 0; sent < fiftyMb; sent += chunk.length) {
                    if (chunked) {
                      out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes());
                    }
                    out.write(chunk);
                    if (chunked) {
                      out.write("\r\n".getBytes());
                    }
                  }
                } catch (java.io.IOException closed) {
                  // the server answered and closed the connection
                }
              });
      writer.setDaemon(true);
      writer.start();
      var in = socket.getInputStream();
      var head = new java.io.ByteArrayOutputStream();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int c = in.read();
        assertTrue(c >= 0, "connection closed before the answer's headers: " + head);
        head.write(c);
      }
      String headers = head.toString().toLowerCase();
      org.hamcrest.MatcherAssert.assertThat(headers, startsWith("http/1.1 413"));
      org.hamcrest.MatcherAssert.assertThat(headers, containsString("connection: close"));
      var length = java.util.regex.Pattern.compile("content-length: *(\\d+)").matcher(headers);
      assertTrue(length.find(), headers);
      String body = new String(in.readNBytes(Integer.parseInt(length.group(1))));
      org.hamcrest.MatcherAssert.assertThat(
          body, containsString("larger than the limit of 65536 bytes (KNOE_MAX_BODY_BYTES)"));
      try {
        assertEquals(-1, in.read(), "the connection is closed after the answer");
      } catch (java.net.SocketException reset) {
        // closed with the body's rest unread: the peer may see a reset, which is closed too
      }
    }
    given().body(SAMPLE).when().post("/score").then().statusCode(200);
  }

  @Test
  void v2HealthAndMetadata() {
    given().when().get("/v2/health/live").then().statusCode(200).body("live", equalTo(true));
    given().when().get("/v2/health/ready").then().statusCode(200).body("ready", equalTo(true));
    given().when().get("/v2").then().statusCode(200).body("name", equalTo("knoe-scoring-function"));
    given()
        .when()
        .get("/v2/models/model-1")
        .then()
        .statusCode(200)
        .body("name", equalTo("model-1"))
        .body("platform", equalTo("onnxruntime_onnx"))
        .body("inputs[0].name", equalTo("input"))
        .body("inputs[0].datatype", equalTo("FP32"))
        .body("inputs[0].shape", equalTo(java.util.List.of(-1, 10)))
        .body("outputs[0].name", equalTo("output"));
    given()
        .when()
        .get("/v2/models/model-1/ready")
        .then()
        .statusCode(200)
        .body("ready", equalTo(true));
    given()
        .when()
        .get("/v2/models/nope")
        .then()
        .statusCode(404)
        .body("error", containsString("unknown model 'nope'"));
    given()
        .when()
        .get("/v2/models/model-1/versions/1")
        .then()
        .statusCode(200)
        .body("versions", equalTo(java.util.List.of("1")));
    given()
        .when()
        .get("/v2/models/model-1/versions/1/ready")
        .then()
        .statusCode(200)
        .body("ready", equalTo(true));
    for (String path :
        java.util.List.of(
            "/v2/models/model-1/versions/999", "/v2/models/model-1/versions/999/ready")) {
      given()
          .when()
          .get(path)
          .then()
          .statusCode(404)
          .body("error", equalTo("model 'model-1' has no version '999'; its only version is '1'"));
    }
  }

  @Test
  void v2InferOfAnUnknownVersionIs404() {
    given()
        .body(
            """
        {"inputs": [{"name": "input", "shape": [1, 10], "datatype": "FP32", "data": [1,2,3,4,5,6,7,8,9,10]}]}""")
        .when()
        .post("/v2/models/model-1/versions/999/infer")
        .then()
        .statusCode(404)
        .contentType(ContentType.JSON)
        .body("error", equalTo("model 'model-1' has no version '999'; its only version is '1'"));
  }

  @Test
  void v2InferWithFlatAndNestedData() {
    String flat =
        """
        {"id": "r1", "inputs": [{"name": "input", "shape": [2, 10], "datatype": "FP32",
          "data": [1,2,3,4,5,6,7,8,9,10,10,9,8,7,6,5,4,3,2,1]}]}""";
    given()
        .body(flat)
        .when()
        .post("/v2/models/model-1/infer")
        .then()
        .statusCode(200)
        .body("model_name", equalTo("model-1"))
        .body("id", equalTo("r1"))
        .body("outputs[0].name", equalTo("output"))
        .body("outputs[0].datatype", equalTo("FP32"))
        .body("outputs[0].shape", equalTo(java.util.List.of(2, 1)))
        .body("outputs[0].data", equalTo(java.util.List.of(-3.625f, 4.625f)));
    String dataFirst =
        """
        {"inputs": [{"data": [[1,2,3,4,5,6,7,8,9,10]], "datatype": "FP32", "shape": [1, 10], "name": "input"}]}""";
    given()
        .body(dataFirst)
        .when()
        .post("/v2/models/model-1/versions/1/infer")
        .then()
        .statusCode(200)
        .body("outputs[0].data", equalTo(java.util.List.of(-3.625f)));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      datatype mismatch   | {"inputs": [{"name": "input", "shape": [1,10], "datatype": "INT64", "data": [1,2,3,4,5,6,7,8,9,10]}]} | has datatype FP32 in the model, the request declares INT64
      unknown datatype    | {"inputs": [{"name": "input", "shape": [1,10], "datatype": "FLOAT", "data": [1,2,3,4,5,6,7,8,9,10]}]} | unknown datatype 'FLOAT'
      shape vs data       | {"inputs": [{"name": "input", "shape": [2,10], "datatype": "FP32", "data": [1,2,3,4,5,6,7,8,9,10]}]} | declares shape [2, 10] (20 values) but its data holds 10 values
      no name             | {"inputs": [{"shape": [1,10], "datatype": "FP32", "data": [1,2,3,4,5,6,7,8,9,10]}]} | has no "name"
      unknown output      | {"inputs": [{"name": "input", "shape": [1,10], "datatype": "FP32", "data": [1,2,3,4,5,6,7,8,9,10]}], "outputs": [{"name": "y"}]} | unknown output 'y'
      no inputs           | {"id": "x"} | no "inputs"
      beyond FP32         | {"inputs": [{"name": "input", "shape": [1,10], "datatype": "FP32", "data": [1,2,3.5e38,4,5,6,7,8,9,10]}]} | input 'input' is FP32, the value 3.5e38 at element 2 is out of range
      """)
  void badV2RequestsAre400(String name, String body, String message) {
    given()
        .body(body)
        .when()
        .post("/v2/models/model-1/infer")
        .then()
        .statusCode(400)
        .body("error", containsString(message));
  }

  @Test
  void openApiDescribesScoreFromTheSignature() {
    given()
        .when()
        .get("/openapi.json")
        .then()
        .statusCode(200)
        .body("openapi", equalTo("3.0.3"))
        .body("paths.'/score'.post.operationId", equalTo("score"))
        .body(
            "paths.'/score'.post.requestBody.content.'application/json'.schema.oneOf[0].properties.data.items.maxItems",
            equalTo(10))
        .body(
            "paths.'/score'.post.requestBody.content.'application/json'.schema.oneOf[0].properties.data.items.items.type",
            equalTo("number"))
        .body("paths.'/score'.post.responses.'400'.description", containsString("Malformed"))
        // An answer's float may be non-finite, written as a string: the schema says so.
        .body(
            "paths.'/score'.post.responses.'200'.content.'application/json'.schema.items.items.oneOf.type",
            equalTo(List.of("number", "string")))
        .body(
            "paths.'/score'.post.responses.'200'.content.'application/json'.schema.items.items.oneOf[1].enum",
            equalTo(List.of("NaN", "Infinity", "-Infinity")));
    given().when().get("/swagger.json").then().statusCode(200).body("openapi", equalTo("3.0.3"));
  }

  @Test
  void cloudEventInBinaryModeGetsAResponseEvent() {
    given()
        .header("ce-specversion", "1.0")
        .header("ce-type", "knoe.score.request")
        .header("ce-source", "test")
        .header("ce-id", "e1")
        .contentType(ContentType.JSON)
        .body(SAMPLE)
        .when()
        .post("/")
        .then()
        .statusCode(200)
        .header("ce-type", "knoe.score.response")
        .header("ce-source", "knoe/scoring-function")
        .header("ce-id", notNullValue())
        .body(equalTo("[[-3.625],[4.625]]"));
  }

  @Test
  void cloudEventInStructuredModeAndATriggerTypeOfItsOwn() {
    String event =
        """
        {"specversion": "1.0", "type": "com.example.order.created", "source": "shop", "id": "e2",
         "datacontenttype": "application/json",
         "data": {"inputs": [{"name": "input", "shape": [1, 10], "datatype": "FP32", "data": [1,2,3,4,5,6,7,8,9,10]}]}}""";
    given()
        .contentType("application/cloudevents+json")
        .body(event)
        .when()
        .post("/")
        .then()
        .statusCode(200)
        .body("type", equalTo("knoe.score.response"))
        .body("data.outputs[0].data[0]", equalTo(-3.625f));
  }

  @Test
  void eventDeliveryByTokenIsNotConfiguredWithoutATokenFile() {
    given()
        .header("ce-specversion", "1.0")
        .header("ce-type", "knoe.score.request")
        .header("ce-source", "test")
        .header("ce-id", "e3")
        .contentType(ContentType.JSON)
        .body(SAMPLE)
        .when()
        .post("/events/some-token")
        .then()
        .statusCode(404)
        .contentType(ContentType.JSON)
        .body("error", containsString("event delivery by token is not configured"));
  }

  @Test
  void metricsCountRequestsByStatus() {
    given().body(SAMPLE).when().post("/score").then().statusCode(200);
    given().body("{").when().post("/score").then().statusCode(400);
    String metrics = given().when().get("/metrics").then().statusCode(200).extract().asString();
    org.hamcrest.MatcherAssert.assertThat(
        java.util.List.of(metrics.split("\n")),
        hasItem(containsString("knoe_requests_total{route=\"score\",status=\"200\"}")));
    org.hamcrest.MatcherAssert.assertThat(
        java.util.List.of(metrics.split("\n")),
        hasItem(containsString("knoe_requests_total{route=\"score\",status=\"400\"}")));
    org.hamcrest.MatcherAssert.assertThat(
        metrics, containsString("knoe_request_duration_seconds_bucket"));
    org.hamcrest.MatcherAssert.assertThat(
        metrics, containsString("knoe_inference_duration_seconds_count"));
    org.hamcrest.MatcherAssert.assertThat(metrics, containsString("knoe_batch_size_bucket"));
    org.hamcrest.MatcherAssert.assertThat(metrics, containsString("knoe_queue_depth"));
  }
}
