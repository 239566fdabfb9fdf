package dev.knoe.control.router;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The HTTP clients requests go to instances with: one per event loop, so a request's upstream
 * connection lives on the event loop its client connection does.
 *
 * <p>Vert.x shares one client's pooled connections among all event loops and hands out the one used
 * last, whatever loop it was made on; the callbacks of a request then hop to the connection's loop
 * and back, twice per request. With one loop busy and another answering, at c=1 a request took two
 * half-idle threads and a third more time (bench/RESULTS.md, issue 12). A client used only from one
 * loop makes its connections on that loop, and everything about a request stays on one thread, as
 * in nginx's workers.
 */
final class Upstreams {

  private final Supplier<HttpClient> factory;
  private final ThreadLocal<HttpClient> perLoop;
  private final List<HttpClient> all = new CopyOnWriteArrayList<>();

  /** For calls from outside any event loop (tests, a worker thread): one client they share. */
  private final HttpClient shared;

  Upstreams(Vertx vertx) {
    this.factory =
        () -> {
          HttpClient c =
              vertx.createHttpClient(
                  new HttpClientOptions()
                      .setKeepAlive(true)
                      .setTcpNoDelay(true)
                      .setKeepAliveTimeout(60)
                      .setConnectTimeout(2000),
                  new PoolOptions().setHttp1MaxSize(256));
          all.add(c);
          return c;
        };
    this.perLoop = ThreadLocal.withInitial(factory);
    this.shared = factory.get();
  }

  /** The client of the calling event loop. */
  HttpClient client() {
    return Context.isOnEventLoopThread() ? perLoop.get() : shared;
  }

  void close() {
    all.forEach(HttpClient::close);
  }
}
