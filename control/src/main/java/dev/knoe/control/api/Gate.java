package dev.knoe.control.api;

import dev.knoe.control.credentials.ApiCredentials;
import dev.knoe.spi.RequestHeaders;
import dev.knoe.spi.RequestTarget;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The one place {@code knoe serve} decides who may reach what, in front of every route (the control
 * API, the endpoints' router, the metrics): registered first on the HTTP router, before any body is
 * read or route matched.
 *
 * <ol>
 *   <li>A target that is not canonical ({@link RequestTarget}) or ambiguous credential or
 *       deployment headers ({@link RequestHeaders}): refused, so no route is reached by a path the
 *       check below read differently: 401 if the request lacks the credential the path it names
 *       needs (judged as below, on the normalized path), else 400.
 *   <li>{@code /endpoints/<name>/...} and the gRPC service's paths: on to the router, which checks
 *       that endpoint's own key or token (its Authenticate step; each endpoint has its
 *       credentials).
 *   <li>The allow-list of unauthenticated paths, {@link #OPEN}: the web console's static files
 *       ({@link Console}; they hold no data: the console reads everything from the API with the
 *       admin key) and the redirects to them, for GET and HEAD only.
 *   <li>Everything else, a path added later included: the admin credential, or, for a model file
 *       download only, the model-reader token (a cluster's storage initializers). Otherwise 401.
 * </ol>
 */
@ApplicationScoped
public class Gate {

  private static final Logger LOG = Logger.getLogger(Gate.class);

  /**
   * Unauthenticated paths (GET and HEAD), exact. Nothing is open by default; a path added here is
   * open to anyone.
   */
  static final Set<String> OPEN = Set.of("/");

  /** Unauthenticated folders (GET and HEAD): the console's files, {@link Console#HOME}. */
  static final Set<String> OPEN_FOLDERS = Set.of(Console.HOME);

  /** The router's paths: each endpoint's credential is checked there. */
  static final String ENDPOINTS = "/endpoints/";

  /** The router's gRPC paths (the endpoint is named in a header), checked there likewise. */
  static final String GRPC = "/inference.GRPCInferenceService/";

  private static final Pattern MODEL_CONTENT =
      Pattern.compile("/api/v1/models/[^/]+/versions/[0-9]+/content");

  /** A model upload, the one API call whose body may be large (up to knoe.models.max-bytes). */
  private static final Pattern MODEL_UPLOAD = Pattern.compile("/api/v1/models/[^/]+/versions/?");

  @Inject ApiCredentials credentials;

  /** Largest body of any other API call (a spec, a key regeneration, a token request), in bytes. */
  @ConfigProperty(name = "knoe.api.max-spec-bytes")
  long maxSpecBytes;

  /** Largest model upload, in bytes. */
  @ConfigProperty(name = "knoe.models.max-bytes")
  long maxModelBytes;

  private BodyHandler specBody;

  /** Set on a request whose body the spec body handler reads, so its 413 is told apart. */
  private static final String SPEC_BODY = "knoe.spec-body";

  /** Before every other route (the API's, the router's, the metrics'), on every request. */
  void register(@Observes Router router) {
    specBody = BodyHandler.create(false).setBodyLimit(maxSpecBytes);
    router.route().order(Integer.MIN_VALUE).handler(this::handle);
    // The spec body handler's refusal (a chunked body that passed the limit), answered as ours.
    router
        .route()
        .order(Integer.MIN_VALUE)
        .failureHandler(
            ctx -> {
              if (ctx.statusCode() == 413 && ctx.get(SPEC_BODY) != null) {
                tooLarge(ctx, maxSpecBytes, "knoe.api.max-spec-bytes");
              } else {
                ctx.next();
              }
            });
  }

  /** Who must vouch for a request: decided on the path as the routes match it (normalized). */
  enum Access {
    OPEN,
    ENDPOINT_CREDENTIAL,
    ADMIN,
    ADMIN_OR_MODEL_READER
  }

  static Access access(HttpMethod method, String normalizedPath) {
    // The routes treat a trailing slash as the same path, so the decision does too.
    String path =
        normalizedPath.length() > 1 && normalizedPath.endsWith("/")
            ? normalizedPath.substring(0, normalizedPath.length() - 1)
            : normalizedPath;
    boolean read = method == HttpMethod.GET || method == HttpMethod.HEAD;
    if (read
        && (OPEN.contains(path)
            || OPEN_FOLDERS.stream().anyMatch(f -> (path + "/").startsWith(f)))) {
      return Access.OPEN;
    }
    if ((path.startsWith(ENDPOINTS) && path.length() > ENDPOINTS.length())
        || path.startsWith(GRPC)) {
      return Access.ENDPOINT_CREDENTIAL;
    }
    if (method == HttpMethod.GET && MODEL_CONTENT.matcher(path).matches()) {
      return Access.ADMIN_OR_MODEL_READER;
    }
    return Access.ADMIN;
  }

  /**
   * On every answer but the console's own files: the console's origin is this server's, so an
   * answer a browser would render (an instance's handler answering text/html, an error page) must
   * not run anything there, where the console keeps the admin key.
   */
  static final String NOT_A_PAGE = "default-src 'none'; sandbox";

  void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (!ctx.normalizedPath().startsWith(Console.HOME)) {
      ctx.response()
          .putHeader("Content-Security-Policy", NOT_A_PAGE)
          .putHeader("X-Content-Type-Options", "nosniff");
    }
    Optional<String> problem =
        RequestTarget.problem(request.uri(), request.getHeader(HttpHeaders.HOST))
            .or(() -> RequestHeaders.problem(name -> request.headers().getAll(name)));
    Access access = access(request.method(), ctx.normalizedPath());
    boolean letIn =
        access == Access.OPEN || access == Access.ENDPOINT_CREDENTIAL || vouched(request, access);
    if (problem.isPresent() && letIn) {
      refuse(ctx, 400, problem.get());
      return;
    }
    if (letIn) {
      limitBody(ctx, access);
      return;
    }
    // Without the credential the path needs the answer says only that, whatever else is wrong.
    ctx.response().putHeader("WWW-Authenticate", "Bearer");
    refuse(
        ctx,
        401,
        "the control API needs the admin credential: 'Authorization: Bearer <admin key>' "
            + "(printed by the first 'knoe serve', kept in <data dir>/admin-key and in the CLI config)");
  }

  /**
   * Bodies are limited here, in the gate, because it is the one handler every request passes before
   * any route reads a body; the HTTP server's own limit (quarkus.http.limits.max-body-size) is
   * sized for model uploads, so a 50 MB spec would otherwise be read whole before anything
   * answered. A body over its limit is refused at once by its Content-Length, and a chunked one as
   * soon as the count passes the limit (the spec body handler, which reads at most that much for
   * the resource; a model upload streams to the registry, which counts too). The router's paths are
   * the router's: it streams bodies to an instance, whose own limit (KNOE_MAX_BODY_BYTES) answers.
   */
  private void limitBody(RoutingContext ctx, Access access) {
    if (access == Access.ENDPOINT_CREDENTIAL) {
      ctx.next();
      return;
    }
    boolean upload =
        ctx.request().method() == HttpMethod.POST
            && MODEL_UPLOAD.matcher(ctx.normalizedPath()).matches();
    long limit = upload ? maxModelBytes : maxSpecBytes;
    String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    boolean chunked =
        "chunked".equalsIgnoreCase(ctx.request().getHeader(HttpHeaders.TRANSFER_ENCODING));
    if (length != null && declaredLength(length) > limit) {
      tooLarge(ctx, limit, upload ? "knoe.models.max-bytes" : "knoe.api.max-spec-bytes");
    } else if (upload || !chunked) {
      // A declared length within the limit is all the resource can read; no body, nothing to
      // count. Reading it here anyway broke the resources in the packaged server: RESTEasy
      // Reactive could no longer pause a request already read ("Request has already been read",
      // every request over an h2c-upgraded connection, as Java's HttpClient makes).
      ctx.next();
    } else {
      ctx.put(SPEC_BODY, Boolean.TRUE);
      specBody.handle(ctx);
    }
  }

  /** A Content-Length as a number; one that is not a number is the server's to refuse. */
  private static long declaredLength(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * 413 naming the limit, and the connection closed once the answer is written (an HTTP/2 stream
   * just ends; its connection carries others).
   */
  private static void tooLarge(RoutingContext ctx, long limit, String setting) {
    HttpServerRequest request = ctx.request();
    String message =
        "the request body is larger than the limit of " + limit + " bytes (" + setting + ")";
    LOG.infof("%s %s -> 413: %s", request.method(), ctx.normalizedPath(), message);
    boolean http1 = request.version() != HttpVersion.HTTP_2;
    if (http1) {
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
    ctx.response()
        .setStatusCode(413)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", message).encode())
        .onComplete(
            done -> {
              if (http1) {
                lingerThenClose(ctx);
              }
            });
  }

  /** How long the rest of a refused body is read and dropped before the connection closes. */
  private static final long LINGER_MS = 2000;

  /**
   * Reads and drops the rest of a refused body, then closes the connection: a client that writes
   * its whole body before it reads the answer (most do) would otherwise meet a reset while writing
   * and never see the 413. At most {@link #LINGER_MS}, so a client that keeps sending cannot hold
   * the connection.
   *
   * <p>The same as the scoring function's {@code ScoringRoutes.lingerThenClose}: keep the two
   * alike. They are twins, not one shared method, because the only module both servers share is
   * scoring-spi, the handlers' API, which takes no Vert.x.
   */
  private static void lingerThenClose(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    var connection = request.connection();
    if (request.isEnded()) {
      connection.close();
      return;
    }
    long timer = ctx.vertx().setTimer(LINGER_MS, t -> connection.close());
    request
        .handler(dropped -> {})
        .endHandler(
            end -> {
              ctx.vertx().cancelTimer(timer);
              connection.close();
            });
    request.resume();
  }

  private boolean vouched(HttpServerRequest request, Access access) {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    String credential = header.substring(7).trim();
    return credentials.isAdmin(credential)
        || (access == Access.ADMIN_OR_MODEL_READER && credentials.isModelReader(credential));
  }

  private static void refuse(RoutingContext ctx, int status, String message) {
    // As the router logs its refusals; the path is what the routes would read, never a header.
    LOG.infof("%s %s -> %d: %s", ctx.request().method(), ctx.normalizedPath(), status, message);
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", message).encode());
  }
}
