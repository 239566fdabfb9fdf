package dev.knoe.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.scoring.grpc.v2.GRPCInferenceServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every route of the scoring function, read from its own router (so a route added later is walked
 * too), × every kind of credential × every way of writing its path. Only the health routes are
 * open; everything else answers 401 (or 400, 404) without the credential, and a path that is not
 * canonical is refused with 400 whatever the credential. The gRPC service's methods likewise, read
 * from its descriptor.
 */
@QuarkusTest
@TestProfile(RouteWalkTest.Required.class)
class RouteWalkTest {

  /** The attack of issue 17, exactly: {@code curl --path-as-is} with no credential. */
  @Test
  void theDotDotAttackIs401() throws Exception {
    assertEquals(401, raw("POST", "/v2/health/../../score", ""));
    assertEquals(401, raw("POST", "/v2/health/%2e%2e/%2e%2e/score", ""));
    assertEquals(401, raw("POST", "http://localhost:1/v2/health/../../score", ""));
    assertEquals(
        400, raw("POST", "/v2/health/../../score", "Authorization: Bearer " + KEY + "\r\n"));
  }

  static final Path DIR = Path.of("target/route-walk").toAbsolutePath();
  static final String KEY = "walk-key-1";
  static final String AUDIENCE = "walk-endpoint";

  /** What the issue allows without a credential: health and readiness, and only those. */
  static final Set<String> OPEN = Set.of("/v2/health/live", "/v2/health/ready");

