package dev.knoe.control.router;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
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

  private static final int STREAM_WINDOW = 1 << 20;
  private static final int CONNECTION_WINDOW = 4 << 20;

  private final List<HttpClient> all = new CopyOnWriteArrayList<>();
  private final ThreadLocal<HttpClient> perLoop;
  private final ThreadLocal<HttpClient> h2PerLoop;

  /** For calls from outside any event loop (tests, a worker thread): one client they share. */
  private final HttpClient shared;

  private final HttpClient h2Shared;

  Upstreams(Vertx vertx) {
    Supplier<HttpClient> http1 = () -> track(vertx.createHttpClient(options(), http1Pool()));
    // gRPC needs HTTP/2 to the instance (its answers end with trailers): h2c with prior knowledge,
    // as the scoring function speaks it on its one port; calls multiplex on one connection.
    Supplier<HttpClient> h2 =
        () ->
            track(
                vertx.createHttpClient(
                    options()
                        .setProtocolVersion(HttpVersion.HTTP_2)
                        .setHttp2ClearTextUpgrade(false)
                        // The instance's answers stream back without waiting for a WINDOW_UPDATE
                        // every 64 KiB (the same windows as knoe serve's and the instance's
                        // server).
                        .setInitialSettings(new Http2Settings().setInitialWindowSize(STREAM_WINDOW))
                        .setHttp2ConnectionWindowSize(CONNECTION_WINDOW),
                    new PoolOptions()));
    this.perLoop = ThreadLocal.withInitial(http1);
    this.h2PerLoop = ThreadLocal.withInitial(h2);
    this.shared = http1.get();
    this.h2Shared = h2.get();
  }

  private static HttpClientOptions options() {
    return new HttpClientOptions()
        .setKeepAlive(true)
        .setTcpNoDelay(true)
        .setKeepAliveTimeout(60)
        .setConnectTimeout(2000);
  }

  private static PoolOptions http1Pool() {
    return new PoolOptions().setHttp1MaxSize(256);
  }

  private HttpClient track(HttpClient c) {
    all.add(c);
    return c;
  }

  /** The client of the calling event loop; for a gRPC call, its HTTP/2 client. */
  HttpClient client(boolean grpc) {
    boolean loop = Context.isOnEventLoopThread();
    if (grpc) {
      return loop ? h2PerLoop.get() : h2Shared;
    }
    return loop ? perLoop.get() : shared;
  }

  void close() {
    all.forEach(HttpClient::close);
  }
}
