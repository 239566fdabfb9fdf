package dev.knoe.control.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proxy (with its Relay) alone, against instances on loopback: what goes to the instance and what
 * comes back, a failed connect retried elsewhere, 502, 408 and a stalled answer.
 */
class ProxyTest {

  Links links;

  /** Headers each instance received. */
  final BlockingQueue<MultiMap> received = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() throws Exception {
    links = new Links();
    links.serve(new Proxy(new Upstreams(links.vertx), new Relay()));
  }

  @AfterEach
  void stop() throws Exception {
    links.close();
  }

  Target instance(String id, Handler<HttpServerRequest> handler) throws Exception {
    int port =
        links.listen(
            links
                .vertx
                .createHttpServer()
                .requestHandler(
                    req -> {
                      received.add(req.headers());
                      handler.handle(req);
                    }));
    return new Target(id, "127.0.0.1", port);
  }

  static int deadPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort(); // closed at once: connecting to it is refused
    }
  }

  /** Routes to {@code targets}, the first chosen (as HoldAtZero would) for the first attempt. */
  Pool route(int timeoutMs, Target... targets) {
    Pool pool = Links.pool(targets);
    links.table = Links.table(Map.of("blue", pool), 10, timeoutMs);
    links.before =
        ex -> {
          Links.admitted(ex, "blue");
          ex.instance = targets[0];
        };
    return pool;
  }

  @Test
  void theRequestGoesThroughWithoutHopHeadersAndTheAnswerComesBack() throws Exception {
    Target blue =
        instance(
            "blue-0",
            req ->
                req.body()
                    .onSuccess(
                        b ->
                            req.response()
                                .setStatusCode(201)
                                .putHeader("x-request-id", "the-instances")
                                .putHeader("x-model", "m1")
                                .end(req.method() + " " + req.uri() + " " + b)));
    Pool pool = route(5000, blue);
    HttpResponse<String> r =
        links.post(
            "/score?x=1",
            "{\"data\": 1}",
            "Authorization",
            "Bearer k",
            "azureml-model-deployment",
            "blue",
            "knoe-deployment",
            "blue",
            "x-custom",
            "kept");
    assertEquals(201, r.statusCode());
    assertEquals("POST /score?x=1 {\"data\": 1}", r.body(), "the body streamed through");
    assertEquals("m1", r.headers().firstValue("x-model").orElse(null));
    assertTrue(
        r.headers().firstValue("x-request-id").orElseThrow().startsWith("req-"),
        "the router's request id, not the instance's");
    MultiMap sent = received.take();
    assertEquals("kept", sent.get("x-custom"));
    assertTrue(sent.get("x-request-id").startsWith("req-"));
    for (String hop : List.of("Authorization", "azureml-model-deployment", "knoe-deployment")) {
      assertNull(sent.get(hop), hop + " is for the router only");
    }
    Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> pool.pending() == 0);
    assertEquals(List.of("ep/blue 201"), links.served);
    assertEquals(0, blue.inFlight().get());
  }

  @Test
  void aFailedConnectIsRetriedOnAnotherReadyInstance() throws Exception {
    Target dead = new Target("blue-dead", "127.0.0.1", deadPort());
    Target live = instance("blue-0", req -> req.response().end("live"));
    route(5000, dead, live);
    HttpResponse<String> r = links.call();
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("live", r.body());
    assertEquals(0, dead.inFlight().get());
  }

  @Test
  void noInstanceReachableIs502() throws Exception {
    Pool pool =
        route(
            5000,
            new Target("blue-0", "127.0.0.1", deadPort()),
            new Target("blue-1", "127.0.0.1", deadPort()));
    HttpResponse<String> r = links.call();
    assertEquals(502, r.statusCode());
    assertEquals(
        "{\"error\":\"no instance of deployment 'blue' could be reached (tried 2)\"}", r.body());
    Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> pool.pending() == 0);
    assertEquals(List.of("ep/blue 502"), links.served);
  }

  @Test
  void anInstanceThatDoesNotAnswerInTimeIs408AndItsRequestIsReset() throws Exception {
    AtomicInteger reset = new AtomicInteger();
    Target slow =
        instance("blue-0", req -> req.connection().closeHandler(v -> reset.incrementAndGet()));
    route(300, slow);
    HttpResponse<String> r = links.call();
    assertEquals(408, r.statusCode());
    assertEquals(
        "{\"error\":\"deployment 'blue' did not answer within request_timeout_ms = 300\"}",
        r.body());
    Awaitility.await("the instance's request is reset")
        .atMost(Duration.ofSeconds(2))
        .until(() -> reset.get() == 1);
    assertEquals(0, slow.inFlight().get());
  }

  @Test
  void anInstanceThatFailsMidRequestIs502() throws Exception {
    Target failing = instance("blue-0", req -> req.connection().close());
    route(5000, failing);
    HttpResponse<String> r = links.call();
    assertEquals(502, r.statusCode());
    assertTrue(
        r.body().startsWith("{\"error\":\"instance of deployment 'blue' failed: "), r.body());
  }

  @Test
  void answersSmallAndLargeWithOrWithoutALengthArriveWhole() throws Exception {
    for (int size : new int[] {10, Relay.BUFFERED_ANSWER_MAX, Relay.BUFFERED_ANSWER_MAX + 1}) {
      for (boolean chunked : new boolean[] {false, true}) {
        Buffer body = Buffer.buffer("x".repeat(size));
        route(
            5000,
            instance(
                "blue-0",
                req -> {
                  if (chunked) {
                    req.response().setChunked(true).write(body.slice(0, size / 2));
                    req.response().end(body.slice(size / 2, size));
                  } else {
                    req.response().end(body);
                  }
                }));
        HttpResponse<String> r = links.call();
        assertEquals(200, r.statusCode());
        assertEquals(size, r.body().length(), size + (chunked ? " chunked" : " with a length"));
        assertEquals(
            chunked ? Set.of() : Set.of(String.valueOf(size)),
            Set.copyOf(r.headers().allValues("content-length")));
      }
    }
  }

  @Test
  void aGatheredAnswerThatStallsIs504() throws Exception {
    route(
        400,
        instance(
            "blue-0",
            req -> req.response().putHeader("content-length", "1000").write(Buffer.buffer("abc"))));
    HttpResponse<String> r = links.call();
    assertEquals(504, r.statusCode());
    assertEquals(
        "{\"error\":\"deployment 'blue' sent nothing of its answer for request_timeout_ms = 400"
            + " after its headers\"}",
        r.body());
    Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> !links.served.isEmpty());
    assertEquals(List.of("ep/blue 504"), links.served);
  }
}
