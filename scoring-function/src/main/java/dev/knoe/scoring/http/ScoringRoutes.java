package dev.knoe.scoring.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.knoe.scoring.Metrics;
import dev.knoe.scoring.ScoringException;
import dev.knoe.scoring.ScoringService;
import dev.knoe.scoring.auth.Authenticator;
import dev.knoe.scoring.auth.Credentials;
import dev.knoe.scoring.auth.EventsToken;
import dev.knoe.scoring.codec.BinaryData;
import dev.knoe.scoring.codec.V2Codec;
import dev.knoe.scoring.config.ScoringConfig;
import dev.knoe.scoring.events.EventCheck;
import dev.knoe.scoring.events.ScoreEvents;
import dev.knoe.scoring.grpc.HttpPort;
import dev.knoe.scoring.model.Signature;
import dev.knoe.scoring.model.TensorSpec;
import dev.knoe.scoring.openapi.OpenApi;
import dev.knoe.spi.RequestHeaders;
import dev.knoe.spi.RequestTarget;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The data plane's HTTP surface on Vert.x routes (no JAX-RS on the hot path). Bodies are parsed on
 * the event loop, which is cheap and bounded by the body limit; model runs happen elsewhere and the
 * answer is written back on the request's event loop.
 */
@ApplicationScoped
public class ScoringRoutes {

  private static final Logger LOG = Logger.getLogger(ScoringRoutes.class);
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  static final String REQUEST_ID = "x-request-id";
  static final String START = "knoe.start";

  /**
   * Set on a request whose events token was accepted, for the pass through the router after the
   * reroute to {@code /}.
   */
  private static final String EVENTS_ACCEPTED = "knoe.events-accepted";

  /**
   * Why an events request was refused, decided before the body was read and answered once the
   * common handler ran.
   */
  private static final String EVENTS_REFUSAL = "knoe.events-refusal";

  @Inject ScoringService service;
  @Inject ScoringConfig config;
  @Inject Metrics metrics;
  @Inject ObjectMapper mapper;
  @Inject io.vertx.core.Vertx vertx;
  @Inject Credentials credentials;

  private Authenticator authenticator;
  private EventsToken eventsToken;
  private dev.knoe.scoring.mirror.Mirror mirror;

  void routes(@Observes Router router) {
    authenticator = credentials.authenticator().orElse(null);
    eventsToken =
        config
            .eventsTokenFile()
            .map(f -> new EventsToken(Path.of(f), System::nanoTime))
            .orElse(null);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.maxBodyBytes());
    mirror =
        config
            .mirrorFile()
            .map(
                f ->
                    new dev.knoe.scoring.mirror.Mirror(
                        Path.of(f), config.deploymentName().orElse(null), vertx))
            .orElse(null);

