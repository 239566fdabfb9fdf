package dev.knoe.control.router;

import dev.knoe.control.credentials.Secrets;
import dev.knoe.control.credentials.TokenIssuer;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Routes {@code /endpoints/<name>/...} to an instance of one of the endpoint's deployments. Bodies
 * stream through (the request is paused until an instance is connected, so a request whose
 * connection failed before any byte was sent can be retried on another instance); only mirrored
 * requests are buffered, since they are sent twice.
 */
public final class DataPlane {

  /** Answers up to this size (with a Content-Length) are relayed whole; larger ones are streamed. */
  static final int BUFFERED_ANSWER_MAX = 256 * 1024;

  private static final Logger LOG = Logger.getLogger(DataPlane.class);
  public static final String DEPLOYMENT_HEADER = "azureml-model-deployment";
  public static final String DEPLOYMENT_HEADER_ALIAS = "knoe-deployment";
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
      "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "authorization",
      DEPLOYMENT_HEADER, DEPLOYMENT_HEADER_ALIAS);
  private static final int MAX_MIRRORED_BODY = 16 << 20;

  private final Vertx vertx;
  private final HttpClient client;
  private final TokenIssuer tokens;
  private final Observer observer;
  private final ConcurrentHashMap<String, RouteTable> tables = new ConcurrentHashMap<>();

  /** What the router reports (metrics; in-flight counts for the autoscaler). */
  public interface Observer {
    void served(String endpoint, String deployment, int status, long nanos);

    /** A deployment's pool enters the routes, or another replaces it, or it leaves them ({@code pool} null). */
    default void routed(String endpoint, String deployment, Pool pool) {}

    Observer NONE = (e, d, s, n) -> {};
  }

  public DataPlane(Vertx vertx, TokenIssuer tokens, Observer observer) {
    this.vertx = vertx;
    this.tokens = tokens;
    this.observer = observer;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
        .setKeepAliveTimeout(60).setConnectTimeout(2000), new PoolOptions().setHttp1MaxSize(256));
  }

  public synchronized void publish(RouteTable table) {
    RouteTable before = tables.put(table.endpoint(), table);
    announce(table.endpoint(), before, table);
  }

  public synchronized void remove(String endpoint) {
    announce(endpoint, tables.remove(endpoint), null);
  }

  private void announce(String endpoint, RouteTable before, RouteTable after) {
    Map<String, RouteTable.DeploymentRoute> old = before == null ? Map.of() : before.deployments();
    Map<String, RouteTable.DeploymentRoute> now = after == null ? Map.of() : after.deployments();
    now.forEach((name, route) -> {
      RouteTable.DeploymentRoute was = old.get(name);
      if (was == null || was.pool() != route.pool()) {
        observer.routed(endpoint, name, route.pool());
      }
    });
    old.keySet().stream().filter(name -> !now.containsKey(name)).forEach(name -> observer.routed(endpoint, name, null));
  }

  public Optional<RouteTable> table(String endpoint) {
    return Optional.ofNullable(tables.get(endpoint));
  }

  /** Handles {@code /endpoints/:endpoint} and everything under it. */
  public void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    req.pause();
    long start = System.nanoTime();
    String id = req.getHeader("x-request-id");
    if (id == null || !SAFE_ID.matcher(id).matches()) {
      id = Long.toHexString(ThreadLocalRandom.current().nextLong()) + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }
    HttpServerResponse resp = ctx.response();
    resp.putHeader("x-request-id", id);
    String endpoint = ctx.pathParam("endpoint");
    RouteTable table = tables.get(endpoint);
    if (table == null) {
      fail(ctx, 404, "no endpoint '" + endpoint + "'", null, start);
      return;
    }
    if (!authorized(table, req.getHeader("Authorization"))) {
      resp.putHeader("WWW-Authenticate", "Bearer");
      fail(ctx, 401, table.tokenAuth()
          ? "missing or invalid token: get one with 'knoe online-endpoint get-credentials -n " + endpoint + "'"
          : "missing or invalid key: send 'Authorization: Bearer <key>' with a key from 'knoe online-endpoint get-credentials -n " + endpoint + "'",
          null, start);
      return;
    }
    if (table.creating()) {
      fail(ctx, 503, "endpoint '" + endpoint + "' is being created", null, start);
      return;
    }
    String named = Optional.ofNullable(req.getHeader(DEPLOYMENT_HEADER)).orElse(req.getHeader(DEPLOYMENT_HEADER_ALIAS));
    String deployment;
    if (named != null) {
      if (!table.deployments().containsKey(named)) {
        fail(ctx, 404, "endpoint '" + endpoint + "' has no deployment '" + named + "' (deployments: "
            + String.join(", ", table.deployments().keySet()) + ")", null, start);
        return;
      }
      deployment = named;
    } else {
      Optional<String> chosen = table.choose(ThreadLocalRandom.current().nextInt(100));
      if (chosen.isEmpty()) {
        fail(ctx, 404, "no deployment of endpoint '" + endpoint + "' has traffic; set it with "
            + "'knoe online-endpoint update -n " + endpoint + " --traffic \"<deployment>=100\"' or name one in the "
            + DEPLOYMENT_HEADER + " header", null, start);
        return;
      }
      deployment = chosen.get();
    }
    RouteTable.DeploymentRoute route = table.deployments().get(deployment);
    Pool pool = route.pool();
    if (!pool.admit(2 * route.maxConcurrentPerInstance(), start)) {
      int instances = pool.capacityInstances();
      fail(ctx, 429, "too many pending requests for deployment '" + deployment + "': the limit is 2 x "
          + "max_concurrent_requests_per_instance (" + route.maxConcurrentPerInstance() + ") x instances ("
          + instances + ") = " + pool.limit(2 * route.maxConcurrentPerInstance()), deployment, start);
      return;
    }
    resp.putHeader(DEPLOYMENT_HEADER, deployment);
    String path = upstreamPath(req, endpoint);
    Exchange ex = new Exchange(ctx, endpoint, deployment, route, path, id, start);
    resp.closeHandler(v -> ex.abandon());
    boolean mirror = named == null && table.mirror().isPresent() && table.deployments().containsKey(table.mirror().get())
        && ThreadLocalRandom.current().nextInt(100) < table.mirrorPercent();
    if (mirror) {
      String to = table.mirror().get();
      req.resume();
      req.body().onSuccess(body -> {
        ex.body = body;
        ex.dispatch();
        if (body.length() <= MAX_MIRRORED_BODY) {
          sendMirror(table.deployments().get(to), ex, body);
        }
      }).onFailure(e -> ex.finish(400, "cannot read the request body: " + e.getMessage()));
    } else {
      ex.dispatch();
    }
  }

  private boolean authorized(RouteTable table, String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    String credential = header.substring(7).trim();
    return table.tokenAuth() ? tokens.verify(credential, table.endpoint()) : Secrets.matchesAny(credential, table.keyDigests());
  }

  private static String upstreamPath(HttpServerRequest req, String endpoint) {
    String uri = req.uri();
    String prefix = "/endpoints/" + endpoint;
    String rest = uri.length() > prefix.length() ? uri.substring(prefix.length()) : "/";
    return rest.isEmpty() || rest.startsWith("?") ? "/" + rest : rest;
  }

  /** One routed request: waits for an instance if needed, forwards, retries a failed connect. */
  private final class Exchange {
    final RoutingContext ctx;
    final String endpoint;
    final String deployment;
    final RouteTable.DeploymentRoute route;
    final String path;
    final String id;
    final long start;
    final Set<String> tried = new HashSet<>();
    final AtomicBoolean done = new AtomicBoolean();
    Buffer body; // set only for mirrored requests
    HttpClientRequest upstream;
    /** The answer being relayed to the client, once there is one; relayed marks its end. */
    HttpClientResponse answer;
    final AtomicBoolean relayed = new AtomicBoolean();
    /** The request timeout until the answer's headers, then the stall check. */
    volatile long timer;

    Exchange(RoutingContext ctx, String endpoint, String deployment, RouteTable.DeploymentRoute route, String path,
        String id, long start) {
      this.ctx = ctx;
      this.endpoint = endpoint;
      this.deployment = deployment;
      this.route = route;
      this.path = path;
      this.id = id;
      this.start = start;
      this.timer = vertx.setTimer(route.requestTimeoutMs(), t -> timeout());
    }

    void dispatch() {
      Target t = route.pool().pick(tried);
      if (t != null) {
        forward(t);
        return;
      }
      if (!tried.isEmpty()) {
        finish(502, "no instance of deployment '" + deployment + "' could be reached (tried " + tried.size() + ")");
        return;
      }
      // Activator: hold the request until an instance is ready, or until its timeout.
      var context = vertx.getOrCreateContext();
      Consumer<Target> waiter = new Consumer<>() {
        @Override
        public void accept(Target target) {
          context.runOnContext(v -> {
            if (!done.get()) {
              forward(target);
            }
          });
        }
      };
      waiting = waiter;
      route.pool().await(waiter);
    }

    Consumer<Target> waiting;

    void forward(Target t) {
      tried.add(t.id());
      t.inFlight().incrementAndGet();
      HttpServerRequest req = ctx.request();
      MultiMap headers = MultiMap.caseInsensitiveMultiMap();
      req.headers().forEach(e -> {
        if (!HOP_BY_HOP.contains(e.getKey().toLowerCase(Locale.ROOT))) {
          headers.add(e.getKey(), e.getValue());
        }
      });
      headers.set("x-request-id", id);
      RequestOptions options = new RequestOptions().setHost(t.host()).setPort(t.port()).setMethod(req.method())
          .setURI(path).setHeaders(headers);
      client.request(options).onComplete(ar -> {
        if (done.get()) {
          t.inFlight().decrementAndGet();
          if (ar.succeeded()) {
            ar.result().reset();
          }
          return;
        }
        if (ar.failed()) {
          // Nothing was sent: try another ready instance.
          t.inFlight().decrementAndGet();
          LOG.debugf("connect to %s failed: %s; retrying", t.id(), ar.cause().getMessage());
          dispatch();
          return;
        }
        upstream = ar.result();
        var sent = body != null ? upstream.send(body) : upstream.send(req);
        sent.onComplete(r -> {
          t.inFlight().decrementAndGet();
          if (r.failed()) {
            finish(502, "instance of deployment '" + deployment + "' failed: " + r.cause().getMessage());
            return;
          }
          respond(r.result());
        });
      });
    }

    void respond(HttpClientResponse up) {
      if (!done.compareAndSet(false, true)) {
        up.request().reset();
        return;
      }
      vertx.cancelTimer(timer);
      HttpServerResponse resp = ctx.response();
      resp.setStatusCode(up.statusCode());
      up.headers().forEach(e -> {
        String k = e.getKey().toLowerCase(Locale.ROOT);
        if (!HOP_BY_HOP.contains(k) && !k.equals("content-length") && !k.equals("x-request-id")) {
          resp.putHeader(e.getKey(), e.getValue());
        }
      });
      String length = up.getHeader("content-length");
      if (length != null) {
        resp.putHeader("content-length", length);
      }
      // Relayed by hand rather than resp.send(up): Vert.x's pipe ends the response when the body
      // ends even if the client has gone meanwhile, which throws "Response has already been written".
      answer = up;
      int status = up.statusCode();
      long declared = declaredLength(length);
      // A usual answer goes out in one write, and its place is freed in the same step: streamed, the
      // client could have the whole body (and send its next request) before the end is seen here.
      Buffer whole = declared >= 0 && declared <= BUFFERED_ANSWER_MAX ? Buffer.buffer((int) declared) : null;
      if (whole == null && length == null) {
        resp.setChunked(true);
      }
      progress = System.nanoTime();
      timer = vertx.setTimer(route.requestTimeoutMs(), t -> checkStall(whole != null));
      up.handler(chunk -> {
        progress = System.nanoTime();
        if (resp.closed()) {
          return;
        }
        if (whole != null) {
          whole.appendBuffer(chunk);
          return;
        }
        resp.write(chunk);
        if (resp.writeQueueFull()) {
          up.pause();
          waitingForClient = true;
          resp.drainHandler(v -> {
            waitingForClient = false;
            progress = System.nanoTime();
            up.resume();
          });
        }
      });
      up.exceptionHandler(e -> {
        if (!resp.closed() && !resp.ended()) {
          resp.reset(); // the client must not take a cut-off body for a whole one
        }
        relayEnded(status);
      });
      up.endHandler(v -> {
        if (!resp.closed() && !resp.ended()) {
          if (whole != null) {
            resp.end(whole);
          } else {
            resp.end();
          }
        }
        relayEnded(status);
      });
    }

    /** Time of the last byte of the answer that moved; an instance silent mid-answer is cut off. */
    volatile long progress;
    /** The instance is paused because the client reads slowly: its silence is not its fault. */
    volatile boolean waitingForClient;

    /**
     * Past its headers an answer has no deadline (a long stream is fine), but an instance that sends nothing for
     * request_timeout_ms would hold the client and the slot for ever. A gathered answer has sent the client
     * nothing yet, so it gets a 504; a streamed one is reset, so the client cannot take a cut-off body for a
     * whole one. A slow reader is left alone (its connection closing frees the slot).
     */
    private void checkStall(boolean gathered) {
      if (relayed.get()) {
        return;
      }
      long idleMs = (System.nanoTime() - progress) / 1_000_000;
      if (waitingForClient || idleMs < route.requestTimeoutMs()) {
        long next = waitingForClient ? route.requestTimeoutMs() : route.requestTimeoutMs() - idleMs;
        timer = vertx.setTimer(next, t -> checkStall(gathered));
        return;
      }
      String message = "deployment '" + deployment + "' sent nothing of its answer for request_timeout_ms = "
          + route.requestTimeoutMs() + " after its headers";
      LOG.infof("%s %s: %s; cut off [request %s]", ctx.request().method(), ctx.request().path(), message, id);
      HttpServerResponse resp = ctx.response();
      if (gathered && !resp.headWritten() && !resp.closed()) {
        for (String h : List.of("content-length", "content-type", "content-encoding", "transfer-encoding")) {
          resp.headers().remove(h);
        }
        error(ctx, 504, message);
      } else if (!resp.closed() && !resp.ended()) {
        resp.reset();
      }
      relayEnded(504);
      answer.request().reset(); // last: its exception handler then finds the exchange ended
    }

    private static long declaredLength(String header) {
      try {
        return header == null ? -1 : Long.parseLong(header.strip());
      } catch (NumberFormatException e) {
        return -1;
      }
    }

    private void relayEnded(int status) {
      if (relayed.compareAndSet(false, true)) {
        vertx.cancelTimer(timer);
        completed(status);
      }
    }

    void timeout() {
      if (tried.isEmpty()) {
        // Held by the activator the whole time: capacity, not this request, is the problem.
        ctx.response().putHeader("Retry-After", "1");
        finish(503, "no instance of deployment '" + deployment + "' became ready within request_timeout_ms = "
            + route.requestTimeoutMs() + " (it is scaled to zero or starting); retry, or keep an instance with "
            + "scale_settings.min_instances: 1");
        return;
      }
      // Answer first: resetting the upstream request fails its callbacks, which must then find us done.
      finish(408, "deployment '" + deployment + "' did not answer within request_timeout_ms = " + route.requestTimeoutMs());
      if (upstream != null) {
        upstream.reset();
      }
    }

    /** The client went away before its answer: free the slot now, not at the request timeout. */
    void abandon() {
      if (!done.compareAndSet(false, true)) {
        if (answer != null && !relayed.get()) {
          answer.request().reset(); // mid-answer: the instance need not finish it
          relayEnded(499);
        }
        return;
      }
      vertx.cancelTimer(timer);
      if (waiting != null) {
        route.pool().cancel(waiting);
      }
      if (upstream != null) {
        upstream.reset();
      }
      LOG.debugf("%s %s: client closed the connection before the answer [request %s]", ctx.request().method(),
          ctx.request().path(), id);
      completed(499); // nginx's "client closed request", for metrics only
    }

    void finish(int status, String message) {
      if (!done.compareAndSet(false, true)) {
        return;
      }
      vertx.cancelTimer(timer);
      if (waiting != null) {
        route.pool().cancel(waiting);
      }
      resume(ctx);
      error(ctx, status, message);
      LOG.infof("%s %s -> %d: %s [request %s]", ctx.request().method(), ctx.request().path(), status, message, id);
      completed(status);
    }

    void completed(int status) {
      route.pool().release(System.nanoTime());
      observer.served(endpoint, deployment, status, System.nanoTime() - start);
    }
  }

  /** Sends a copy to the mirror deployment and drops its answer; never delays the client. */
  private void sendMirror(RouteTable.DeploymentRoute mirror, Exchange original, Buffer body) {
    Target t = mirror.pool().pick(Set.of());
    if (t == null) {
      return; // a mirror never wakes a scaled-to-zero deployment
    }
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    original.ctx.request().headers().forEach(e -> {
      if (!HOP_BY_HOP.contains(e.getKey().toLowerCase(Locale.ROOT))) {
        headers.add(e.getKey(), e.getValue());
      }
    });
    headers.set("x-request-id", original.id + "-mirror");
    long start = System.nanoTime();
    t.inFlight().incrementAndGet();
    client.request(new RequestOptions().setHost(t.host()).setPort(t.port()).setMethod(original.ctx.request().method())
            .setURI(original.path).setHeaders(headers).setIdleTimeout(mirror.requestTimeoutMs()))
        .compose(r -> r.send(body))
        .compose(r -> r.body().map(b -> r.statusCode()))
        .onComplete(ar -> {
          t.inFlight().decrementAndGet();
          observer.served(original.endpoint, mirror.name(), ar.succeeded() ? ar.result() : 502, System.nanoTime() - start);
        });
  }

  /** Lets an unread body drain so the connection can be reused; a body already read needs nothing. */
  private static void resume(RoutingContext ctx) {
    if (!ctx.request().isEnded()) {
      ctx.request().resume();
    }
  }

  private void fail(RoutingContext ctx, int status, String message, String deployment, long start) {
    resume(ctx);
    error(ctx, status, message);
    LOG.infof("%s %s -> %d: %s [request %s]", ctx.request().method(), ctx.request().path(), status, message,
        ctx.response().headers().get("x-request-id"));
    observer.served(ctx.pathParam("endpoint"), deployment == null ? "" : deployment, status, System.nanoTime() - start);
  }

  private static void error(RoutingContext ctx, int status, String message) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    String json = "{\"error\":" + io.vertx.core.json.Json.encode(message) + "}";
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(json);
  }

  public void close() {
    client.close();
  }

  /** For tests and metrics: requests waiting or in flight per deployment of an endpoint. */
  public Map<String, Integer> pending(String endpoint) {
    RouteTable t = tables.get(endpoint);
    Map<String, Integer> m = new java.util.TreeMap<>();
    if (t != null) {
      t.deployments().forEach((k, v) -> m.put(k, v.pool().pending()));
    }
    return m;
  }
}
