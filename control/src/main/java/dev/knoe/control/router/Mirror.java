package dev.knoe.control.router;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sends a copy of mirror_traffic percent of the requests to the mirror deployment and drops its
 * answer. A mirrored request is read whole first, since it is sent twice; the client's own request
 * goes on at once and never waits for the copy. A request that names its deployment is never
 * mirrored.
 */
final class Mirror implements Step {

  /** Larger bodies are not copied (the client's request still goes through). */
  static final int MAX_MIRRORED_BODY = 16 << 20;

  private final Upstreams upstreams;
  private final DataPlane.Observer observer;
  private final Step next;

  Mirror(Upstreams upstreams, DataPlane.Observer observer, Step next) {
    this.upstreams = upstreams;
    this.observer = observer;
    this.next = next;
  }

  @Override
  public void handle(Exchange ex) {
    RouteTable table = ex.table;
    boolean mirror =
        ex.named == null
            && table.mirror().isPresent()
            && table.deployments().containsKey(table.mirror().get())
            && ThreadLocalRandom.current().nextInt(100) < table.mirrorPercent();
    if (!mirror) {
      next.handle(ex);
      return;
    }
    String to = table.mirror().get();
    HttpServerRequest req = ex.ctx.request();
    req.resume();
    req.body()
        .onSuccess(
            body -> {
              ex.body = body;
              next.handle(ex);
              if (body.length() <= MAX_MIRRORED_BODY) {
                send(table.deployments().get(to), ex, body);
              }
            })
        .onFailure(e -> ex.finish(400, "cannot read the request body: " + e.getMessage()));
  }

  /** Sends the copy; a mirror never wakes a scaled-to-zero deployment. */
  private void send(RouteTable.DeploymentRoute mirror, Exchange original, Buffer body) {
    Target t = mirror.pool().pick(Set.of());
    if (t == null) {
      return;
    }
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    Proxy.forwardHeaders(original, original.id + "-mirror", headers);
    long start = System.nanoTime();
    t.inFlight().incrementAndGet();
    upstreams
        .client(original.grpc)
        .request(
            new RequestOptions()
                .setHost(t.host())
                .setPort(t.port())
                .setMethod(original.ctx.request().method())
                .setURI(original.path)
                .setHeaders(headers)
                .setIdleTimeout(mirror.requestTimeoutMs()))
        .compose(r -> r.send(body))
        .compose(r -> r.body().map(b -> r.statusCode()))
        .onComplete(
            ar -> {
              t.inFlight().decrementAndGet();
              observer.served(
                  original.endpoint,
                  mirror.name(),
                  ar.succeeded() ? ar.result() : 502,
                  System.nanoTime() - start);
            });
  }
}