    // First of all, before any body is read or route matched: a target that is not canonical or
    // ambiguous headers never reach a route (so no route can be reached by a path the credential
    // check read differently).
    router.route().order(Integer.MIN_VALUE).handler(this::guard);
    router.route().order(-100).handler(this::common);
    // A Knative Broker sends no Authorization header: the token in the path is the credential, and
    // an accepted request is rerouted to / (Funqy Knative Events), keeping its method, headers and
    // body.
    // The token is checked first of all, before Quarkus' body handler (Integer.MIN_VALUE + 1) reads
    // the body: that handler resumes the request on every pass, which fails on an HTTP/2 stream
    // whose
    // body was read in a pass before a reroute. A refusal is answered after the common handler.
    for (String path : List.of("/events", "/events/:token")) {
      router.route(path).order(Integer.MIN_VALUE).handler(this::checkEventsToken);
      router.route(path).order(-99).handler(this::refuseEvents);
    }
    // CloudEvents (Funqy Knative Events owns POST /, and /events/<token> is rerouted there): an
    // event the HTTP binding would not accept, or whose data is no scoring request, is a 400 here,
    // after the credential check and before Funqy reads it.
    router.post("/").order(-98).handler(body).handler(this::checkEvent);
    router.get("/v2/health/live").handler(ctx -> json(ctx, 200, "{\"live\":true}"));
    router
        .get("/v2/health/ready")
        .handler(
            ctx -> json(ctx, service.ready() ? 200 : 503, "{\"ready\":" + service.ready() + "}"));
    router
        .get("/v2")
        .handler(
            ctx ->
                json(
                    ctx,
                    200,
                    "{\"name\":\"knoe-scoring-function\",\"version\":\"0.1.0\","
                        + "\"extensions\":[\"binary_tensor_data\"]}"));
    router.get("/v2/models/:model").handler(ctx -> withModel(ctx, m -> metadata()));
    router
        .get("/v2/models/:model/versions/:version")
        .handler(ctx -> withModel(ctx, m -> metadata()));
    for (String path :
        List.of("/v2/models/:model/ready", "/v2/models/:model/versions/:version/ready")) {
      router
          .get(path)
          .handler(
              ctx ->
                  withModel(
                      ctx, m -> "{\"name\":\"" + m + "\",\"ready\":" + service.ready() + "}"));
    }
    router
        .post("/score")
        .handler(body)
        .handler(
            ctx -> {
              copy(ctx);
              answer(
                  ctx,
                  "score",
                  service.score(
                      bytes(ctx),
                      ctx.request().getHeader(HttpHeaders.CONTENT_TYPE),
                      headers(ctx.request())));
            });
    for (String path :
        List.of("/v2/models/:model/infer", "/v2/models/:model/versions/:version/infer")) {
      router
          .post(path)
          .handler(body)
          .handler(
              ctx -> {
                model(ctx);
                answerV2(ctx, service.infer(v2Body(ctx)));
              });
    }
    for (String path : List.of("/openapi.json", "/swagger.json")) {
      router.get(path).handler(ctx -> json(ctx, 200, openApi()));
    }
    router.route().order(-100).failureHandler(this::failure);
  }

  /**
   * Refuses a request whose target is not canonical ({@link RequestTarget}: dot segments, encoded
   * dots or slashes, another host) or whose credential or deployment headers are ambiguous ({@link
   * RequestHeaders}): 401 when it lacks the credential the path it names would need (so {@code
   * /v2/health/../../score} without a key is 401, as {@code /score} is), else 400. A gRPC call's
   * headers are judged by {@link dev.knoe.scoring.grpc.Gate}, which answers with a gRPC status.
   */
  private void guard(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    Optional<String> problem =
        RequestTarget.problem(request.uri(), request.getHeader(HttpHeaders.HOST));
    if (problem.isEmpty() && !HttpPort.grpc(ctx)) {
      problem = RequestHeaders.problem(name -> request.headers().getAll(name));
    }
    if (problem.isEmpty()) {
      ctx.next();
      return;
    }
    // Refused either way; without the credential its path would need, the answer says only that.
    Optional<String> denied = credentialRefusal(ctx, Access.of(ctx.normalizedPath()));
    if (denied.isPresent() && !HttpPort.grpc(ctx)) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      error(ctx, new ScoringException(ScoringException.Kind.UNAUTHORIZED, denied.get()));
    } else {
      error(ctx, new ScoringException(ScoringException.Kind.BAD_INPUT, problem.get()));
    }
  }

  /**
   * Why the request may not reach its path: a missing or invalid credential where {@link Access}
   * asks for one; empty when it may (or when this instance checks no credential).
   */
  private Optional<String> credentialRefusal(RoutingContext ctx, Access access) {
    boolean checkedElsewhere =
        switch (access) {
          case OPEN -> true;
          // The events route checked the token in the path; its refusal is answered later.
          case EVENTS_TOKEN -> ctx.get(EVENTS_REFUSAL) != null;
          // An event whose token was accepted, rerouted to /.
          case CREDENTIAL -> ctx.get(EVENTS_ACCEPTED) != null;
        };
    if (authenticator == null || checkedElsewhere) {
      return Optional.empty();
    }
    return authenticator.check(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
  }

  /**
   * Request id on every response, and the one credential check, for every path but those {@link
   * Access} opens. Paths are judged as the router matches them (normalized; the guard has already
   * refused any that normalizing would change).
   */
  private void common(RoutingContext ctx) {
    if (HttpPort.grpc(ctx)) {
      // The gRPC service on this port checks credentials, deployment and traffic itself and answers
      // with a gRPC status (grpc.Gate): a JSON error body would mean nothing to a gRPC client.
      ctx.next();
      return;
    }
    ctx.put(START, System.nanoTime());
    ctx.response().putHeader(REQUEST_ID, requestId(ctx));
    config.deploymentName().ifPresent(d -> ctx.response().putHeader(RequestHeaders.DEPLOYMENT, d));
    Access access = Access.of(ctx.normalizedPath());
    boolean health = access == Access.OPEN;
    if (config.noTrafficEndpoint().isPresent() && !health) {
      String endpoint = config.noTrafficEndpoint().get();
      error(
          ctx,
          ScoringException.noTraffic(
              endpoint, " or name a deployment in the Knative-Serving-Tag header"));
      return;
    }
    Optional<String> denied = credentialRefusal(ctx, access);
    if (denied.isPresent()) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      error(ctx, new ScoringException(ScoringException.Kind.UNAUTHORIZED, denied.get()));
      return;
    }
    String named = ctx.request().getHeader(RequestHeaders.DEPLOYMENT);
    if (named == null) {
      named = ctx.request().getHeader(RequestHeaders.DEPLOYMENT_ALIAS);
    }
    if (named != null
        && config.deploymentName().isPresent()
        && !named.equals(config.deploymentName().get())
        && !health) {
      // Knoe's router sends a named request to that deployment; Knative ignores Azure's header and
      // splits by traffic, so a request for another deployment may land here: refuse, never score
      // it.
      error(
          ctx,
          new ScoringException(
              ScoringException.Kind.MISDIRECTED,
              "this is deployment '"
                  + config.deploymentName().get()
                  + "', not '"
                  + named
                  + "': on a cluster, name a deployment with the"
                  + " Knative-Serving-Tag header (its tag, as 'knoe online-deployment show' gives) or call its tag URL"));
      return;
    }
    ctx.next();
  }

  /**
   * {@code /events/<token>} with the token: the request goes through the router again as a request
   * to {@code /}, so the Funqy Knative Events function answers it exactly as it answers {@code POST
   * /} (and the common handler, seeing {@link #EVENTS_ACCEPTED}, asks for no Authorization header).
   */
  private void checkEventsToken(RoutingContext ctx) {
    var refused =
        eventsToken == null
            ? Optional.of(EventsToken.Refusal.NOT_CONFIGURED)
            : eventsToken.check(ctx.pathParam("token"));
    if (refused.isEmpty()) {
      ctx.put(EVENTS_ACCEPTED, Boolean.TRUE);
      ctx.reroute("/");
    } else {
      ctx.put(EVENTS_REFUSAL, refused.get());
      ctx.next();
    }
  }

  private void checkEvent(RoutingContext ctx) {
    EventCheck.Result event = EventCheck.check(ctx.request()::getHeader, bytes(ctx), mapper);
    if (event.problem().isPresent()) {
      error(ctx, new ScoringException(ScoringException.Kind.BAD_INPUT, event.problem().get()));
      return;
    }
    if (event.data() != null) {
      ScoreEvents.exactData(event.data());
    }
    ctx.next();
  }

  /** Without a configured token 404; a missing or wrong token 401, naming neither token. */
  private void refuseEvents(RoutingContext ctx) {
    EventsToken.Refusal refused = ctx.get(EVENTS_REFUSAL);
    switch (refused == null ? EventsToken.Refusal.MISSING : refused) {
      case NOT_CONFIGURED ->
          error(
              ctx,
              new ScoringException(
                  ScoringException.Kind.NOT_FOUND,
                  "event delivery by token is not configured: set KNOE_EVENTS_TOKEN_FILE to a file holding the token"));
      case MISSING, WRONG -> {
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
        error(
            ctx,
            new ScoringException(
                ScoringException.Kind.UNAUTHORIZED,
                refused == EventsToken.Refusal.MISSING
                    ? "missing events token: send events to /events/<token>"
                    : "invalid events token: the token in the path is not accepted"));
      }
    }
  }

  /** The caller's request id when it is sane, else a new random one. */
  private static String requestId(RoutingContext ctx) {
    String id = ctx.request().getHeader(REQUEST_ID);
    if (id == null || !SAFE_ID.matcher(id).matches()) {
      id =
          Long.toHexString(ThreadLocalRandom.current().nextLong())
              + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }
    return id;
  }

  /**
   * Mirror traffic: a copy of the request to the mirror deployment, when its rule picks this one.
   */
  private void copy(RoutingContext ctx) {
    if (mirror != null) {
      Buffer b = ctx.body().buffer();
      try {
        mirror.maybeCopy(
            ctx.request().uri(), ctx.request().headers(), b == null ? Buffer.buffer() : b);
      } catch (RuntimeException e) {
        LOG.debugf("mirror copy not sent: %s", e.getMessage()); // a copy never fails the request
      }
    }
  }

  private static byte[] bytes(RoutingContext ctx) {
    Buffer b = ctx.body().buffer();
    return b == null ? new byte[0] : b.getBytes();
  }

  /**
   * The V2 body as the codec reads it: the JSON part parsed in place from the body's own array, the
   * binary tensor data after it (when {@value BinaryData#HEADER} says where the JSON ends) copied
   * once into a direct buffer.
   */
  private static V2Codec.Body v2Body(RoutingContext ctx) {
    Buffer b = ctx.body().buffer();
    String headerLength = ctx.request().getHeader(BinaryData.HEADER);
    if (b == null) {
      return BinaryData.split(new byte[0], 0, 0, headerLength);
    }
    ByteBuf buf = b.getByteBuf();
    if (buf.hasArray()) {
      return BinaryData.split(
          buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes(), headerLength);
    }
    byte[] bytes = b.getBytes();
    return BinaryData.split(bytes, 0, bytes.length, headerLength);
  }

  private static Map<String, String> headers(HttpServerRequest request) {
    Map<String, String> h = new HashMap<>();
    request
        .headers()
        .forEach(
            e -> {
              if (!e.getKey().equalsIgnoreCase("authorization")) {
                h.put(e.getKey().toLowerCase(), e.getValue());
              }
            });
    return h;
  }

  private String model(RoutingContext ctx) {
    String asked = ctx.pathParam("model");
    service.checkModelName(asked);
    service.checkModelVersion(asked, ctx.pathParam("version"));
    return asked;
  }

  private void withModel(RoutingContext ctx, Function<String, String> body) {
    json(ctx, 200, body.apply(model(ctx)));
  }

  private String metadata() {
    Signature s = service.signature().orElseThrow(ScoringException::noModel);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", service.modelName());
    m.put("versions", List.of(ScoringService.MODEL_VERSION));
    m.put("platform", "onnxruntime_onnx");
    m.put("inputs", s.inputs().stream().map(ScoringRoutes::spec).toList());
    m.put("outputs", s.outputs().stream().map(ScoringRoutes::spec).toList());
    return write(m);
  }

  private static Map<String, Object> spec(TensorSpec t) {
    return Map.of("name", t.name(), "datatype", t.type().name(), "shape", t.shape());
  }

  private String openApi() {
    return write(
        OpenApi.document(
            service.modelName(), service.signature().orElseThrow(ScoringException::noModel)));
  }

  private String write(Object o) {
    try {
      return mapper.writeValueAsString(o);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private void answer(RoutingContext ctx, String route, CompletableFuture<byte[]> result) {
    var context = io.vertx.core.Vertx.currentContext();
    result.whenComplete(
        (bytes, failure) ->
            context.runOnContext(
                v -> {
                  if (failure != null) {
                    error(
                        ctx, failure instanceof CompletionException ? failure.getCause() : failure);
                  } else {
                    ctx.response()
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .end(Buffer.buffer(bytes));
                    metrics.request(route, 200, System.nanoTime() - (long) ctx.get(START));
                  }
                }));
  }

  /**
   * A V2 answer: JSON, or with binary outputs the JSON part then their bytes, written from the
   * result buffers without a copy (Netty wraps them), as Triton answers: {@code
   * application/octet-stream} with {@value BinaryData#HEADER}.
   */
  private void answerV2(RoutingContext ctx, CompletableFuture<V2Codec.Response> result) {
    var context = io.vertx.core.Vertx.currentContext();
    result.whenComplete(
        (response, failure) ->
            context.runOnContext(
                v -> {
                  if (failure != null) {
                    error(
                        ctx, failure instanceof CompletionException ? failure.getCause() : failure);
                    return;
                  }
                  if (!response.hasBinary()) {
                    ctx.response()
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .end(Buffer.buffer(response.json()));
                  } else {
                    ByteBuf[] parts = new ByteBuf[1 + response.binary().size()];
                    parts[0] = Unpooled.wrappedBuffer(response.json());
                    for (int i = 1; i < parts.length; i++) {
                      parts[i] = Unpooled.wrappedBuffer(response.binary().get(i - 1));
                    }
                    ctx.response()
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream")
                        .putHeader(BinaryData.HEADER, Integer.toString(response.json().length))
                        .end(Buffer.buffer(Unpooled.wrappedBuffer(parts.length, parts)));
                  }
                  metrics.request("infer", 200, System.nanoTime() - (long) ctx.get(START));
                }));
  }

  private void failure(RoutingContext ctx) {
    Throwable t = ctx.failure();
    if (t == null) {
      int status = ctx.statusCode();
      t =
          new ScoringException(
              status == 413 ? ScoringException.Kind.TOO_LARGE : ScoringException.Kind.BAD_INPUT,
              status == 413
                  ? "the request body is larger than the limit of "
                      + config.maxBodyBytes()
                      + " bytes (KNOE_MAX_BODY_BYTES)"
                  : "bad request (HTTP " + status + ")");
    }
    error(ctx, t);
  }

  private void error(RoutingContext ctx, Throwable t) {
    int status;
    String message;
    // Funqy wraps what the event function threw (ApplicationException, CompletionException).
    for (Throwable c = t; c != null && c.getCause() != c; c = c.getCause()) {
      if (c instanceof ScoringException) {
        t = c;
        break;
      }
    }
    if (t instanceof ScoringException e) {
      status = e.status();
      message = e.getMessage();
    } else {
      status = 500;
      message = "internal error: " + t;
      LOG.error("unexpected failure", t);
    }
    if (ctx.response().ended()) {
      return;
    }
    String id = ctx.response().headers().get(REQUEST_ID);
    if (id == null) { // failed before the common handler ran (e.g. the server's own body limit)
      id = requestId(ctx);
      ctx.response().putHeader(REQUEST_ID, id);
    }
    String line =
        String.format(
            "%s %s -> %d: %s [request %s]",
            ctx.request().method(), loggedPath(ctx), status, message, id);
    if (status >= 500 || status == 424) {
      LOG.warn(line);
    } else {
      LOG.info(line);
    }
    boolean closeAfter = status == 413 && ctx.request().version() != HttpVersion.HTTP_2;
    if (closeAfter) {
      // An oversized body: the connection ends with the answer (an HTTP/2 stream just ends; its
      // connection carries others).
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
      ctx.response().endHandler(v -> lingerThenClose(ctx));
    }
    json(ctx, status, write(Map.of("error", message)));
    Long start = ctx.get(START);
    metrics.request(
        ctx.normalizedPath().startsWith("/v2") ? "infer" : "score",
        status,
        start == null ? 0 : System.nanoTime() - start);
  }

  /** How long the rest of a refused body is read and dropped before the connection closes. */
  private static final long LINGER_MS = 2000;

  /**
   * Reads and drops the rest of a refused body, then closes the connection: a client that writes
   * its whole body before it reads the answer (most do) would otherwise meet a reset while writing
   * and never see the 413. At most {@link #LINGER_MS}, so a client that keeps sending cannot hold
   * the connection.
   *
   * <p>The same as {@code knoe serve}'s {@code api.Gate.lingerThenClose}: keep the two alike. They
   * are twins, not one shared method, because the only module both servers share is scoring-spi,
   * the handlers' API, which takes no Vert.x.
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

  /**
   * The path as routed (normalized), with the events token cut out: {@code
   * /events/<token>/../../score} is logged as {@code /score}, and any path under {@code /events/}
   * as {@code /events/<redacted>}.
   */
  private static String loggedPath(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    return path.startsWith("/events/") ? "/events/<redacted>" : path;
  }

  private static void json(RoutingContext ctx, int status, String body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body);
  }
}
