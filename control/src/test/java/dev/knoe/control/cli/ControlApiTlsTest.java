package dev.knoe.control.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.knoe.control.cli.ServerLocator.Server;
import dev.knoe.control.credentials.ServerCertificate;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI against a real HTTPS server whose certificate names 127.0.0.1 only: trusted when given
 * that certificate, refused with a sentence (never a stack trace, never "trust anything")
 * otherwise.
 */
class ControlApiTlsTest {

  @TempDir static Path dir;

  static HttpsServer server;
  static String serverPem;
  static String otherPem;

  @BeforeAll
  static void start() throws Exception {
    ServerCertificate.Pair pair =
        ServerCertificate.selfSigned(dir.resolve("server"), Set.of("127.0.0.1"), Instant.now());
    serverPem = Files.readString(pair.cert());
    otherPem =
        Files.readString(
            ServerCertificate.selfSigned(dir.resolve("other"), Set.of("127.0.0.1"), Instant.now())
                .cert());

    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    String key = Files.readString(pair.key()).replaceAll("-----[A-Z ]+-----", "");
    ks.setKeyEntry(
        "server",
        KeyFactory.getInstance("RSA")
            .generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(key.trim()))),
        new char[0],
        ServerCertificate.read(pair.cert()).toArray(Certificate[]::new));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf.getKeyManagers(), null, null);

    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(ssl));
    server.createContext(
        "/",
        x -> {
          byte[] body = "{\"ok\": true}".getBytes(StandardCharsets.UTF_8);
          x.sendResponseHeaders(200, body.length);
          x.getResponseBody().write(body);
          x.close();
        });
    server.start();
  }

  @AfterAll
  static void stop() {
    server.stop(0);
  }

  private static ControlApi client(String host, String pem, String source) {
    URI url = URI.create("https://" + host + ":" + server.getAddress().getPort());
    return new ControlApi(new Server(url, "k", pem, source));
  }

  @Test
  void trustsTheServersOwnCertificate() {
    assertTrue(
        client("127.0.0.1", serverPem, "--ca-file s.pem")
            .getJson("/api/v1/platform")
            .get("ok")
            .asBoolean());
  }

  @Test
  void withoutItsCaTheJdksCasRefuseItAndTheMessageSaysWhatToPass() {
    var e =
        assertThrows(
            CliException.class, () -> client("127.0.0.1", null, null).get("/api/v1/platform"));
    assertEquals(CliException.FAILED, e.exitCode());
    assertTrue(
        e.getMessage().startsWith("cannot verify the TLS certificate of the Knoe control API at"),
        e.getMessage());
    assertTrue(e.getMessage().contains("not signed by the JDK's CAs"), e.getMessage());
    assertTrue(e.getMessage().contains("pass --ca-file FILE"), e.getMessage());
  }

  @Test
  void anotherCertificateIsNotTrusted() {
    var e =
        assertThrows(
            CliException.class,
            () -> client("127.0.0.1", otherPem, "--ca-file other.pem").get("/api/v1/platform"));
    assertTrue(
        e.getMessage().contains("not signed by the certificates of --ca-file other.pem"),
        e.getMessage());
  }

  @Test
  void theHostNameIsVerified() {
    var e =
        assertThrows(
            CliException.class,
            () -> client("localhost", serverPem, "--ca-file s.pem").get("/api/v1/platform"));
    assertTrue(e.getMessage().contains("does not name its host"), e.getMessage());
  }

  @Test
  void aFileWithoutCertificatesIsNamed() {
    var e = assertThrows(CliException.class, () -> client("127.0.0.1", "hello", "--ca-file x.pem"));
    assertTrue(e.getMessage().startsWith("--ca-file x.pem "), e.getMessage());
  }
}
