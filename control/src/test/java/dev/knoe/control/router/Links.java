package dev.knoe.control.router;

import dev.knoe.control.credentials.Secrets;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs one link of the router's chain alone, over real HTTP on loopback: a Vert.x server makes the
 * request's {@link Exchange} as {@link DataPlane#handle} does, fills in what the links before would
 * have ({@link #before}), and calls the link, whose next step is one of the test's ({@link
 * #passes}, {@link #completes}, {@link #holds}).
 */
final class Links implements AutoCloseable {

  static final String KEY = "k-123";

  final Vertx vertx = Vertx.vertx();

  /** What the observer was told: "endpoint/deployment status". */
  final List<String> served = new CopyOnWriteArrayList<>();

  /** Exchanges the link passed on, in order. */
  final BlockingQueue<Exchange> passed = new LinkedBlockingQueue<>();

  final DataPlane.Observer observer = (e, d, s, n) -> served.add(e + "/" + d + " " + s);
  // HTTP/1.1 as wrk and curl speak it: the JDK's default asks for an h2c upgrade, after which
  // Vert.x closes the connection as the answer ends, and the metrics see a hang-up (499).
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final int port;
  volatile RouteTable table;

  /** Does to each exchange what the links before the one under test would have done. */
  volatile Consumer<Exchange> before = ex -> {};

  private volatile Step link;

  Links() throws Exception {
    Router router = Router.router(vertx);
    router
        .route("/endpoints/:endpoint/*")
        .handler(
            ctx -> {
              ctx.request().pause();
              String id = "req-" + System.nanoTime();
              ctx.response().putHeader("x-request-id", id);
              Exchange ex =
                  new Exchange(
                      ctx,
                      ctx.pathParam("endpoint"),
                      id,
                      System.nanoTime(),
                      vertx,
                      observer,
                      false);
              ex.table = table;
              before.accept(ex);
              link.handle(ex);
            });
    port = listen(vertx.createHttpServer().requestHandler(router));
  }

  int listen(HttpServer server) throws Exception {
    return server
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(5, TimeUnit.SECONDS)
        .actualPort();
  }

  void serve(Step link) {
    this.link = link;
  }

  /** A next step that answers 200 "passed <deployment>" (for links before Admit: no place). */
  Step passes() {
    return ex -> {
      passed.add(ex);
      ex.resumeUnread();
      ex.ctx.response().end("passed " + ex.deployment);
    };
  }

  /** A next step that answers 200 and ends the exchange as a relayed answer does. */
  Step completes() {
    return ex -> {
      passed.add(ex);
      answer(ex);
    };
  }

  /** A next step that keeps the exchange, for the test to {@link #answer} later. */
  Step holds() {
    return passed::add;
  }

  static void answer(Exchange ex) {
    if (ex.done.compareAndSet(false, true)) {
      ex.resumeUnread();
      ex.ctx.response().end("passed " + ex.deployment);
      ex.relayEnded(200);
    }
  }

  /** What ChooseDeployment would have set for {@code deployment} of the table. */
  static void chosen(Exchange ex, String deployment) {
    ex.deployment = deployment;
    ex.route = ex.table.deployments().get(deployment);
  }

  /** ChooseDeployment and Admit as they would have been for {@code deployment}. */
  static void admitted(Exchange ex, String deployment) {
    chosen(ex, deployment);
    ex.route.pool().admit(1000, ex.start);
    ex.path = Admit.upstreamPath(ex.ctx.request().uri(), ex.endpoint);
    ex.admitted();
  }

  /** An endpoint "ep" with key auth (KEY) and these pools, all traffic to the first. */
  static RouteTable table(Map<String, Pool> pools, int maxConcurrent, int timeoutMs) {
    Map<String, RouteTable.DeploymentRoute> routes = new LinkedHashMap<>();
    pools.forEach(
        (name, pool) ->
            routes.put(name, new RouteTable.DeploymentRoute(name, maxConcurrent, timeoutMs, pool)));
    String first = routes.keySet().iterator().next();
    return new RouteTable(
        "ep",
        false,
        new byte[][] {Secrets.sha256(KEY)},
        List.of(new RouteTable.Weight(first, 100)),
        Optional.empty(),
        0,
        routes,
        false);
  }

  static Pool pool(Target... targets) {
    Pool p = new Pool();
    p.update(List.of(targets));
    return p;
  }

  /** POSTs {@code body} to /endpoints/ep{@code path} with the given header name-value pairs. */
  HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/endpoints/ep" + path))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> call(String... headers) throws Exception {
    return post("/score", "{}", headers);
  }

  Exchange next() throws InterruptedException {
    Exchange ex = passed.poll(5, TimeUnit.SECONDS);
    if (ex == null) {
      throw new AssertionError("the link passed nothing on");
    }
    return ex;
  }

  int port() {
    return port;
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }
}
