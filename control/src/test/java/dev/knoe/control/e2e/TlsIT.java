package dev.knoe.control.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.knoe.control.e2e.KnoeServe.CliRun;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code knoe serve --tls-self-signed} with real instances: HTTPS only on its port (API, router,
 * console), https:// scoring URIs, the CLI trusting the certificate from the config serve wrote or
 * from {@code --ca-file} and refusing the server without it; and no key or token issued in the test
 * in any log it produced.
 */
class TlsIT {

  static final String REQUEST = "{\"data\": [[1,2,3,4,5,6,7,8,9,10],[10,9,8,7,6,5,4,3,2,1]]}";
  static final String BLUE_ANSWER = "[[-3.625],[4.625]]";

  @Test
  void httpsEndToEndAndNoSecretInAnyLog() throws Exception {
    Path data =
        Files.createTempDirectory(Path.of("target"), "tls-").toAbsolutePath().resolve("data");
    Map<String, String> secrets = new LinkedHashMap<>(); // what each is, by value
    try (KnoeServe serve = new KnoeServe(data, Map.of(), List.of("--tls-self-signed")).start()) {
      String base = "https://127.0.0.1:" + serve.port;
      secrets.put(serve.adminKey(), "the admin key");

      // The certificate: owner-only, its fingerprint printed at start.
      byte[] der =
          CertificateFactory.getInstance("X.509")
              .generateCertificate(Files.newInputStream(serve.certificate()))
              .getEncoded();
      String fingerprint =
          HexFormat.ofDelimiter(":")
              .withUpperCase()
              .formatHex(MessageDigest.getInstance("SHA-256").digest(der));
      assertTrue(
          Files.readString(serve.log).contains("SHA-256 fingerprint " + fingerprint),
          "the fingerprint in the log");
      assertEquals(
          "rw-------",
          java.nio.file.attribute.PosixFilePermissions.toString(
              Files.getPosixFilePermissions(data.resolve("tls").resolve("key.pem"))));

      // The CLI config names the https URL and carries the certificate.
      JsonNode config = KnoeServe.JSON.readTree(serve.cliConfig().toFile());
      assertEquals(base, config.get("url").asText());
      assertEquals(Files.readString(serve.certificate()), config.get("ca_cert").asText());

      // No plain HTTP on the port.
      HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      assertThrows(
          IOException.class,
          () ->
              plain.send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + serve.port + "/api/v1/endpoints"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString()),
          "plain HTTP to the HTTPS port");

      // The CLI with the config serve wrote: endpoint, deployment, https scoring URI.
      Map<String, String> withConfig = Map.of("KNOE_CONFIG", serve.cliConfig().toString());
      ok(
          KnoeServe.cli(
              withConfig,
              "online-endpoint",
              "create",
              "-f",
              KnoeServe.SAMPLES.resolve("endpoint.yml").toString(),
              "--set",
              "name=tls-demo"));
      ok(
          KnoeServe.cli(
              withConfig,
              "online-deployment",
              "create",
              "-f",
              KnoeServe.SAMPLES.resolve("blue-deployment.yml").toString(),
              "-e",
              "tls-demo",
              "--all-traffic"));
      JsonNode endpoint =
          KnoeServe.JSON.readTree(
              ok(KnoeServe.cli(
                      withConfig, "online-endpoint", "show", "-n", "tls-demo", "-o", "json"))
                  .out());
      assertEquals(
          base + "/endpoints/tls-demo/score", endpoint.get("scoring_uri").asText(), "" + endpoint);
      assertTrue(endpoint.get("openapi_uri").asText().startsWith(base + "/"), "" + endpoint);
      JsonNode deployment = serve.ok("GET", "/api/v1/endpoints/tls-demo/deployments/blue", null);
      assertEquals(base + "/endpoints/tls-demo/score", deployment.get("scoring_uri").asText());
      // Every address in the view is https, but the instances': plain HTTP on loopback, behind
      // the router.
      for (JsonNode instance : deployment.get("instances")) {
        assertTrue(instance.get("url").asText().startsWith("http://127.0.0.1:"), "" + instance);
      }
      ((com.fasterxml.jackson.databind.node.ObjectNode) deployment).remove("instances");
      assertFalse(deployment.toString().contains("http://"), "" + deployment);

      JsonNode keys =
          KnoeServe.JSON.readTree(
              ok(KnoeServe.cli(
                      withConfig,
                      "online-endpoint",
                      "get-credentials",
                      "-n",
                      "tls-demo",
                      "-o",
                      "json"))
                  .out());
      String primary = keys.get("primaryKey").asText();
      secrets.put(primary, "the primary key");
      secrets.put(keys.get("secondaryKey").asText(), "the secondary key");

      // Scoring over HTTPS, by the scoring URI itself, trusting the generated certificate.
      HttpResponse<String> scored =
          serve.http.send(
              HttpRequest.newBuilder(URI.create(endpoint.get("scoring_uri").asText()))
                  .header("Authorization", "Bearer " + primary)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(REQUEST))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, scored.statusCode(), scored.body());
      assertEquals(BLUE_ANSWER, scored.body());
      assertEquals(
          BLUE_ANSWER,
          ok(KnoeServe.cli(
                  withConfig,
                  "online-endpoint",
                  "invoke",
                  "-n",
                  "tls-demo",
                  "--request-file",
                  KnoeServe.SAMPLES.resolve("requests/model-1.json").toString()))
              .out()
              .strip());
      assertEquals(
          200,
          serve
              .http
              .send(
                  HttpRequest.newBuilder(URI.create(base + "/console/")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .statusCode(),
          "the console over HTTPS");

      // Without the certificate the CLI refuses the server in one line; with --ca-file it works.
      Map<String, String> noConfig =
          Map.of(
              "KNOE_URL", base,
              "KNOE_ADMIN_KEY", serve.adminKey(),
              "KNOE_CONFIG", data.resolveSibling("none.json").toString());
      CliRun refused = KnoeServe.cli(noConfig, "online-endpoint", "list");
      assertEquals(1, refused.exit(), refused.err());
      assertTrue(
          refused.err().startsWith("knoe: error: cannot verify the TLS certificate of"),
          refused.err());
      assertTrue(refused.err().contains("--ca-file"), refused.err());
      assertFalse(refused.err().contains("\tat "), "no stack trace: " + refused.err());
      assertEquals(1, refused.err().strip().lines().count(), refused.err());
      assertTrue(
          ok(KnoeServe.cli(
                  noConfig,
                  "online-endpoint",
                  "list",
                  "--ca-file",
                  serve.certificate().toString(),
                  "-o",
                  "json"))
              .out()
              .contains("tls-demo"));

      // A regenerated key, and a token of an aml_token endpoint.
      ok(
          KnoeServe.cli(
              withConfig,
              "online-endpoint",
              "regenerate-keys",
              "-n",
              "tls-demo",
              "--key-type",
              "primary"));
      String regenerated =
          serve.ok("GET", "/api/v1/endpoints/tls-demo/keys", null).get("primaryKey").asText();
      secrets.put(regenerated, "the regenerated primary key");
      assertEquals(401, serve.score("tls-demo", primary, null, REQUEST).statusCode());
      assertEquals(200, serve.score("tls-demo", regenerated, null, REQUEST).statusCode());
      serve.ok(
          "POST", "/api/v1/endpoints", "{\"name\": \"tls-token\", \"auth_mode\": \"aml_token\"}");
      String token =
          serve.ok("POST", "/api/v1/endpoints/tls-token/token", null).get("accessToken").asText();
      secrets.put(token, "an aml_token");
      assertEquals(404, serve.score("tls-token", token, null, REQUEST).statusCode());
      assertEquals(401, serve.score("tls-token", token + "x", null, REQUEST).statusCode());
    }

    // Every log the test produced: knoe serve's output and the instances' logs.
    List<Path> logs =
        new ArrayList<>(List.of(data.resolveSibling(data.getFileName() + "-serve.log")));
    try (Stream<Path> files = Files.walk(data.resolve("logs"))) {
      files.filter(Files::isRegularFile).forEach(logs::add);
    }
    assertTrue(logs.size() > 1, "instance logs exist: " + logs);
    String banner = "Knoe admin key (shown once";
    for (Path log : logs) {
      String text = Files.readString(log);
      for (var secret : secrets.entrySet()) {
        String s = secret.getKey();
        int at = text.indexOf(s);
        if (at >= 0 && secret.getValue().equals("the admin key")) {
          // Printed once on the console at first start, on purpose; never again.
          assertTrue(
              text.lastIndexOf(banner, at) >= 0 && at - text.lastIndexOf(banner, at) < 400,
              "the admin key outside its first-start banner in " + log);
          at = text.indexOf(s, at + 1);
        }
        assertEquals(-1, at, secret.getValue() + " appears in " + log);
      }
    }
  }

  private static CliRun ok(CliRun run) {
    assertEquals(0, run.exit(), "knoe failed: " + run.err() + run.out());
    return run;
  }
}
