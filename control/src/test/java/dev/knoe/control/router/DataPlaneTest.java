package dev.knoe.control.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.control.credentials.Secrets;
import dev.knoe.control.credentials.TokenIssuer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router over real HTTP on loopback, with small Vert.x servers standing in for instances:
 * timeouts, the 429 rule, retry after a failed connect, holding requests until an instance is
 * ready, mirroring that never delays the client, and traffic changes seen by the next request.
 */
@org.junit.jupiter.api.Timeout(value = 60, unit = TimeUnit.SECONDS)
class DataPlaneTest {

  static final String KEY = "k-123";

  @TempDir Path tmp;
  Vertx vertx;
  DataPlane plane;
  int port;
  final HttpClient http = HttpClient.newHttpClient();
  final AtomicInteger mirrorHits = new AtomicInteger();

  /**
   * What the plane told its observer about pools: "endpoint/deployment" with the pool, or null when
   * gone.
   */
  final List<Map.Entry<String, Pool>> routed = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** The statuses the plane reported, as "deployment status". */
  final List<String> served = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    plane =
        new DataPlane(
            vertx,
            new TokenIssuer(tmp.resolve("signing.pem"), Duration.ofMinutes(5), Clock.systemUTC()),
            new DataPlane.Observer() {
              @Override
              public void served(String endpoint, String deployment, int status, long nanos) {
                served.add(deployment + " " + status);
              }

              @Override
              public void routed(String endpoint, String deployment, Pool pool) {
                routed.add(
                    new java.util.AbstractMap.SimpleEntry<>(endpoint + "/" + deployment, pool));
              }
            });
    Router router = Router.router(vertx);
    router.route("/endpoints/:endpoint/*").handler(plane::handle);
    HttpServer server = vertx.createHttpServer().requestHandler(router);
    port =
        server
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(5, TimeUnit.SECONDS)
            .actualPort();
  }

  @AfterEach
  void stop() throws Exception {
    plane.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  /** An instance that answers its name after {@code delayMs}. */
  Target instance(String name, long delayMs, AtomicInteger hits) throws Exception {
    HttpServer s =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            b -> {
                              if (hits != null) {
                                hits.incrementAndGet();
                              }
                              vertx.setTimer(
                                  Math.max(1, delayMs),
                                  t ->
                                      req.response()
                                          .putHeader("content-type", "application/json")
                                          .end("\"" + name + "\""));
                            }));
    int p =
        s.listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(5, TimeUnit.SECONDS)
            .actualPort();
    return new Target(name + "-0", "127.0.0.1", p);
  }

  RouteTable table(
      Map<String, Pool> pools,
      List<RouteTable.Weight> traffic,
      Optional<String> mirror,
      int mirrorPercent,
      int maxConcurrent,
      int timeoutMs) {
    Map<String, RouteTable.DeploymentRoute> routes = new java.util.LinkedHashMap<>();
    pools.forEach(
        (name, pool) ->
            routes.put(name, new RouteTable.DeploymentRoute(name, maxConcurrent, timeoutMs, pool)));
    return new RouteTable(
        "ep",
        false,
        new byte[][] {Secrets.sha256(KEY)},
        traffic,
        mirror,
        mirrorPercent,
        routes,
        false);
  }

  HttpResponse<String> score(String deployment) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/endpoints/ep/score"))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + KEY)
            .POST(HttpRequest.BodyPublishers.ofString("{\"data\": [[1]]}"));
    if (deployment != null) {
      b.header("azureml-model-deployment", deployment);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static Pool pool(Target... targets) {
    Pool p = new Pool();
    p.update(List.of(targets));
    return p;
  }

  /**
   * Java's HttpClient upgrades to HTTP/2 (h2c), where the stream closes as the answer ends: that
   * close is not a client hanging up, and the charts must not count those answers as 499.
   */
  @Test
  void answersAreCountedWithTheirStatusOverHttp1AndHttp2() throws Exception {
    plane.publish(
        table(
            Map.of("blue", pool(instance("blue", 1, null))),
            List.of(new RouteTable.Weight("blue", 100)),
            Optional.empty(),
            0,
            10,
            5000));
    for (HttpClient.Version version : HttpClient.Version.values()) {
      HttpClient client = HttpClient.newBuilder().version(version).build();
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/endpoints/ep/score"))
                    .header("Authorization", "Bearer " + KEY)
                    .POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        if (i > 0) {
          assertEquals(version, r.version(), "the upgrade happened (or not) as asked");
        }
      }
    }
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertEquals(java.util.Collections.nCopies(10, "blue 200"), served));
  }

  @Test
  void slowInstanceIs408AfterTheRequestTimeout() throws Exception {
    plane.publish(
        table(
            Map.of("blue", pool(instance("blue", 30_000, null))),
            List.of(new RouteTable.Weight("blue", 100)),
            Optional.empty(),
            0,
            10,
            200));
    long start = System.nanoTime();
    HttpResponse<String> r = score(null);
    assertEquals(408, r.statusCode(), r.body());
    assertTrue(r.body().contains("request_timeout_ms = 200"), r.body());
    assertTrue(
        System.nanoTime() - start < TimeUnit.SECONDS.toNanos(8),
        "answered at the timeout, not the instance's 30 s");
  }

  @Test
  void moreThanTwiceTheConcurrencyPerInstanceIs429() throws Exception {
    // The instance takes 4 s, so the two stay pending however slowly this machine reaches the
    // third.
    plane.publish(
        table(
            Map.of("blue", pool(instance("blue", 4000, null))),
            List.of(new RouteTable.Weight("blue", 100)),
            Optional.empty(),
            0,
            1,
            20000));
    var a = CompletableFuture.supplyAsync(() -> call());
    var b = CompletableFuture.supplyAsync(() -> call());
    // both are now pending at the instance: the limit 2 x 1 x 1 is reached
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> plane.pending("ep").get("blue") == 2);
    HttpResponse<String> third = score(null);
    assertEquals(429, third.statusCode());
    assertTrue(
        third.body().contains("max_concurrent_requests_per_instance (1) x instances (1) = 2"),
        third.body());
    assertEquals(200, a.get().statusCode());
    assertEquals(200, b.get().statusCode());
    assertEquals(200, score(null).statusCode()); // pending went back to 0
  }

  @Test
  void failedConnectIsRetriedOnAnotherInstance() throws Exception {
    int dead;
    try (ServerSocket s = new ServerSocket(0)) {
      dead = s.getLocalPort(); // closed at once: connecting to it is refused
    }
    Pool p = new Pool();
    p.update(List.of(new Target("blue-dead", "127.0.0.1", dead), instance("blue", 1, null)));
    plane.publish(
        table(
            Map.of("blue", p),
            List.of(new RouteTable.Weight("blue", 100)),
            Optional.empty(),
            0,
            10,
            5000));
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = score(null);
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("\"blue\"", r.body());
    }
  }

  @Test
  void requestWaitsForAnInstanceToBecomeReady() throws Exception {
    Pool empty = new Pool();
    AtomicInteger demand = new AtomicInteger();
    empty.onDemand(demand::incrementAndGet);
    plane.publish(
        table(
            Map.of("blue", empty),
            List.of(new RouteTable.Weight("blue", 100)),
            Optional.empty(),
            0,
            10,
            5000));
    var pending = CompletableFuture.supplyAsync(() -> call());
    org.awaitility.Awaitility.await("the scaler is told there is demand")
        .atMost(Duration.ofSeconds(10))
        .until(() -> demand.get() >= 1);
    var second = CompletableFuture.supplyAsync(() -> call());
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> empty.waiting() == 2);
    empty.update(List.of(instance("blue", 1, null)));
    HttpResponse<String> r = pending.get(5, TimeUnit.SECONDS);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(200, second.get(5, TimeUnit.SECONDS).statusCode());
    assertEquals(1, empty.coldStarts(), "two requests waited for one start");
    score(null); // an instance is ready: no cold start
    assertEquals(1, empty.coldStarts());
    empty.update(List.of()); // scaled to zero again
    var third = CompletableFuture.supplyAsync(() -> call());
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> empty.waiting() == 1);
    empty.update(List.of(instance("blue", 1, null)));
    assertEquals(200, third.get(5, TimeUnit.SECONDS).statusCode());
    assertEquals(2, empty.coldStarts());
  }

  @Test
  void theObserverHearsOfEachDeploymentsPoolAsRoutesChange() throws Exception {
    Pool blue = new Pool();
    Pool green = new Pool();
    plane.publish(
        table(
            Map.of("blue", blue),
            List.of(new RouteTable.Weight("blue", 100)),
            Optional.empty(),
            0,
            10,
            5000));
    plane.publish(
        table(
            Map.of("blue", blue, "green", green),
            List.of(new RouteTable.Weight("blue", 100)),
            Optional.empty(),
            0,
            10,
            5000)); // blue's pool is the same: said once
    Pool greenAgain = new Pool(); // deleted and made again
    plane.publish(
        table(
            Map.of("green", greenAgain),
            List.of(new RouteTable.Weight("green", 100)),
            Optional.empty(),
            0,
            10,
            5000));
    plane.remove("ep");
    List<String> said =
        routed.stream()
            .map(
                e ->
                    e.getKey()
                        + "="
                        + (e.getValue() == blue
                            ? "blue"
                            : e.getValue() == green
                                ? "green"
                                : e.getValue() == greenAgain ? "green2" : "gone"))
            .toList();
    assertEquals(
        List.of(
            "ep/blue=blue", "ep/green=green", "ep/green=green2", "ep/blue=gone", "ep/green=gone"),
        said);
  }

  @Test
  void requestHeldWithNoInstanceBecomingReadyIs503NamingTheCause() throws Exception {
    plane.publish(
        table(
            Map.of("blue", new Pool()),
            List.of(new RouteTable.Weight("blue", 100)),
            Optional.empty(),
            0,
            10,
            300));
    HttpResponse<String> r = score(null);
    assertEquals(503, r.statusCode(), r.body());
    assertTrue(
        r.body()
            .contains(
                "no instance of deployment 'blue' became ready within request_timeout_ms = 300"),
        r.body());
    assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
    org.awaitility.Awaitility.await("the held request left the queue")
        .atMost(Duration.ofSeconds(2))
        .until(() -> plane.pending("ep").get("blue") == 0);
  }

  @Test
  void clientThatHangsUpFreesItsSlotAtOnce() throws Exception {
    Pool p = pool(instance("blue", 3000, null));
    plane.publish(
        table(
            Map.of("blue", p),
            List.of(new RouteTable.Weight("blue", 100)),
            Optional.empty(),
            0,
            1,
            20000));
    for (int i = 0; i < 3; i++) {
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
        String body = "{\"data\": [[1]]}";
        s.getOutputStream()
            .write(
                ("POST /endpoints/ep/score HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                        + KEY
                        + "\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length()
                        + "\r\n\r\n"
                        + body)
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> plane.pending("ep").get("blue") == 1);
      } // hangs up before the answer
      org.awaitility.Awaitility.await("the slot is freed when the client goes")
          .atMost(Duration.ofSeconds(2))
          .until(() -> plane.pending("ep").get("blue") == 0);
    }
    // Had the three slots stayed taken, the limit 2 x 1 x 1 would answer 429 here.
    HttpResponse<String> r = score(null);
    assertEquals(200, r.statusCode(), r.body());
  }

  /**
   * An instance that streams {@code chunks} chunks of 64 KiB, one every {@code everyMs}; counts
   * answers cut short.
   */
  Target streamingInstance(int chunks, long everyMs, AtomicInteger cut) throws Exception {
    HttpServer s =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            b -> {
                              var resp =
                                  req.response()
                                      .setChunked(true)
                                      .putHeader("content-type", "application/octet-stream");
                              resp.closeHandler(
                                  v -> {
                                    if (!resp.ended()) {
                                      cut.incrementAndGet();
                                    }
                                  });
                              AtomicInteger sent = new AtomicInteger();
                              vertx.setPeriodic(
                                  everyMs,
                                  id -> {
                                    if (resp.closed()) {
                                      vertx.cancelTimer(id);
                                    } else if (sent.incrementAndGet() > chunks) {
                                      vertx.cancelTimer(id);
                                      resp.end();
                                    } else {
                                      resp.write(
                                          io.vertx.core.buffer.Buffer.buffer(new byte[64 * 1024]));
                                    }
                                  });
                            }));
    int p =
        s.listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(5, TimeUnit.SECONDS)
            .actualPort();
    return new Target("stream-0", "127.0.0.1", p);
  }

  @Test
  void longAnswersAreRelayedWholeAndAClientLeavingMidAnswerStopsTheInstance() throws Exception {
    List<Throwable> uncaught = new java.util.concurrent.CopyOnWriteArrayList<>();
    vertx.exceptionHandler(uncaught::add);
    AtomicInteger cut = new AtomicInteger();
    plane.publish(
        table(
            Map.of("blue", pool(streamingInstance(80, 1, cut))),
            List.of(new RouteTable.Weight("blue", 100)),
            Optional.empty(),
            0,
            4,
            20000));
    HttpResponse<byte[]> whole =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/endpoints/ep/score"))
                .header("Authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, whole.statusCode());
    assertEquals(
        80 * 64 * 1024, whole.body().length, "every chunk, through the router's back-pressure");

    plane.publish(
        table(
            Map.of("blue", pool(streamingInstance(100_000, 20, cut))),
            List.of(new RouteTable.Weight("blue", 100)),
            Optional.empty(),
            0,
            4,
            20000));
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      s.getOutputStream()
          .write(
              ("POST /endpoints/ep/score HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                      + KEY
                      + "\r\nContent-Length: 2\r\n\r\n{}")
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      s.getInputStream()
          .readNBytes(200_000); // headers and the first chunks: the answer is under way
    } // hangs up mid-answer
    org.awaitility.Awaitility.await("the slot is freed when the client goes")
        .atMost(Duration.ofSeconds(3))
        .until(() -> plane.pending("ep").get("blue") == 0);
    org.awaitility.Awaitility.await("the instance's answer is cut too")
        .atMost(Duration.ofSeconds(3))
        .until(() -> cut.get() == 1);
    Thread.sleep(200);
    assertEquals(List.of(), uncaught, "nothing escapes to Vert.x");
  }

  /**
   * An instance that sends its headers and {@code sent} bytes of a {@code declared}-byte (or
   * chunked) answer, then stalls.
   */
  Target stallingInstance(int sent, Integer declared, AtomicInteger cut) throws Exception {
    HttpServer s =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            b -> {
                              var resp = req.response();
                              if (declared == null) {
                                resp.setChunked(true);
                              } else {
                                resp.putHeader("content-length", String.valueOf(declared));
                              }
                              resp.closeHandler(v -> cut.incrementAndGet());
                              resp.write(io.vertx.core.buffer.Buffer.buffer(new byte[sent]));
                            }));
    int p =
        s.listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(5, TimeUnit.SECONDS)
            .actualPort();
    return new Target("stall-0", "127.0.0.1", p);
  }

  @Test
  void anInstanceSilentMidAnswerIsCutOffAfterTheRequestTimeout() throws Exception {
    for (Integer declared : java.util.Arrays.asList(null, 1000, 1_000_000)) {
      AtomicInteger cut = new AtomicInteger();
      plane.publish(
          table(
              Map.of("blue", pool(stallingInstance(100, declared, cut))),
              List.of(new RouteTable.Weight("blue", 100)),
              Optional.empty(),
              0,
              4,
              400));
      var pending =
          http.sendAsync(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/endpoints/ep/score"))
                  .header("Authorization", "Bearer " + KEY)
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (declared != null && declared <= DataPlane.BUFFERED_ANSWER_MAX) {
        // Gathered before it goes out: the client has had nothing yet and gets an answer saying
        // why.
        HttpResponse<String> r = pending.get(10, TimeUnit.SECONDS);
        assertEquals(504, r.statusCode(), r.body());
        assertTrue(
            r.body()
                .contains(
                    "deployment 'blue' sent nothing of its answer for request_timeout_ms = 400"),
            r.body());
      } else {
        var failure =
            org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class,
                () -> pending.get(10, TimeUnit.SECONDS),
                "declared " + declared + ": the client is not left waiting");
        assertTrue(
            failure.getCause() instanceof java.io.IOException,
            "a cut-off answer, not a whole one: " + failure);
      }
      org.awaitility.Awaitility.await("the slot is freed")
          .atMost(Duration.ofSeconds(5))
          .until(() -> plane.pending("ep").get("blue") == 0);
      org.awaitility.Awaitility.await("the instance's answer is reset")
          .atMost(Duration.ofSeconds(5))
          .until(() -> cut.get() == 1);
    }
  }

  @Test
  void aClientThatReadsSlowlyIsNotTakenForAStalledInstance() throws Exception {
    AtomicInteger cut = new AtomicInteger();
    // 16 MiB, more than the socket buffers hold: the router has to pause the instance for the
    // client.
    plane.publish(
        table(
            Map.of("blue", pool(streamingInstance(256, 1, cut))),
            List.of(new RouteTable.Weight("blue", 100)),
            Optional.empty(),
            0,
            4,
            300));
    HttpResponse<java.io.InputStream> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/endpoints/ep/score"))
                .header("Authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    try (java.io.InputStream in = r.body()) {
      long read = in.readNBytes(64 * 1024).length;
      Thread.sleep(1500); // five request timeouts without reading
      read += in.readAllBytes().length;
      assertEquals(256L * 64 * 1024, read, "the whole answer");
    }
    assertEquals(0, cut.get());
  }

  @Test
  void poolMeasuresRequestsHeldOverTime() {
    Pool p = new Pool();
    long t0 = 1_000_000_000L;
    p.sampleConcurrency(t0);
    assertTrue(p.admit(10, t0));
    assertTrue(p.admit(10, t0 + 500_000_000L)); // second request half-way through the second
    p.release(t0 + 750_000_000L);
    // 1 request for 0.5 s, 2 for 0.25 s, 1 for 0.25 s: 0.5 + 0.5 + 0.25 = 1.25 on average
    assertEquals(1.25, p.sampleConcurrency(t0 + 1_000_000_000L), 1e-9);
    assertEquals(
        1.0, p.sampleConcurrency(t0 + 2_000_000_000L), 1e-9, "one request still held all second");
    p.release(t0 + 2_000_000_000L);
    assertEquals(0.0, p.sampleConcurrency(t0 + 3_000_000_000L), 1e-9);
  }

  @Test
  void admissionLimitGrowsWithTheInstancesBeingStarted() {
    Pool p = new Pool();
    assertEquals(20, p.limit(20), "at zero the limit counts one instance");
    p.wanted(3);
    assertEquals(60, p.limit(20), "a scale-out to 3 holds three instances' worth");
    for (int i = 0; i < 60; i++) {
      assertTrue(p.admit(20, i));
    }
    assertTrue(!p.admit(20, 61));
  }

  @Test
  void mirrorGetsACopyAndNeverDelaysTheClient() throws Exception {
    plane.publish(
        table(
            Map.of(
                "blue",
                pool(instance("blue", 1, null)),
                "green",
                pool(instance("green", 1500, mirrorHits))),
            List.of(new RouteTable.Weight("blue", 100)),
            Optional.of("green"),
            50,
            100,
            5000));
    long start = System.nanoTime();
    for (int i = 0; i < 40; i++) {
      HttpResponse<String> r = score(null);
      assertEquals("\"blue\"", r.body());
    }
    // Waiting on the mirror (1.5 s each) would take about 30 s.
    assertTrue(
        System.nanoTime() - start < TimeUnit.SECONDS.toNanos(15),
        "mirrored requests did not wait for the mirror");
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> mirrorHits.get() >= 8);
    org.awaitility.Awaitility.await("the copies have all arrived")
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              int seen = mirrorHits.get();
              Thread.sleep(500);
              return seen == mirrorHits.get();
            });
    assertTrue(mirrorHits.get() <= 32, "about half were mirrored: " + mirrorHits.get());
    int before = mirrorHits.get();
    score("blue"); // a request naming a deployment is never mirrored
    score("blue");
    Thread.sleep(500);
    assertEquals(before, mirrorHits.get());
  }

  @Test
  void trafficChangesAreSeenByTheNextRequestAndTheHeaderBypassesThem() throws Exception {
    Pool blue = pool(instance("blue", 1, null));
    Pool green = pool(instance("green", 1, null));
    plane.publish(
        table(
            Map.of("blue", blue, "green", green),
            List.of(new RouteTable.Weight("blue", 100)),
            Optional.empty(),
            0,
            10,
            5000));
    assertEquals("\"blue\"", score(null).body());
    HttpResponse<String> direct = score("green");
    assertEquals("\"green\"", direct.body());
    assertEquals("green", direct.headers().firstValue("azureml-model-deployment").orElseThrow());
    plane.publish(
        table(
            Map.of("blue", blue, "green", green),
            List.of(new RouteTable.Weight("green", 100)),
            Optional.empty(),
            0,
            10,
            5000));
    assertEquals("\"green\"", score(null).body());
    plane.publish(
        table(Map.of("blue", blue, "green", green), List.of(), Optional.empty(), 0, 10, 5000));
    HttpResponse<String> none = score(null);
    assertEquals(404, none.statusCode());
    assertTrue(none.body().contains("no deployment of endpoint 'ep' has traffic"), none.body());
    assertEquals(404, score("purple").statusCode());
  }

  @Test
  void wrongKeyIs401AndUnknownEndpoint404() throws Exception {
    plane.publish(
        table(
            Map.of("blue", pool(instance("blue", 1, null))),
            List.of(new RouteTable.Weight("blue", 100)),
            Optional.empty(),
            0,
            10,
            5000));
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/endpoints/ep/score"))
                .header("Authorization", "Bearer nope")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(401, r.statusCode());
    assertTrue(r.headers().firstValue("x-request-id").isPresent());
    HttpResponse<String> other =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/endpoints/other/score"))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(404, other.statusCode());
  }

  private HttpResponse<String> call() {
    try {
      return score(null);
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }
}
