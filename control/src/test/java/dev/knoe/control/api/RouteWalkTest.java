package dev.knoe.control.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every route of {@code knoe serve} (the control API's resources, read from their JAX-RS
 * annotations, and the HTTP router's own routes: the endpoints' router, the metrics) × every kind
 * of credential × every way of writing its path. Nothing is open: an API path needs the admin key
 * (a model download also takes the model-reader token), an endpoint's path needs that endpoint's
 * key or token, and a path that is not canonical is refused with 400 whatever the credential.
 */
@QuarkusTest
@TestProfile(ControlApiTest.Api.class)
class RouteWalkTest {

  /** Names of resources that do not exist: an admin call on the walk changes nothing. */
  static final String ABSENT = "walk-absent";

  static final String KEY_ENDPOINT = "walk-key";
  static final String TOKEN_ENDPOINT = "walk-token";
  static final String OTHER_TOKEN_ENDPOINT = "walk-token-other";

  @Inject Router router;

  @TestHTTPResource("/")
  URI base;

  private final Map<String, String> credentials = new LinkedHashMap<>();

  @BeforeEach
  void endpoints() {
    for (String name : List.of(KEY_ENDPOINT, TOKEN_ENDPOINT, OTHER_TOKEN_ENDPOINT)) {
      ControlApiTest.admin()
          .contentType("application/json")
          .body(
              "{\"name\": \""
                  + name
                  + "\", \"auth_mode\": \""
                  + (name.equals(KEY_ENDPOINT) ? "key" : "aml_token")
                  + "\"}")
          .put("/api/v1/endpoints/" + name)
          .then()
          .statusCode(
              org.hamcrest.Matchers.anyOf(
                  org.hamcrest.Matchers.is(200), org.hamcrest.Matchers.is(201)));
    }
    credentials.put("no credential", null);
    credentials.put("a wrong key", "Bearer wrong-key");
    credentials.put("a Basic credential", "Basic Zm9vOmJhcg==");
    credentials.put("an alg=none token", "Bearer " + unsigned(TOKEN_ENDPOINT));
    credentials.put("the admin key", "Bearer " + ControlApiTest.ADMIN);
    credentials.put("the model-reader token", "Bearer " + ControlApiTest.READER);
    credentials.put(
        "walk-key's key",
        "Bearer "
            + ControlApiTest.admin()
                .get("/api/v1/endpoints/" + KEY_ENDPOINT + "/keys")
                .jsonPath()
                .getString("primaryKey"));
    credentials.put("walk-token's token", "Bearer " + token(TOKEN_ENDPOINT));
    credentials.put("another endpoint's token", "Bearer " + token(OTHER_TOKEN_ENDPOINT));
  }

