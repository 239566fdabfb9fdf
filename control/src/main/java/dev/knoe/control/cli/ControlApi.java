package dev.knoe.control.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.knoe.control.cli.ServerLocator.Server;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The control API over HTTP: every call carries the admin key; an answer outside 2xx becomes a
 * {@link CliException} holding the server's message ({@code {"error": "..."}}); a server that
 * cannot be reached becomes one line saying so.
 */
final class ControlApi {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final Server server;
  private final HttpClient http;

  ControlApi(Server server) {
    this.server = server;
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT);
    if (server.caCerts() != null) {
      b.sslContext(trusting(server.caCerts(), server.caSource()));
    }
    // The host name is checked against the certificate by HttpClient itself (HTTPS endpoint
    // identification), whatever the trust.
    this.http = b.build();
  }

  /** A TLS context that trusts these PEM certificates, and nothing else. */
  static SSLContext trusting(String pem, String source) {
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int n = 0;
      for (Certificate c :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(
                  new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        trust.setCertificateEntry("ca-" + n++, c);
      }
      if (n == 0) {
        throw CliException.failed(source + " holds no PEM certificate");
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      return ssl;
    } catch (CertificateException e) {
      throw CliException.failed(source + " is not a PEM certificate: " + e.getMessage(), e);
    } catch (GeneralSecurityException | IOException e) {
      throw CliException.failed("cannot trust " + source + ": " + e.getMessage(), e);
    }
  }

  /** An answer: status, headers and body. */
  record Reply(int status, HttpHeaders headers, byte[] body) {

    JsonNode json() {
      try {
        return Json.parse(body);
      } catch (IOException e) {
        throw CliException.failed(
            "the server answered " + status + " with a body that is not JSON: " + oneLine(text()),
            e);
      }
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /** The ETag to send back as {@code If-Match}, or null. */
    String etag() {
      return headers.firstValue("ETag").orElse(null);
    }

    boolean ok() {
      return status / 100 == 2;
    }

    /** The server's {@code error} message, else the body's first line, else the status. */
    String errorMessage() {
      try {
        JsonNode node = Json.parse(body);
        String error = Json.text(node, "error");
        if (error == null) {
          error = Json.text(node, "message");
        }
        if (error != null) {
          return oneLine(error);
        }
      } catch (IOException | RuntimeException e) {
        // not JSON: the text below
      }
      String text = oneLine(text());
      return text.isEmpty() ? "no message" : text;
    }
  }

  Server server() {
    return server;
  }

  /** {@code /api/v1/...} path segments, each percent-encoded. */
  static String path(String... segments) {
    var sb = new StringBuilder("/api/v1");
    for (String s : segments) {
      sb.append('/').append(URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return sb.toString();
  }

  /** GET, expecting 2xx. */
  Reply get(String path) {
    return expect(send(request(path).GET()), null);
  }

  /** GET, answered whatever its status (a 404 that means "none yet"). */
  Reply tryGet(String path) {
    return send(request(path).GET());
  }

  JsonNode getJson(String path) {
    return get(path).json();
  }

  String getText(String path) {
    return get(path).text();
  }

  /** POST a JSON body (or none when null), expecting 2xx. */
  Reply post(String path, Object body) {
    return expect(send(withJson(request(path), "POST", body)), null);
  }

  /**
   * PUT a JSON body with {@code If-Match} when {@code etag} is set, expecting 2xx; a 412 says that
   * {@code what} changed since it was read.
   */
  Reply put(String path, Object body, String etag, String what) {
    HttpRequest.Builder b = withJson(request(path), "PUT", body);
    if (etag != null) {
      b.header("If-Match", etag);
    }
    return expect(send(b), what);
  }

  void delete(String path) {
    expect(send(request(path).DELETE()), null);
  }

  /** POST raw bytes ({@code application/octet-stream}), expecting 2xx. */
  Reply upload(String path, BodyPublisher body) {
    return expect(
        send(request(path).header("Content-Type", "application/octet-stream").POST(body)), null);
  }

  /**
   * A request to a data-plane URI (not the control API), answered whatever its status; the caller
   * decides what a failure means.
   */
  Reply call(HttpRequest.Builder request, String target) {
    return send(request, target);
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(server.url() + path))
        .header("Authorization", "Bearer " + server.adminKey())
        .header("Accept", "application/json, text/plain");
  }

  private static HttpRequest.Builder withJson(HttpRequest.Builder b, String method, Object body) {
    if (body == null) {
      return b.method(method, BodyPublishers.noBody());
    }
    return b.header("Content-Type", "application/json")
        .method(method, BodyPublishers.ofByteArray(Json.bytes(body)));
  }

  private Reply send(HttpRequest.Builder request) {
    return send(request, "the Knoe control API at " + server.url());
  }

  private Reply send(HttpRequest.Builder request, String target) {
    try {
      var response = http.send(request.build(), BodyHandlers.ofByteArray());
      return new Reply(response.statusCode(), response.headers(), response.body());
    } catch (ConnectException | HttpConnectTimeoutException e) {
      throw CliException.failed("cannot reach " + target + ": is 'knoe serve' running?", e);
    } catch (SSLHandshakeException e) {
      throw CliException.failed(handshakeFailure(target, e), e);
    } catch (IOException e) {
      throw CliException.failed("cannot talk to " + target + ": " + describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliException.failed("interrupted", e);
    }
  }

  /**
   * Why the server was not trusted, in one line: an unknown issuer or a certificate that does not
   * name the host, and what to pass.
   */
  private String handshakeFailure(String target, SSLHandshakeException e) {
    Throwable root = e;
    boolean untrusted = false;
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      root = t;
      untrusted |=
          t instanceof CertPathValidatorException
              || t instanceof CertPathBuilderException
              || String.valueOf(t.getMessage()).startsWith("PKIX");
    }
    String why = root.getMessage() != null ? root.getMessage() : root.toString();
    String trusted =
        server.caSource() != null ? "the certificates of " + server.caSource() : "the JDK's CAs";
    if (untrusted) {
      return "cannot verify the TLS certificate of "
          + target
          + ": it is not signed by "
          + trusted
          + " ("
          + why
          + "); pass --ca-file FILE (or KNOE_CA_FILE) with the server's CA or its"
          + " self-signed certificate, <data>/tls/cert.pem";
    }
    if (why.contains("subject alternative name") || why.contains("No name matching")) {
      return "the TLS certificate of " + target + " does not name its host: " + why;
    }
    return "the TLS handshake with " + target + " failed: " + why;
  }

  private static Reply expect(Reply reply, String what) {
    if (reply.ok()) {
      return reply;
    }
    if (reply.status() == 412 && what != null) {
      throw CliException.failed(
          what
              + " was changed by someone else since it was read; nothing was changed, run the"
              + " command again");
    }
    throw CliException.failed(reply.errorMessage() + " (HTTP " + reply.status() + ")");
  }

  static String oneLine(String text) {
    String t = text.strip().replaceAll("\\s*\\R\\s*", " ");
    return t.length() > 300 ? t.substring(0, 300) + "..." : t;
  }

  private static String describe(IOException e) {
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  /** Query parameters, encoded. */
  static String query(Map<String, String> params) {
    var sb = new StringBuilder();
    params.forEach(
        (k, v) -> {
          if (v != null) {
            sb.append(sb.length() == 0 ? '?' : '&')
                .append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
          }
        });
    return sb.toString();
  }
}