  public static class Required implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      try {
        Files.createDirectories(DIR);
        Files.writeString(DIR.resolve("keys"), KEY + "\n");
        AuthTest.writeKeyPair(DIR.resolve("token.pub"), DIR.resolve("token.key"));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return Map.of(
          "knoe.model-dir", TestModels.sample("model-1").toString(),
          "knoe.auth", "required",
          "knoe.keys-file", DIR.resolve("keys").toString(),
          "knoe.jwt-public-key-file", DIR.resolve("token.pub").toString(),
          "knoe.endpoint-name", AUDIENCE);
    }
  }

  @Inject Router router;

  @TestHTTPResource("/")
  URI base;

  @Test
  void everyRouteIsClosedButHealthWhateverThePathLooksLike() throws Exception {
    Map<String, String> credentials = credentials();
    List<String> failures = new ArrayList<>();
    int requests = 0;
    for (Request route : routes()) {
      for (Map.Entry<String, String> variant : variants(route.path()).entrySet()) {
        boolean canonical = !variant.getKey().startsWith("refused:");
        for (Map.Entry<String, String> credential : credentials.entrySet()) {
          int status = send(route.method(), variant.getValue(), credential.getValue());
          requests++;
          String why = expectationFailure(route, variant.getKey(), canonical, credential, status);
          if (why != null) {
            failures.add(
                route.method()
                    + " "
                    + variant.getValue()
                    + " with "
                    + credential.getKey()
                    + " -> "
                    + status
                    + ": "
                    + why);
          }
        }
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
    assertTrue(requests > 300, "walked " + requests + " requests");
  }

  @Test
  void twoAuthorizationHeadersOrTwoDeploymentsAre400() throws Exception {
    String twice = "Authorization: Bearer " + KEY + "\r\nAuthorization: Bearer wrong-key\r\n";
    assertEquals(400, raw("POST", "/score", twice));
    assertEquals(400, raw("GET", "/v2/health/live", twice));
    String disagreeing =
        "Authorization: Bearer "
            + KEY
            + "\r\nazureml-model-deployment: blue\r\nknoe-deployment: green\r\n";
    assertEquals(400, raw("POST", "/score", disagreeing));
    String agreeing =
        "Authorization: Bearer "
            + KEY
            + "\r\nazureml-model-deployment: blue\r\nknoe-deployment: blue\r\n";
    assertEquals(200, raw("POST", "/score", agreeing));
  }

  @Test
  void everyGrpcMethodButHealthNeedsTheCredential() throws Exception {
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress(base.getHost(), base.getPort()).usePlaintext().build();
    try {
      List<String> failures = new ArrayList<>();
      for (var method : GRPCInferenceServiceGrpc.getServiceDescriptor().getMethods()) {
        boolean open = Set.of("ServerLive", "ServerReady").contains(method.getBareMethodName());
        for (Map.Entry<String, String> credential : credentials().entrySet()) {
          Status.Code code = call(channel, method, credential.getValue());
          boolean valid =
              credential.getKey().equals("valid key") || credential.getKey().equals("valid token");
          boolean refused = code == Status.Code.UNAUTHENTICATED;
          if (refused == (open || valid)) {
            failures.add(
                method.getBareMethodName() + " with " + credential.getKey() + " -> " + code);
          }
        }
      }
      assertTrue(failures.isEmpty(), String.join("\n", failures));
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Null when the status is what this route, path and credential should get, else why not. */
  private static String expectationFailure(
      Request route,
      String variant,
      boolean canonical,
      Map.Entry<String, String> credential,
      int status) {
    if (!canonical) {
      // 401 when it lacks the credential the path it names would need, else 400.
      return status == 400 || status == 401
          ? null
          : "a path that is not canonical must be refused (400 or 401)";
    }
    if (status >= 500) {
      return "never a 5xx";
    }
    boolean valid = credential.getKey().startsWith("valid");
    boolean open = OPEN.contains(stripSlash(pathOf(route.path(), variant)));
    boolean events = route.path().startsWith("/events");
    if (open || (valid && !events)) {
      return status == 401 ? "this credential on this path must be let in" : null;
    }
    return Set.of(400, 401, 404).contains(status) ? null : "must be refused (401, 400 or 404)";
  }

  private static String pathOf(String canonical, String variant) {
    return switch (variant) {
      case "trailing slash" -> canonical + "/";
      case "upper case" -> canonical.toUpperCase();
      default -> canonical;
    };
  }

  private static String stripSlash(String p) {
    return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  record Request(String method, String path) {}

  /** The router's routes that have a path, with their parameters filled in. */
  private List<Request> routes() {
    Set<String> seen = new TreeSet<>();
    List<Request> out = new ArrayList<>();
    for (Route route : router.getRoutes()) {
      String path = route.getPath();
      if (path == null) {
        continue; // order-only handlers (the guard, the common handler), walked with every path
      }
      String filled =
          path.replace(":model", "model-1")
              .replace(":version", "1")
              .replace(":token", "not-the-token")
              .replaceAll("\\*$", "x");
      Set<HttpMethod> methods = route.methods();
      for (HttpMethod m :
          methods == null || methods.isEmpty() ? Set.of(HttpMethod.POST) : methods) {
        if (seen.add(m.name() + " " + filled)) {
          out.add(new Request(m.name(), filled));
        }
      }
    }
    assertTrue(seen.contains("POST /score"), "the walk reads the routes: " + seen);
    assertTrue(seen.contains("GET /v2/health/live"), "the walk reads the routes: " + seen);
    return out;
  }

  /** The ways of writing a path: those the routes judge, and those refused before any route. */
  private Map<String, String> variants(String p) {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("canonical", p);
    if (!p.equals("/")) {
      v.put("trailing slash", p + "/");
    }
    if (!p.toUpperCase().equals(p)) {
      v.put("upper case", p.toUpperCase());
    }
    v.put("absolute form", "http://localhost:" + base.getPort() + p);
    v.put("refused: dot-dot", "/v2/health/../.." + p);
    v.put("refused: dot-dot under a route", p + (p.endsWith("/") ? "" : "/") + "../" + last(p));
    v.put("refused: encoded dot-dot", "/v2/health/%2e%2e/%2E%2E" + p);
    v.put("refused: encoded slash", "/v2/health/live%2f..%2f.." + p);
    v.put("refused: double slash", "/" + p);
    v.put("refused: dot", "/." + p);
    v.put("refused: another host", "http://evil.example" + p);
    return v;
  }

  private static String last(String p) {
    return p.substring(p.lastIndexOf('/') + 1);
  }

  /** Every kind of credential, by what it is; the value is the whole Authorization header. */
  private static Map<String, String> credentials() throws Exception {
    String far = "2100-01-01T00:00:00Z";
    Map<String, String> c = new LinkedHashMap<>();
    c.put("no credential", null);
    c.put("a wrong key", "Bearer wrong-key");
    c.put("a Basic credential", "Basic Zm9vOmJhcg==");
    c.put("an expired token", "Bearer " + token(AUDIENCE, Instant.now().minusSeconds(60)));
    c.put("a token for another audience", "Bearer " + token("other", Instant.parse(far)));
    c.put("an alg=none token", "Bearer " + unsigned());
    c.put("valid key", "Bearer " + KEY);
    c.put("valid token", "Bearer " + token(AUDIENCE, Instant.parse(far)));
    return c;
  }

  private static String token(String audience, Instant expiry) throws Exception {
    var key =
        io.smallrye.jwt.util.KeyUtils.decodePrivateKey(Files.readString(DIR.resolve("token.key")));
    return io.smallrye.jwt.build.Jwt.subject("walker")
        .audience(audience)
        .issuedAt(Instant.now().minusSeconds(600))
        .expiresAt(expiry)
        .jws()
        .algorithm(io.smallrye.jwt.algorithm.SignatureAlgorithm.RS256)
        .sign(key);
  }

  /** A token with {@code alg: none} and no signature, which must never be accepted. */
  private static String unsigned() {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes());
    String claims =
        b64.encodeToString(
            ("{\"sub\":\"x\",\"aud\":\"" + AUDIENCE + "\",\"exp\":4102444800}").getBytes());
    return header + "." + claims + ".";
  }

  private int send(String method, String target, String authorization) throws Exception {
    String headers = authorization == null ? "" : "Authorization: " + authorization + "\r\n";
    return raw(method, target, headers);
  }

  /**
   * One HTTP/1.1 request written by hand, the target exactly as given (HTTP clients resolve dot
   * segments before sending); its status.
   */
  private int raw(String method, String target, String headers) throws Exception {
    byte[] body =
        method.equals("GET")
            ? new byte[0]
            : ScoreEndpointTest.SAMPLE.getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          (method
                  + " "
                  + target
                  + " HTTP/1.1\r\nHost: localhost:"
                  + base.getPort()
                  + "\r\n"
                  + headers
                  + "Content-Type: application/json\r\nContent-Length: "
                  + body.length
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
        line.write(b);
      }
      String status = line.toString(StandardCharsets.ISO_8859_1);
      return Integer.parseInt(status.split(" ")[1]);
    }
  }

  /** Calls a method with an empty request message (enough to reach the credential check). */
  private static Status.Code call(
      ManagedChannel channel, io.grpc.MethodDescriptor<?, ?> method, String authorization) {
    @SuppressWarnings("unchecked")
    MethodDescriptor<Object, Object> m = (MethodDescriptor<Object, Object>) method;
    Metadata headers = new Metadata();
    if (authorization != null) {
      headers.put(
          Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
    }
    ClientCall<Object, Object> call =
        io.grpc.ClientInterceptors.intercept(
                channel, io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers))
            .newCall(m, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS));
    try {
      ClientCalls.blockingUnaryCall(call, emptyRequest(m));
      return Status.Code.OK;
    } catch (io.grpc.StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  /** The default instance of the method's request type, parsed from no bytes. */
  private static Object emptyRequest(MethodDescriptor<Object, Object> m) {
    return m.getRequestMarshaller().parse(new java.io.ByteArrayInputStream(new byte[0]));
  }
}
