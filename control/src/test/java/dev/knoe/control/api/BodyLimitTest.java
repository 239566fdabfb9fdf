package dev.knoe.control.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A body over its limit is answered 413 as soon as the limit is passed, not read whole: 50 MB to
 * the control API, by Content-Length and chunked, written by hand on a socket whose reads time out
 * after 10 s (the guard: before the limit the server read everything for 20 s and never answered).
 */
@QuarkusTest
@TestProfile(ControlApiTest.Api.class)
class BodyLimitTest {

  static final int FIFTY_MB = 50 * 1024 * 1024;
  static final byte[] CHUNK = "a".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);

  /** What came back: status line, headers (lower-case names) and body. */
  record Answer(int status, String head, String body) {}

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "/api/v1/endpoints",
        "/api/v1/endpoints/big/deployments",
        "/api/v1/endpoints/big/token"
      })
  void fiftyMegabytesByContentLengthAre413AtOnce(String path) throws Exception {
    Answer answer = post(path, false);
    assertEquals(413, answer.status(), answer.head() + answer.body());
    assertTrue(answer.head().contains("connection: close"), answer.head());
    assertTrue(
        answer
            .body()
            .contains(
                "the request body is larger than the limit of 4194304 bytes"
                    + " (knoe.api.max-spec-bytes)"),
        answer.body());
  }

  @Test
  void fiftyMegabytesChunkedAre413OnceTheCountPassesTheLimit() throws Exception {
    Answer answer = post("/api/v1/endpoints", true);
    assertEquals(413, answer.status(), answer.head() + answer.body());
    assertTrue(answer.body().contains("(knoe.api.max-spec-bytes)"), answer.body());
  }

  @Test
  void aModelUploadOverItsLimitIs413ByContentLength() throws Exception {
    // The test profile's knoe.models.max-bytes is 100000.
    Answer answer = post("/api/v1/models/big/versions", false);
    assertEquals(413, answer.status(), answer.head() + answer.body());
    assertTrue(
        answer.body().contains("larger than the limit of 100000 bytes (knoe.models.max-bytes)"),
        answer.body());
  }

  @Test
  void aSpecUnderTheLimitStillPasses() {
    given()
        .header("Authorization", "Bearer " + ControlApiTest.ADMIN)
        .contentType("application/json")
        .body("{\"name\": \"small-body\"}")
        .when()
        .post("/api/v1/endpoints")
        .then()
        .statusCode(201);
  }

  /**
   * Posts 50 MB of 'a' with the admin key, declared by Content-Length or chunked, from a writer
   * thread that stops at the first failed write (the server closed the connection), while this
   * thread reads the answer.
   */
  static Answer post(String path, boolean chunked) throws Exception {
    try (Socket socket = new Socket("localhost", RestAssured.port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST "
                  + path
                  + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                  + ControlApiTest.ADMIN
                  + "\r\nContent-Type: application/json\r\n"
                  + (chunked
                      ? "Transfer-Encoding: chunked\r\n"
                      : "Content-Length: " + FIFTY_MB + "\r\n")
                  + "\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      Thread writer =
          new Thread(
              () -> {
                try {
                  for (int sent = 0; sent < FIFTY_MB; sent += CHUNK.length) {
                    if (chunked) {
                      out.write(
                          (Integer.toHexString(CHUNK.length) + "\r\n")
                              .getBytes(StandardCharsets.US_ASCII));
                    }
                    out.write(CHUNK);
                    if (chunked) {
                      out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                  }
                  if (chunked) {
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                  }
                } catch (IOException closed) {
                  // the server answered and closed the connection: what the test wants
                }
              });
      writer.setDaemon(true);
      writer.start();
      return read(socket.getInputStream());
    }
  }

  private static Answer read(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("connection closed before the answer's headers: " + head);
      }
      head.write(c);
    }
    String headers = head.toString(StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
    int status = Integer.parseInt(headers.split(" ")[1]);
    int length = 0;
    for (String line : headers.split("\r\n")) {
      if (line.startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    byte[] body = in.readNBytes(length);
    return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
  }

  /**
   * Java's HttpClient upgrades to HTTP/2 (h2c): the gate's limit must leave such requests whole for
   * the resources (reading their bodies in the gate once made every one of them fail).
   */
  @Test
  void specsOverAnUpgradedConnectionStillPass() throws Exception {
    java.net.http.HttpClient client =
        java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_2)
            .build();
    String base = "http://localhost:" + RestAssured.port;
    for (int i = 0; i < 3; i++) {
      java.net.http.HttpResponse<String> list =
          client.send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/api/v1/endpoints"))
                  .header("Authorization", "Bearer " + ControlApiTest.ADMIN)
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, list.statusCode(), list.body());
    }
    java.net.http.HttpResponse<String> put =
        client.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(base + "/api/v1/endpoints/upgraded-body"))
                .header("Authorization", "Bearer " + ControlApiTest.ADMIN)
                .header("Content-Type", "application/json")
                .PUT(
                    java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"name\": \"upgraded-body\"}"))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertTrue(put.statusCode() == 200 || put.statusCode() == 201, put.body());
    assertEquals(java.net.http.HttpClient.Version.HTTP_2, put.version(), "over HTTP/2");
  }

  /** A small chunked spec is read by the gate's counting handler and still reaches its resource. */
  @Test
  void aSmallChunkedSpecStillPasses() throws Exception {
    byte[] body = "{\"name\": \"chunked-body\"}".getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket("localhost", RestAssured.port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("PUT /api/v1/endpoints/chunked-body HTTP/1.1\r\nHost: localhost\r\n"
                  + "Authorization: Bearer "
                  + ControlApiTest.ADMIN
                  + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                  + "Connection: close\r\n\r\n"
                  + Integer.toHexString(body.length)
                  + "\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String head = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
      assertTrue(head.startsWith("HTTP/1.1 20"), head);
    }
  }
}
