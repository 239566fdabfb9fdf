package dev.knoe.control.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The data directory on a 4 MiB tmpfs, filled up during a model upload and during state writes: a
 * 507 naming the problem, nothing half-written, and the same requests succeed once space is back
 * (also after a restart). Mounting needs root (or CAP_SYS_ADMIN); without it the test is skipped,
 * saying so.
 */
class DiskFullIT {

  @Test
  void fullDataDirectoryRefusesWritesWhole() throws Exception {
    Path base = Files.createTempDirectory(Path.of("target"), "e2e-disk-").toAbsolutePath();
    Path data = Files.createDirectories(base.resolve("data"));
    assumeTrue(
        run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", data.toString()) == 0,
        "cannot mount a tmpfs on " + data + " (needs root or CAP_SYS_ADMIN): skipped");
    KnoeServe serve = null;
    try {
      serve = new KnoeServe(data, Map.of()).start();
      serve.ok("POST", "/api/v1/endpoints", "{\"name\": \"my-endpoint\", \"description\": \"v1\"}");
      Map<String, String> keys = keys(serve);
      byte[] model = largeModel(1 << 20);
      Path filler = data.resolve("filler");

      // An upload of 1 MiB with 256 KiB free.
      fill(filler, 256 << 10);
      HttpResponse<String> upload = upload(serve, model);
      assertEquals(507, upload.statusCode(), upload.body());
      assertTrue(upload.body().contains("no space left"), upload.body());
      assertEquals(404, serve.api("GET", "/api/v1/models/big", null).statusCode());
      assertEquals(List.of(), files(data.resolve("models/blobs")), "half-written upload");

      // State writes with no space at all: an update, a key regeneration, a create.
      fill(filler, 0);
      HttpResponse<String> update =
          serve.api(
              "PUT",
              "/api/v1/endpoints/my-endpoint",
              "{\"name\": \"my-endpoint\", \"description\": \"v2\"}");
      assertEquals(507, update.statusCode(), update.body());
      assertTrue(update.body().contains("no space left"), update.body());
      HttpResponse<String> regenerate =
          serve.api(
              "POST",
              "/api/v1/endpoints/my-endpoint/keys/regenerate",
              "{\"key_type\": \"primary\"}");
      assertEquals(507, regenerate.statusCode(), regenerate.body());
      HttpResponse<String> create =
          serve.api("POST", "/api/v1/endpoints", "{\"name\": \"other-endpoint\"}");
      assertEquals(507, create.statusCode(), create.body());
      // Nothing of them applied, the service answers.
      assertEquals(
          "v1", serve.ok("GET", "/api/v1/endpoints/my-endpoint", null).get("description").asText());
      assertEquals(keys, keys(serve));
      assertEquals(1, serve.ok("GET", "/api/v1/endpoints", null).size());
      assertEquals(
          List.of(),
          files(data.resolve("endpoints")).stream()
              .filter(p -> p.getFileName().toString().endsWith(".tmp"))
              .toList(),
          "half-written state");

      // Space back: the same requests succeed.
      Files.delete(filler);
      HttpResponse<String> again = upload(serve, model);
      assertEquals(201, again.statusCode(), again.body());
      assertEquals(sha256(model), KnoeServe.JSON.readTree(again.body()).get("sha256").asText());
      serve.ok(
          "PUT",
          "/api/v1/endpoints/my-endpoint",
          "{\"name\": \"my-endpoint\", \"description\": \"v2\"}");
      String primary =
          serve
              .ok(
                  "POST",
                  "/api/v1/endpoints/my-endpoint/keys/regenerate",
                  "{\"key_type\": \"primary\"}")
              .get("primaryKey")
              .asText();
      serve.ok("POST", "/api/v1/endpoints", "{\"name\": \"other-endpoint\"}");

      // And they are stored: a restart shows them.
      serve.kill();
      serve = new KnoeServe(data, Map.of()).start();
      assertEquals(
          "v2", serve.ok("GET", "/api/v1/endpoints/my-endpoint", null).get("description").asText());
      assertEquals(primary, keys(serve).get("primaryKey"));
      assertEquals(2, serve.ok("GET", "/api/v1/endpoints", null).size());
      HttpResponse<byte[]> content =
          serve.http.send(
              HttpRequest.newBuilder(serve.uri("/api/v1/models/big/versions/1/content"))
                  .header("Authorization", "Bearer " + serve.adminKey())
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, content.statusCode());
      assertEquals(sha256(model), sha256(content.body()));
    } finally {
      if (serve != null) {
        serve.close();
      }
      run("umount", data.toString());
    }
  }

  /**
   * Grows (or shrinks) {@code filler} until the file system has {@code free} bytes left (rounded to
   * tmpfs's 4 KiB pages).
   */
  private static void fill(Path filler, long free) throws IOException {
    Files.deleteIfExists(filler);
    byte[] page = new byte[4096];
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(page);
        out.flush();
      }
    } catch (IOException full) {
      // full: give back what is to be free
    }
    long size = Files.size(filler);
    try (var ch =
        java.nio.channels.FileChannel.open(filler, java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(Math.max(0, (size / 4096) * 4096 - free));
    }
  }

  private static HttpResponse<String> upload(KnoeServe serve, byte[] model) throws Exception {
    return serve.http.send(
        HttpRequest.newBuilder(serve.uri("/api/v1/models/big/versions"))
            .header("Authorization", "Bearer " + serve.adminKey())
            .header("Content-Type", "application/octet-stream")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofByteArray(model))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, String> keys(KnoeServe serve) throws Exception {
    var k = serve.ok("GET", "/api/v1/endpoints/my-endpoint/keys", null);
    return Map.of(
        "primaryKey", k.get("primaryKey").asText(), "secondaryKey", k.get("secondaryKey").asText());
  }

  /**
   * The sample model-1 with a {@code doc_string} of {@code bytes} appended: a field appended to a
   * protobuf message is part of it, so this is a valid ONNX model of about that size.
   */
  static byte[] largeModel(int bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(Files.readAllBytes(KnoeServe.SAMPLES.resolve("models/model-1/model/model.onnx")));
    out.write(0x32); // field 6 (ModelProto.doc_string), wire type 2 (length-delimited)
    for (long v = bytes; ; v >>>= 7) { // the length as a varint
      if (v < 0x80) {
        out.write((int) v);
        break;
      }
      out.write((int) (v & 0x7f) | 0x80);
    }
    out.write("x".repeat(bytes).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  private static List<Path> files(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  private static int run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    int code = p.waitFor();
    if (code != 0) {
      System.out.println(String.join(" ", command) + ": " + out);
    }
    return code;
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
