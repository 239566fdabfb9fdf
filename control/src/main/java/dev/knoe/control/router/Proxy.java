package dev.knoe.control.router;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Sends the request to the instance HoldAtZero chose and hands the answer to the {@link Relay}. The
 * body streams through: the request stays paused until the instance is connected, so a connect that
 * fails has sent nothing, and the request is retried on another ready instance (502 when none is
 * left). An instance that has not answered within request_timeout_ms gets its request reset and the
 * client 408.
 */
final class Proxy implements Step {

  // The router's log lines keep the category they always had.
  private static final Logger LOG = Logger.getLogger(DataPlane.class);

  /** Headers that concern one hop, or the router, not the instance (nor, back, the client). */
  private static final String[] HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "authorization",
    DataPlane.DEPLOYMENT_HEADER,
    DataPlane.DEPLOYMENT_HEADER_ALIAS
  };

  /**
   * True for a header of {@link #HOP_BY_HOP}, in any case. Compared in place: lower-casing every
   * name of every request and answer first made a string per header.
   */
  static boolean hopByHop(String name) {
    for (String h : HOP_BY_HOP) {
      if (h.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  private final Upstreams upstreams;
  private final Relay relay;

  Proxy(Upstreams upstreams, Relay relay) {
    this.upstreams = upstreams;
    this.relay = relay;
  }

  @Override
  public void handle(Exchange ex) {
    forward(ex, ex.instance);
  }

  private void forward(Exchange ex, Target t) {
    ex.tried.add(t.id());
    t.inFlight().incrementAndGet();
    HttpServerRequest req = ex.ctx.request();
    RequestOptions options =
        new RequestOptions()
            .setHost(t.host())
            .setPort(t.port())
            .setMethod(req.method())
            .setURI(ex.path);
    upstreams
        .client(ex.grpc)
        .request(options)
        .onComplete(
            ar -> {
              if (ex.done.get()) {
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
                retry(ex);
                return;
              }
              ex.upstream = ar.result();
              // Into the request's own headers: through RequestOptions they were copied once more.
              forwardHeaders(ex, ex.id, ex.upstream.headers());
              var sent = ex.body != null ? ex.upstream.send(ex.body) : ex.upstream.send(req);
              sent.onComplete(
                  r -> {
                    t.inFlight().decrementAndGet();
                    if (r.failed()) {
                      ex.finish(
                          502,
                          "instance of deployment '"
                              + ex.deployment
                              + "' failed: "
                              + r.cause().getMessage());
                      return;
                    }
                    relay.relay(ex, r.result());
                  });
            });
  }

  /** After a failed connect: another ready instance not tried yet, else 502. */
  private void retry(Exchange ex) {
    Target next = ex.route.pool().pick(ex.tried);
    if (next == null) {
      ex.finish(
          502,
          "no instance of deployment '"
              + ex.deployment
              + "' could be reached (tried "
              + ex.tried.size()
              + ")");
      return;
    }
    ex.instance = next;
    forward(ex, next);
  }

  /** request_timeout_ms passed after an instance was tried and before its answer's headers. */
  static void expired(Exchange ex) {
    // Answer first: resetting the upstream request fails its callbacks, which must find us done.
    ex.finish(
        408,
        "deployment '"
            + ex.deployment
            + "' did not answer within request_timeout_ms = "
            + ex.route.requestTimeoutMs());
    if (ex.upstream != null) {
      ex.upstream.reset();
    }
  }

  /**
   * Adds the client's headers less the hop-by-hop ones to {@code to}, with the request id the
   * instance logs (for a gRPC call also {@code te: trailers}).
   */
  static void forwardHeaders(Exchange ex, String requestId, MultiMap to) {
    for (Map.Entry<String, String> e : ex.ctx.request().headers()) {
      if (!hopByHop(e.getKey())) {
        to.add(e.getKey(), e.getValue());
      }
    }
    to.set("x-request-id", requestId);
    if (ex.grpc) {
      to.set("te", "trailers"); // what gRPC asks of every hop; dropped above as hop-by-hop
    }
  }
}
