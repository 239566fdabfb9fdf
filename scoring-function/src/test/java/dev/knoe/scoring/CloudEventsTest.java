package dev.knoe.scoring;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Events the CloudEvents 1.0 HTTP binding would not accept, or whose data is no scoring request,
 * are 400 naming the problem (never scored, never a 500); the process keeps serving events.
 */
@QuarkusTest
@TestProfile(Profiles.Model1.class)
class CloudEventsTest {

  static final String ROW = "[1,2,3,4,5,6,7,8,9,10]";

  /** An event sent as written: headers and body, and what the 400 must say. */
  record Broken(String name, Map<String, String> headers, String body, String message) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** Binary-mode headers of a valid event, without {@code without} and with {@code changes}. */
  static Map<String, String> binary(String without, String... changes) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("ce-specversion", "1.0");
    h.put("ce-id", "e1");
    h.put("ce-source", "test");
    h.put("ce-type", "knoe.score.request");
    h.put("Content-Type", "application/json");
    h.remove(without);
    for (int i = 0; i < changes.length; i += 2) {
      h.put(changes[i], changes[i + 1]);
    }
    return h;
  }

  static final Map<String, String> STRUCTURED =
      Map.of("Content-Type", "application/cloudevents+json");

  /** A structured event with {@code attributes} (JSON members, comma-separated) and data. */
  static String structured(String attributes, String data) {
    return "{" + attributes + (data == null ? "" : ", \"data\": " + data) + "}";
  }

  static final String ATTRIBUTES =
      "\"specversion\": \"1.0\", \"id\": \"e2\", \"source\": \"shop\", \"type\": \"t\"";

  static Stream<Broken> brokenEvents() {
    String sample = "{\"data\": [" + ROW + "]}";
    return Stream.of(
        new Broken("binary without ce-id", binary("ce-id"), sample, "no 'ce-id' attribute"),
        new Broken(
            "binary without ce-source", binary("ce-source"), sample, "no 'ce-source' attribute"),
        new Broken("binary without ce-type", binary("ce-type"), sample, "no 'ce-type' attribute"),
        new Broken(
            "binary without ce-specversion",
            binary("ce-specversion"),
            sample,
            "no 'ce-specversion' attribute"),
        new Broken(
            "binary with specversion 9.9",
            binary("", "ce-specversion", "9.9"),
            sample,
            "the CloudEvent's 'ce-specversion' is '9.9'; only 1.0 is accepted"),
        new Broken("binary with an empty id", binary("", "ce-id", ""), sample, "'ce-id'"),
        new Broken(
            "binary, body not JSON",
            binary(""),
            "this is not json",
            "the event's data is not JSON"),
        new Broken(
            "binary, body JSON but no scoring request",
            binary(""),
            "[1, 2, 3]",
            "the CloudEvent's data is not a scoring request"),
        new Broken("binary, no body", binary(""), "", "the CloudEvent has no data"),
        new Broken(
            "binary, wrong shape (the codec's 400)",
            binary(""),
            "{\"data\": [[1, 2]]}",
            "input 'input' expects shape [-1, 10]"),
        new Broken(
            "binary, a number beyond FP32",
            binary(""),
            "{\"data\": [[1,2,3,4,5,6,7,8,9,1e400]]}",
            "input 'input' is FP32, the value 1e400 at element 9 is out of range"),
        new Broken(
            "structured without id",
            STRUCTURED,
            structured("\"specversion\": \"1.0\", \"source\": \"s\", \"type\": \"t\"", sample),
            "no 'id' attribute"),
        new Broken(
            "structured without type",
            STRUCTURED,
            structured("\"specversion\": \"1.0\", \"source\": \"s\", \"id\": \"i\"", sample),
            "no 'type' attribute"),
        new Broken(
            "structured with specversion 0.3",
            STRUCTURED,
            structured(ATTRIBUTES.replace("1.0", "0.3"), sample),
            "the CloudEvent's 'specversion' is '0.3'; only 1.0 is accepted"),
        new Broken(
            "structured, data a string",
            STRUCTURED,
            structured(ATTRIBUTES, "\"hello\""),
            "the CloudEvent's data is not a scoring request"),
        new Broken(
            "structured, data an object without data or inputs",
            STRUCTURED,
            structured(ATTRIBUTES, "{\"instances\": [1]}"),
            "an object without either"),
        new Broken("structured, no data", STRUCTURED, structured(ATTRIBUTES, null), "has no data"),
        new Broken(
            "structured, not JSON",
            STRUCTURED,
            "{\"specversion\": ",
            "the structured CloudEvent is not JSON"),
        new Broken(
            "structured, a V2 body of the wrong datatype (the codec's 400)",
            STRUCTURED,
            structured(
                ATTRIBUTES,
                "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 10], \"datatype\": \"INT64\","
                    + " \"data\": "
                    + ROW
                    + "}]}"),
            "has datatype FP32 in the model, the request declares INT64"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenEvents")
  void aBrokenEventIs400NamingTheProblem(Broken broken) {
    RequestSpecification request = given().body(broken.body());
    broken.headers().forEach(request::header);
    request
        .when()
        .post("/")
        .then()
        .statusCode(400)
        .contentType(ContentType.JSON)
        .body("error", containsString(broken.message()));
    // and a valid event is still scored
    RequestSpecification valid = given().body("{\"data\": [" + ROW + "]}");
    binary("").forEach(valid::header);
    valid
        .when()
        .post("/")
        .then()
        .statusCode(200)
        .header("ce-type", "knoe.score.response")
        .body(equalTo("[[-3.625]]"));
  }
}
