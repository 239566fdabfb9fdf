package dev.knoe.control.router;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * One request on its way through the router's chain: what each link found out (the table, the
 * deployment, the instance, the answer) and the request's single end.
 *
 * <p>It is the only object made per request besides what Vert.x needs: the links themselves are
 * made once per {@link DataPlane} and keep nothing of a request. Before {@link Admit} takes a
 * request in, a refusal ends it ({@link #refuse}); after, it holds a place in its deployment's pool
 * and ends exactly once ({@code done}) by {@link #finish}, the relay of an answer, or {@link
 * #abandon}, which all free the place through {@link #completed}.
 */
final class Exchange {

  // The router's log lines keep the category they always had, whichever link writes them.
  private static final Logger LOG = Logger.getLogger(DataPlane.class);

  final RoutingContext ctx;
  final String endpoint;
  final String id;

  /** System.nanoTime() when the request arrived: its place in the pool is metered from here. */
  final long start;

  /** A gRPC call: refusals are gRPC statuses, the answer's trailers are relayed. */
  final boolean grpc;

  private final Vertx vertx;
  private final DataPlane.Observer observer;

  /** Set by DataPlane: the endpoint's routes as they were when the request arrived. */
  RouteTable table;

  /** Set by ChooseDeployment: the deployment named in a header, or null (then never mirrored). */
  String named;

  /** Set by ChooseDeployment: the deployment that answers, named or drawn by the traffic split. */
  String deployment;

  RouteTable.DeploymentRoute route;

  /** Set by Admit: the path and query sent to the instance. */
  String path;

  /** Set by Mirror, only for mirrored requests: the whole body, sent twice. */
  Buffer body;

  /** Set by HoldAtZero while the request waits for an instance to become ready. */
  Consumer<Target> waiting;

  /** The instance the next attempt goes to: chosen by HoldAtZero, by Proxy on a retry. */
  Target instance;

  /** The instances tried so far: a failed connect is retried on another one. */
  final Set<String> tried = new HashSet<>();

  final AtomicBoolean done = new AtomicBoolean();

  /** The request sent to the instance, once connected: reset at a timeout or a hang-up. */
  HttpClientRequest upstream;

  /** The answer being relayed to the client, once there is one; relayed marks its end. */
  HttpClientResponse answer;

  final AtomicBoolean relayed = new AtomicBoolean();

  /**
   * The request's one timer: the request timeout until the answer's headers, then the stall check
   * (one timer from admission to the end: cancelling it and arming another at the headers was about
   * 1 % of the router's event-loop CPU in a JFR profile, a third of all its timer work).
   */
  volatile long timer;

  /** Set by Relay: the answer is gathered whole before it goes out (a stall then gets a 504). */
  boolean gathered;

  /** Time of the last byte of the answer that moved; an instance silent mid-answer is cut off. */
  volatile long progress;

  /** The instance is paused because the client reads slowly: its silence is not its fault. */
  volatile boolean waitingForClient;

  Exchange(
      RoutingContext ctx,
      String endpoint,
      String id,
      long start,
      Vertx vertx,
      DataPlane.Observer observer,
      boolean grpc) {
    this.grpc = grpc;
    this.ctx = ctx;
    this.endpoint = endpoint;
    this.id = id;
    this.start = start;
    this.vertx = vertx;
    this.observer = observer;
  }

  /**
   * Answers a request that was never taken in (no place to free); {@code deployment} is what the
   * metrics name, null for none.
   */
  void refuse(int status, String message, String deployment) {
    resumeUnread();
    error(status, message);
    LOG.infof(
        "%s %s -> %d: %s [request %s]",
        ctx.request().method(), ctx.request().path(), status, message, id);
    observer.served(
        endpoint, deployment == null ? "" : deployment, status, System.nanoTime() - start);
  }

  /**
   * Admit took the request in: from here it has request_timeout_ms to be answered, and a client
   * that hangs up frees its place at once rather than at the timeout.
   */
  void admitted() {
    timer = vertx.setTimer(route.requestTimeoutMs(), t -> timeout());
    ctx.response().closeHandler(v -> abandon());
  }

  /**
   * request_timeout_ms is over: before the answer's headers it is a timeout; after, the stall guard
   * checks whether the answer has moved since.
   */
  private void timeout() {
    if (answer != null) {
      Relay.checkStall(this);
    } else if (tried.isEmpty()) {
      HoldAtZero.expired(this);
    } else {
      Proxy.expired(this);
    }
  }

  /** Checks the answer again in {@code ms} (the stall guard). */
  void checkAgainIn(long ms) {
    timer = vertx.setTimer(ms, t -> timeout());
  }

  /** Ends the exchange with an error answer unless it has already ended. */
  void finish(int status, String message) {
    if (!done.compareAndSet(false, true)) {
      return;
    }
    vertx.cancelTimer(timer);
    if (waiting != null) {
      route.pool().cancel(waiting);
    }
    resumeUnread();
    error(status, message);
    LOG.infof(
        "%s %s -> %d: %s [request %s]",
        ctx.request().method(), ctx.request().path(), status, message, id);
    completed(status);
  }

  /** The client went away before its answer: free the slot now, not at the request timeout. */
  void abandon() {
    if (ctx.response().ended()) {
      // HTTP/2: the stream closes as the answer ends, and the close handler runs inside end(),
      // before the relay counts the answer. Nobody hung up; the relay counts it with its status.
      return;
    }
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
    LOG.debugf(
        "%s %s: client closed the connection before the answer [request %s]",
        ctx.request().method(), ctx.request().path(), id);
    completed(499); // nginx's "client closed request", for metrics only
  }

  /** The relay of an answer is over (whole, cut off or abandoned): counted once. */
  void relayEnded(int status) {
    if (relayed.compareAndSet(false, true)) {
      vertx.cancelTimer(timer);
      completed(status);
    }
  }

  /** Frees the request's place in its pool and reports it. */
  void completed(int status) {
    route.pool().release(System.nanoTime());
    observer.served(endpoint, deployment, status, System.nanoTime() - start);
  }

  /** Lets an unread body drain so the connection can be reused; one already read needs nothing. */
  void resumeUnread() {
    if (!ctx.request().isEnded()) {
      ctx.request().resume();
    }
  }

  /**
   * Answers {"error": message} (to a gRPC call: the status and message as a gRPC status, {@link
   * GrpcRefusal}) unless an answer has gone out or the client has gone.
   */
  void error(int status, String message) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    if (grpc) {
      GrpcRefusal.answer(ctx.response(), status, message);
      return;
    }
    String json = "{\"error\":" + Json.encode(message) + "}";
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(json);
  }
}
