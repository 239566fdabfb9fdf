package dev.knoe.control.router;

import dev.knoe.control.credentials.TokenIssuer;
import dev.knoe.spi.RequestHeaders;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Routes {@code /endpoints/<name>/...} to an instance of one of the endpoint's deployments. Bodies
 * stream through (the request is paused until an instance is connected, so a request whose
 * connection failed before any byte was sent can be retried on another instance); only mirrored
 * requests are buffered, since they are sent twice.
 *
 * <p>A request goes down a fixed chain of small links, each of which answers it (and stops) or
 * passes it on: {@link Authenticate} (401), {@link ChooseDeployment} (503 while created, 404),
 * {@link Admit} (429), {@link Mirror}, {@link HoldAtZero} (503 after a hold), {@link Proxy} (408,
 * 502) with its {@link Relay} (504 for a stall). What they learn about the request is kept in its
 * {@link Exchange}.
 */
public final class DataPlane {

  /**
   * Answers up to this size (with a Content-Length) are relayed whole; larger ones are streamed.
   */
  static final int BUFFERED_ANSWER_MAX = Relay.BUFFERED_ANSWER_MAX;

  /**
   * The endpoint a gRPC call is for: a gRPC method's path is the service's, with no room for an
   * {@code /endpoints/<name>} prefix, so the call names its endpoint in this header.
   */
  public static final String ENDPOINT_HEADER = "knoe-endpoint";

  /** The paths of the Open Inference Protocol's gRPC service (inference.GRPCInferenceService). */
  public static final String GRPC_PREFIX = "/inference.GRPCInferenceService/";

  public static final String DEPLOYMENT_HEADER = RequestHeaders.DEPLOYMENT;
  public static final String DEPLOYMENT_HEADER_ALIAS = RequestHeaders.DEPLOYMENT_ALIAS;
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private final Vertx vertx;
  private final Upstreams upstreams;
  private final Observer observer;

  /** The first link of the chain a request goes down once its endpoint is known. */
  private final Authenticate chain;

  private final ConcurrentHashMap<String, RouteTable> tables = new ConcurrentHashMap<>();

  /** What the router reports (metrics; in-flight counts for the autoscaler). */
  public interface Observer {
    void served(String endpoint, String deployment, int status, long nanos);

    /**
     * A deployment's pool enters the routes, or another replaces it, or it leaves them ({@code
     * pool} null).
     */
    default void routed(String endpoint, String deployment, Pool pool) {}

    Observer NONE = (e, d, s, n) -> {};
  }

  public DataPlane(Vertx vertx, TokenIssuer tokens, Observer observer) {
    this.vertx = vertx;
    this.observer = observer;
    this.upstreams = new Upstreams(vertx);
    // The order is the request's path; each link answers it (and stops) or passes it on.
    this.chain =
        new Authenticate(
            tokens,
            new ChooseDeployment(
                new Admit(
                    new Mirror(
                        upstreams,
                        observer,
                        new HoldAtZero(vertx, new Proxy(upstreams, new Relay()))))));
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
    now.forEach(
        (name, route) -> {
          RouteTable.DeploymentRoute was = old.get(name);
          if (was == null || was.pool() != route.pool()) {
            observer.routed(endpoint, name, route.pool());
          }
        });
    old.keySet().stream()
        .filter(name -> !now.containsKey(name))
        .forEach(name -> observer.routed(endpoint, name, null));
  }

  public Optional<RouteTable> table(String endpoint) {
    return Optional.ofNullable(tables.get(endpoint));
  }

  /**
   * Handles {@code /endpoints/:endpoint} and everything under it: gives the request an id, finds
   * its endpoint's routes, and passes it down the chain.
   */
  public void handle(RoutingContext ctx) {
    handle(ctx, ctx.pathParam("endpoint"), false);
  }

  /**
   * Handles a gRPC call of the Open Inference Protocol ({@link #GRPC_PREFIX}, HTTP/2 with an {@code
   * application/grpc} type) for the endpoint its {@value #ENDPOINT_HEADER} header names, down the
   * same chain; refusals are gRPC statuses. Anything else on those paths is passed on (404).
   */
  public void handleGrpc(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    String type = req.getHeader("content-type");
    if (req.version() != io.vertx.core.http.HttpVersion.HTTP_2
        || type == null
        || !type.regionMatches(true, 0, "application/grpc", 0, 16)) {
      ctx.next();
      return;
    }
    String endpoint = req.getHeader(ENDPOINT_HEADER);
    handle(ctx, endpoint == null ? "" : endpoint, true);
  }

  private void handle(RoutingContext ctx, String endpoint, boolean grpc) {
    HttpServerRequest req = ctx.request();
    req.pause();
    long start = System.nanoTime();
    String id = req.getHeader("x-request-id");
    if (id == null || !SAFE_ID.matcher(id).matches()) {
      id =
          Long.toHexString(ThreadLocalRandom.current().nextLong())
              + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }
    ctx.response().putHeader("x-request-id", id);
    Exchange ex = new Exchange(ctx, endpoint, id, start, vertx, observer, grpc);
    RouteTable table = tables.get(endpoint);
    if (table == null) {
      ex.refuse(
          404,
          grpc && endpoint.isEmpty()
              ? "name the endpoint of a gRPC call in the " + ENDPOINT_HEADER + " header"
              : "no endpoint '" + endpoint + "'",
          null);
      return;
    }
    ex.table = table;
    chain.handle(ex);
  }

  public void close() {
    upstreams.close();
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
