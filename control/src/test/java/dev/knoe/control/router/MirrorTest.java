package dev.knoe.control.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Mirror alone, with a real instance as the mirror: a mirrored request is passed on with its whole
 * body and copied to the mirror; a request that names its deployment, or is not drawn, is passed on
 * unread; a mirror at zero gets nothing.
 */
class MirrorTest {

  Links links;

  /** What the mirror instance received: "METHOD uri body" and its headers. */
  final BlockingQueue<String> copies = new LinkedBlockingQueue<>();

  final BlockingQueue<MultiMap> copyHeaders = new LinkedBlockingQueue<>();
  Target green;

  @BeforeEach
  void start() throws Exception {
    links = new Links();
    links.serve(new Mirror(new Upstreams(links.vertx), links.observer, links.completes()));
    int port =
        links.listen(
            links
                .vertx
                .createHttpServer()
                .requestHandler(
                    req ->
                        req.body()
                            .onSuccess(
                                b -> {
                                  copyHeaders.add(req.headers());
                                  copies.add(req.method() + " " + req.uri() + " " + b);
                                  req.response().end("ignored");
                                })));
    green = new Target("green-0", "127.0.0.1", port);
  }

  @AfterEach
  void stop() throws Exception {
    links.close();
  }

  void publish(int percent, Pool greenPool) {
    Map<String, Pool> pools = new LinkedHashMap<>();
    pools.put("blue", new Pool());
    pools.put("green", greenPool);
    RouteTable t = Links.table(pools, 10, 5000);
    links.table =
        new RouteTable(
            "ep",
            false,
            t.keyDigests(),
            t.traffic(),
            Optional.of("green"),
            percent,
            t.deployments(),
            false);
    links.before = ex -> Links.admitted(ex, "blue");
  }

  @Test
  void aMirroredRequestIsReadWholeAndCopied() throws Exception {
    publish(100, Links.pool(green));
    var r = links.post("/score?x=1", "{\"data\": 1}", "Authorization", "Bearer k", "a", "b");
    assertEquals("passed blue", r.body(), "the client's answer is the deployment's");
    Exchange ex = links.next();
    assertEquals("{\"data\": 1}", ex.body.toString());
    assertEquals("POST /score?x=1 {\"data\": 1}", copies.poll(5, TimeUnit.SECONDS));
    MultiMap headers = copyHeaders.take();
    assertEquals(ex.id + "-mirror", headers.get("x-request-id"));
    assertEquals("b", headers.get("a"));
    assertNull(headers.get("Authorization"), "the key stays with the router");
    Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> links.served.contains("ep/green 200"));
    assertEquals(0, green.inFlight().get());
  }

  @Test
  void aRequestNamingItsDeploymentIsNeverMirrored() throws Exception {
    publish(100, Links.pool(green));
    links.before =
        ex -> {
          ex.named = "blue";
          Links.admitted(ex, "blue");
        };
    assertEquals(200, links.call().statusCode());
    assertNull(links.next().body, "streamed, not read whole");
    assertNull(copies.poll(300, TimeUnit.MILLISECONDS));
  }

  @Test
  void aRequestNotDrawnIsPassedOnUnread() throws Exception {
    publish(0, Links.pool(green));
    for (int i = 0; i < 5; i++) {
      assertEquals(200, links.call().statusCode());
      assertNull(links.next().body);
    }
    assertNull(copies.poll(300, TimeUnit.MILLISECONDS));
  }

  @Test
  void aMirrorAtZeroGetsNothingAndIsNotWoken() throws Exception {
    Pool zero = new Pool();
    zero.onDemand(() -> copies.add("woken"));
    publish(100, zero);
    assertEquals(200, links.call().statusCode());
    assertTrue(links.next().body != null);
    assertNull(copies.poll(300, TimeUnit.MILLISECONDS));
  }
}
