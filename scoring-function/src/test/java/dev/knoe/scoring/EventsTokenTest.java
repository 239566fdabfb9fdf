package dev.knoe.scoring;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.knoe.scoring.events.ScoreEvents;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.message.MessageReader;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.jackson.JsonFormat;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code POST /events/<token>}: how a Knative Broker, which sends no Authorization header, delivers
 * CloudEvents to an instance with {@code KNOE_AUTH=required}. The events are written and the
 * replies read by the CloudEvents Java SDK (binary and structured mode), sent over the JDK's HTTP
 * client.
 */
@QuarkusTest
@TestProfile(EventsTokenTest.Required.class)
class EventsTokenTest {

  static final Path DIR = Path.of("target/events-token-test").toAbsolutePath();
  static final Path TOKEN_FILE = DIR.resolve("events-token");
  static final String TOKEN = "ev-tok-0123456789abcdef";
  static final String KEY = "primary-key-1";
  static final HttpClient HTTP = HttpClient.newHttpClient();

  /** Keys file and events token file, written before the app starts. */
  public static class Required implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      try {
        Files.createDirectories(DIR);
        Files.writeString(DIR.resolve("keys"), KEY + "\n");
        Files.writeString(
            TOKEN_FILE,
            "# the Trigger's subscriber URI ends in /events/<this>\n  " + TOKEN + "  \n");
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      return Map.of(
          "knoe.model-dir",
          TestModels.sample("model-1").toString(),
          "knoe.auth",
          "required",
          "knoe.keys-file",
          DIR.resolve("keys").toString(),
          "knoe.events-token-file",
          TOKEN_FILE.toString());
    }
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void structuredModeEventWithoutAuthorizationIsScored(HttpClient.Version version)
      throws Exception {
    Reply reply = send(version, "/events/" + TOKEN, scoreRequest("s1"), true, null);
    assertEquals(200, reply.status, reply.text());
    CloudEvent answer = reply.event();
    assertEquals("knoe.score.response", answer.getType());
    assertEquals(URI.create("knoe/scoring-function"), answer.getSource());
    assertNotNull(answer.getId());
    assertEquals(expected(), TestModels.JSON.readTree(answer.getData().toBytes()));
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void binaryModeEventWithoutAuthorizationIsScored(HttpClient.Version version) throws Exception {
    Reply reply = send(version, "/events/" + TOKEN, scoreRequest("b1"), false, null);
    assertEquals(200, reply.status, reply.text());
    assertTrue(
        reply.headers.firstValue("ce-type").isPresent(),
        "a binary-mode reply: " + reply.headers.map());
    CloudEvent answer = reply.event();
    assertEquals("knoe.score.response", answer.getType());
    assertEquals(URI.create("knoe/scoring-function"), answer.getSource());
    assertEquals(expected(), TestModels.JSON.readTree(answer.getData().toBytes()));
  }

  @Test
  void aTriggerTypeOfItsOwnAndAV2BodyAsOnSlash() throws Exception {
    CloudEvent order =
        CloudEventBuilder.v1()
            .withId("o1")
            .withSource(URI.create("shop"))
            .withType("com.example.order.created")
            .withDataContentType("application/json")
            .withData(
                """
            {"inputs": [{"name": "input", "shape": [1, 10], "datatype": "FP32", "data": [1,2,3,4,5,6,7,8,9,10]}]}"""
                    .getBytes(StandardCharsets.UTF_8))
            .build();
    Reply reply = send("/events/" + TOKEN, order, true, null);
    assertEquals(200, reply.status, reply.text());
    JsonNode data = TestModels.JSON.readTree(reply.event().getData().toBytes());
    assertEquals(-3.625, data.path("outputs").path(0).path("data").path(0).asDouble());
  }

  @Test
  void brokenEventsAre400AsOnSlash() throws Exception {
    CloudEvent notAScoringRequest =
        CloudEventBuilder.v1()
            .withId("n1")
            .withSource(URI.create("shop"))
            .withType("com.example.order.created")
            .withDataContentType("application/json")
            .withData("{\"order\": 42}".getBytes(StandardCharsets.UTF_8))
            .build();
    for (boolean structured : List.of(true, false)) {
      Reply reply = send("/events/" + TOKEN, notAScoringRequest, structured, null);
      assertEquals(400, reply.status, reply.text());
      assertTrue(
          reply.text().contains("the CloudEvent's data is not a scoring request"), reply.text());
    }
    // Binary mode without ce-id, and with a body that is not JSON: written by hand.
    HttpRequest.Builder noId =
        HttpRequest.newBuilder(
                URI.create("http://localhost:" + RestAssured.port + "/events/" + TOKEN))
            .header("ce-specversion", "1.0")
            .header("ce-source", "shop")
            .header("ce-type", "knoe.score.request")
            .header("Content-Type", "application/json");
    HttpResponse<String> answer =
        HTTP.send(
            noId.POST(HttpRequest.BodyPublishers.ofString(ScoreEndpointTest.SAMPLE)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(400, answer.statusCode(), answer.body());
    assertTrue(answer.body().contains("no 'ce-id' attribute"), answer.body());
    answer =
        HTTP.send(
            noId.header("ce-id", "x").POST(HttpRequest.BodyPublishers.ofString("{oops")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(400, answer.statusCode(), answer.body());
    assertTrue(answer.body().contains("the event's data is not JSON"), answer.body());
  }

  @Test
  void aWrongOrMissingTokenIs401NamingNoSecret() throws Exception {
    for (String path :
        List.of("/events/" + TOKEN + "x", "/events/" + TOKEN.substring(1), "/events/", "/events")) {
      for (boolean structured : List.of(true, false)) {
        Reply reply = send(path, scoreRequest("w"), structured, null);
        assertEquals(401, reply.status, path);
        assertEquals("Bearer", reply.headers.firstValue("WWW-Authenticate").orElse(null), path);
        JsonNode error = TestModels.JSON.readTree(reply.body);
        assertTrue(error.path("error").asText().contains("events token"), reply.text());
        assertFalse(reply.text().contains(TOKEN.substring(1)), reply.text());
        assertTrue(reply.headers.firstValue("x-request-id").isPresent());
      }
    }
    // The key that opens every other route does not open this one.
    Reply withKey = send("/events/" + KEY, scoreRequest("k"), true, "Bearer " + KEY);
    assertEquals(401, withKey.status);
  }

  @Test
  void theEventsTokenOpensNoOtherRoute() throws Exception {
    given()
        .auth()
        .oauth2(TOKEN)
        .body(ScoreEndpointTest.SAMPLE)
        .when()
        .post("/score")
        .then()
        .statusCode(401)
        .body("error", not(containsString(TOKEN)));
    given()
        .body(ScoreEndpointTest.SAMPLE)
        .when()
        .post("/score")
        .then()
        .statusCode(401)
        .body("error", containsString("missing credential"));
    given().auth().oauth2(TOKEN).when().get("/v2/models/model-1").then().statusCode(401);
    given()
        .auth()
        .oauth2(TOKEN)
        .header("ce-specversion", "1.0")
        .header("ce-type", "knoe.score.request")
        .header("ce-source", "t")
        .header("ce-id", "1")
        .contentType("application/json")
        .body(ScoreEndpointTest.SAMPLE)
        .when()
        .post("/")
        .then()
        .statusCode(401);
    assertEquals(401, send("/", scoreRequest("root"), true, null).status);
    // Dot segments are refused before any path is judged: the token in the path unlocks nothing
    // else.
    assertEquals(401, rawPost("/events/" + TOKEN + "/../score"));
    assertEquals(401, rawPost("/events/" + TOKEN + "/../../score"));
    assertEquals(401, rawPost("/events/" + TOKEN + "/%2e%2e/%2e%2e/score"));
    assertEquals(401, rawPost("/events/" + TOKEN + "/../../v2/models/model-1/infer"));
    assertEquals(401, rawPost("/events/" + TOKEN + "/score"));
    // and the key still opens /score
    given()
        .auth()
        .oauth2(KEY)
        .body(ScoreEndpointTest.SAMPLE)
        .when()
        .post("/score")
        .then()
        .statusCode(200);
  }

  @Test
  void aRewrittenTokenFileTakesEffectWithoutARestart() throws Exception {
    String next = "ev-tok-rotated-42";
    try {
      AuthTest.replace(TOKEN_FILE, next + "\n");
      await()
          .atMost(Duration.ofSeconds(3))
          .pollInterval(Duration.ofMillis(50))
          .untilAsserted(
              () ->
                  assertEquals(
                      401, send("/events/" + TOKEN, scoreRequest("old"), false, null).status));
      Reply reply = send("/events/" + next, scoreRequest("new"), false, null);
      assertEquals(200, reply.status, reply.text());
      assertEquals(expected(), TestModels.JSON.readTree(reply.event().getData().toBytes()));

      // A file with no token turns delivery by token off.
      AuthTest.replace(TOKEN_FILE, "# no token\n\n");
      await()
          .atMost(Duration.ofSeconds(3))
          .pollInterval(Duration.ofMillis(50))
          .untilAsserted(
              () -> {
                Reply off = send("/events/" + next, scoreRequest("off"), true, null);
                assertEquals(404, off.status);
                assertTrue(
                    TestModels.JSON
                        .readTree(off.body)
                        .path("error")
                        .asText()
                        .contains("not configured"),
                    off.text());
              });
    } finally {
      AuthTest.replace(TOKEN_FILE, TOKEN + "\n");
      await()
          .atMost(Duration.ofSeconds(3))
          .pollInterval(Duration.ofMillis(50))
          .untilAsserted(
              () ->
                  assertEquals(
                      200, send("/events/" + TOKEN, scoreRequest("back"), true, null).status));
    }
  }

  @Test
  void theTokenIsNeverLogged() throws Exception {
    ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            lines.add(
                String.valueOf(r.getMessage())
                    + " "
                    + java.util.Arrays.toString(r.getParameters()));
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger root = Logger.getLogger("");
    root.addHandler(capture);
    try {
      send("/events/" + TOKEN + "nope", scoreRequest("l1"), true, null);
      rawPost("/events/" + TOKEN + "/../../score");
      CloudEvent bad =
          CloudEventBuilder.v1()
              .withId("l2")
              .withSource(URI.create("t"))
              .withType(ScoreEvents.REQUEST_TYPE)
              .withDataContentType("application/json")
              .withData("{\"data\": [[1]]}".getBytes(StandardCharsets.UTF_8))
              .build();
      assertEquals(200, send("/events/" + TOKEN, scoreRequest("l3"), false, null).status);
      send("/events/" + TOKEN, bad, false, null); // a failure after the reroute
      await()
          .atMost(Duration.ofSeconds(3))
          .until(() -> lines.stream().anyMatch(l -> l.contains("/events/<redacted>")));
      assertFalse(lines.isEmpty());
      for (String line : lines) {
        assertFalse(line.contains(TOKEN), "the token was logged: " + line);
      }
    } finally {
      root.removeHandler(capture);
    }
  }

  static JsonNode expected() {
    return TestModels.expected(TestModels.sample("model-1")).get("response");
  }

  /** A knoe.score.request event whose data is the sample /score body of model-1. */
  static CloudEvent scoreRequest(String id) throws IOException {
    byte[] body = Files.readAllBytes(TestModels.samples().resolve("requests/model-1.json"));
    return CloudEventBuilder.v1()
        .withId(id)
        .withSource(URI.create("/test/broker"))
        .withType(ScoreEvents.REQUEST_TYPE)
        .withDataContentType("application/json")
        .withData(body)
        .build();
  }

  record Reply(int status, java.net.http.HttpHeaders headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /**
     * The reply as the SDK reads it: binary mode by its ce- headers, structured mode by its JSON
     * format.
     */
    CloudEvent event() {
      if (headers.firstValue("ce-id").isPresent()) {
        MessageReader reader = HttpMessageFactory.createReaderFromMultimap(headers.map(), body);
        return reader.toEvent();
      }
      return EventFormatProvider.getInstance()
          .resolveFormat(JsonFormat.CONTENT_TYPE)
          .deserialize(body);
    }
  }

  static Reply send(String path, CloudEvent event, boolean structured, String authorization)
      throws Exception {
    return send(HttpClient.Version.HTTP_1_1, path, event, structured, authorization);
  }

  /**
   * Sends an event as the SDK writes it, in structured or binary mode, with an Authorization header
   * or none, over HTTP/1.1 or HTTP/2 (cleartext, upgraded from HTTP/1.1).
   */
  static Reply send(
      HttpClient.Version version,
      String path,
      CloudEvent event,
      boolean structured,
      String authorization)
      throws Exception {
    HttpClient client = HTTP;
    if (version == HttpClient.Version.HTTP_2) {
      // A client of its own, whose first request (without a body) upgrades its connection to h2c;
      // the event then goes over that connection as an HTTP/2 stream.
      client = HttpClient.newBuilder().version(version).build();
      HttpResponse<Void> upgrade =
          client.send(
              HttpRequest.newBuilder(
                      URI.create("http://localhost:" + RestAssured.port + "/v2/health/live"))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      assertEquals(version, upgrade.version(), "the connection was upgraded to h2c");
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + path))
            .version(version)
            .timeout(Duration.ofSeconds(10));
    AtomicReference<byte[]> body = new AtomicReference<>(new byte[0]);
    var writer = HttpMessageFactory.createWriter(request::header, body::set);
    if (structured) {
      writer.writeStructured(event, JsonFormat.CONTENT_TYPE);
    } else {
      writer.writeBinary(event);
    }
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<byte[]> response =
        client.send(
            request.POST(HttpRequest.BodyPublishers.ofByteArray(body.get())).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(version, response.version(), "the HTTP version the server answered with");
    return new Reply(response.statusCode(), response.headers(), response.body());
  }

  /**
   * A POST of the sample body with the path exactly as given (dot segments and escapes kept),
   * without credentials; its status.
   */
  static int rawPost(String path) throws IOException {
    return raw("POST", path, ScoreEndpointTest.SAMPLE.getBytes(StandardCharsets.UTF_8));
  }

  /** A GET with the path exactly as given, without credentials; its status. */
  static int rawGet(String path) throws IOException {
    return raw("GET", path, new byte[0]);
  }

  /**
   * An HTTP/1.1 request written by hand, since HTTP clients may resolve dot segments before
   * sending.
   */
  private static int raw(String method, String path, byte[] body) throws IOException {
    try (Socket socket = new Socket("localhost", RestAssured.port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          (method
                  + " "
                  + path
                  + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                  + body.length
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream status = new ByteArrayOutputStream();
      for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
        status.write(c);
      }
      String line = status.toString(StandardCharsets.US_ASCII);
      return Integer.parseInt(line.split(" ")[1]);
    }
  }
}