  @Test
  void everyRouteIsClosedWhateverThePathLooksLike() throws Exception {
    List<String> failures = new ArrayList<>();
    int requests = 0;
    for (Request route : routes()) {
      for (Map.Entry<String, String> variant : variants(route.path()).entrySet()) {
        boolean canonical = !variant.getKey().startsWith("refused:");
        for (Map.Entry<String, String> credential : credentials.entrySet()) {
          int status = send(route.method(), variant.getValue(), credential.getValue());
          requests++;
          String sent = pathOf(route.path(), variant.getKey());
          String why = failure(route.method(), sent, canonical, credential.getKey(), status);
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
    assertTrue(failures.isEmpty(), failures.size() + " failures:\n" + String.join("\n", failures));
    assertTrue(requests > 1000, "walked " + requests + " requests");
  }

  @Test
  void twoAuthorizationHeadersOrTwoDeploymentsAre400() throws Exception {
    String admin = "Authorization: Bearer " + ControlApiTest.ADMIN + "\r\n";
    assertEquals(200, raw("GET", "/api/v1/endpoints", admin));
    assertEquals(400, raw("GET", "/api/v1/endpoints", admin + "Authorization: Bearer x\r\n"));
    String key = "Authorization: " + credentials.get("walk-key's key") + "\r\n";
    String score = "/endpoints/" + KEY_ENDPOINT + "/score";
    assertEquals(404, raw("POST", score, key + "azureml-model-deployment: blue\r\n"));
    assertEquals(
        400,
        raw("POST", score, key + "azureml-model-deployment: blue\r\nknoe-deployment: green\r\n"));
    assertEquals(
        400,
        raw(
            "POST",
            score,
            key + "azureml-model-deployment: blue\r\nazureml-model-deployment: g\r\n"));
  }

  /** Null when the status is what this path and credential should get, else why not. */
  private static String failure(
      String method, String path, boolean canonical, String credential, int status) {
    if (!canonical) {
      // 401 when it lacks the credential the path it names would need, else 400.
      return status == 400 || status == 401
          ? null
          : "a path that is not canonical must be refused (400 or 401)";
    }
    if (status >= 500) {
      return "never a 5xx";
    }
    if (vouches(method, path, credential)) {
      return status == 401 ? "this credential must be let in on this path" : null;
    }
    return Set.of(400, 401, 404).contains(status) ? null : "must be refused (401, 400 or 404)";
  }

  /** Who may call what, stated here from the README, not read from the server. */
  private static boolean vouches(String method, String path, String credential) {
    Matcher endpoint = Pattern.compile("/endpoints/([^/]+)(/.*)?").matcher(path);
    if (endpoint.matches()) {
      return switch (endpoint.group(1)) {
        case KEY_ENDPOINT -> credential.equals("walk-key's key");
        case TOKEN_ENDPOINT -> credential.equals("walk-token's token");
        default -> false;
      };
    }
    // The console's static files and the redirects to them hold no data: open to reads.
    if ((method.equals("GET") || method.equals("HEAD"))
        && (path.equals("/") || path.matches("/console(/.*)?"))) {
      return true;
    }
    boolean download =
        method.equals("GET") && path.matches("/api/v1/models/[^/]+/versions/[^/]+/content/?");
    return credential.equals("the admin key")
        || (download && credential.equals("the model-reader token"));
  }

  private static String pathOf(String canonical, String variant) {
    return switch (variant) {
      case "trailing slash" -> canonical + "/";
      case "upper case" -> canonical.toUpperCase();
      default -> canonical;
    };
  }

  record Request(String method, String path) {}

  /**
   * The API's resources (every JAX-RS resource class of the control module and its methods) and the
   * HTTP router's routes that have a path, with their parameters filled in.
   */
  private List<Request> routes() {
    Set<String> seen = new TreeSet<>();
    List<Request> out = new ArrayList<>();
    for (JavaClass c : new ClassFileImporter().importPackages("dev.knoe.control")) {
      if (!c.isAnnotatedWith(jakarta.ws.rs.Path.class)) {
        continue;
      }
      Class<?> type = c.reflect();
      String root = type.getAnnotation(jakarta.ws.rs.Path.class).value();
      for (Method m : type.getMethods()) {
        String verb = verb(m);
        if (verb == null) {
          continue;
        }
        jakarta.ws.rs.Path sub = m.getAnnotation(jakarta.ws.rs.Path.class);
        String path = sub == null ? root : root + "/" + sub.value();
        add(out, seen, verb, fill(path.replaceAll("/+", "/")));
      }
    }
    for (Route route : router.getRoutes()) {
      if (route.getPath() == null) {
        continue; // the gate and other order-only handlers: walked with every path
      }
      Set<HttpMethod> methods = route.methods();
      for (HttpMethod m :
          methods == null || methods.isEmpty()
              ? Set.of(HttpMethod.GET, HttpMethod.POST)
              : methods) {
        // A prefix route ("/endpoints/:endpoint/*" reads as ".../") is walked with a path under it.
        String path = route.getPath();
        path = path.length() > 1 && path.endsWith("/") ? path + "score" : path;
        for (String e : List.of(KEY_ENDPOINT, TOKEN_ENDPOINT)) {
          add(out, seen, m.name(), path.replace(":endpoint", e));
        }
      }
    }
    add(out, seen, "GET", "/console/app.js"); // a file of the console, under its prefix route
    assertTrue(seen.contains("GET /console"), "the walk reads the console's routes: " + seen);
    assertTrue(seen.contains("POST /api/v1/endpoints"), "the walk reads the API: " + seen);
    assertTrue(
        seen.contains("POST /endpoints/walk-key/score"), "the walk reads the router: " + seen);
    assertTrue(seen.contains("GET /metrics"), "the walk reads the router: " + seen);
    return out;
  }

  private static void add(List<Request> out, Set<String> seen, String method, String path) {
    if (seen.add(method + " " + path)) {
      out.add(new Request(method, path));
    }
  }

  private static String verb(Method m) {
    for (var a : m.getAnnotations()) {
      jakarta.ws.rs.HttpMethod http =
          a.annotationType().getAnnotation(jakarta.ws.rs.HttpMethod.class);
      if (http != null) {
        return http.value();
      }
    }
    return null;
  }

  /** {@code {version}} becomes 1, every other parameter a name that does not exist. */
  private static String fill(String template) {
    return template.replaceAll("\\{version[^}]*}", "1").replaceAll("\\{[^}]+}", ABSENT);
  }

  /** The ways of writing a path: those the routes judge, and those refused before any route. */
  private Map<String, String> variants(String p) {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("canonical", p);
    v.put("trailing slash", p + "/");
    v.put("upper case", p.toUpperCase());
    v.put("absolute form", "http://localhost:" + base.getPort() + p);
    v.put("refused: dot-dot", "/endpoints/" + KEY_ENDPOINT + "/../.." + p);
    v.put("refused: dot-dot under a route", p + "/../" + p.substring(p.lastIndexOf('/') + 1));
    v.put("refused: encoded dot-dot", "/metrics/%2e%2e" + p);
    v.put("refused: encoded slash", "/endpoints/" + KEY_ENDPOINT + "%2f..%2f.." + p);
    v.put("refused: double slash", "/" + p);
    v.put("refused: dot", "/." + p);
    v.put("refused: another host", "http://evil.example" + p);
    return v;
  }

  private static String token(String endpoint) {
    return JsonPath.from(
            ControlApiTest.admin()
                .post("/api/v1/endpoints/" + endpoint + "/token")
                .then()
                .statusCode(200)
                .extract()
                .asString())
        .getString("accessToken");
  }

  /** A token with {@code alg: none} and no signature, which must never be accepted. */
  private static String unsigned(String audience) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes())
        + "."
        + b64.encodeToString(
            ("{\"sub\":\"x\",\"aud\":\"" + audience + "\",\"exp\":4102444800}").getBytes())
        + ".";
  }

  private int send(String method, String target, String authorization) throws Exception {
    return raw(
        method, target, authorization == null ? "" : "Authorization: " + authorization + "\r\n");
  }

  /**
   * One HTTP/1.1 request written by hand, the target exactly as given (HTTP clients resolve dot
   * segments before sending); its status.
   */
  private int raw(String method, String target, String headers) throws Exception {
    byte[] body = method.equals("GET") || method.equals("DELETE") ? new byte[0] : "{}".getBytes();
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(20_000);
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
      return Integer.parseInt(line.toString(StandardCharsets.ISO_8859_1).split(" ")[1]);
    }
  }
}
