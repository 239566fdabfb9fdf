package dev.knoe.control.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HoldAtZero alone: the least busy ready instance at once, or a hold until one is ready (one cold
 * start however many wait), 503 when none is ready in time, and a hang-up that leaves the queue.
 */
class HoldAtZeroTest {

  Links links;
  Pool pool;
  final AtomicInteger demand = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    links = new Links();
    links.serve(new HoldAtZero(links.vertx, links.completes()));
    pool = new Pool();
    pool.onDemand(demand::incrementAndGet);
    links.table = Links.table(Map.of("blue", pool), 10, 2_000);
    links.before = ex -> Links.admitted(ex, "blue");
  }

  @AfterEach
  void stop() throws Exception {
    links.close();
  }

  @Test
  void aReadyInstanceTakesTheRequestAtOnceTheLeastBusyFirst() throws Exception {
    Target busy = new Target("blue-0", "127.0.0.1", 1);
    Target idle = new Target("blue-1", "127.0.0.1", 2);
    busy.inFlight().set(3);
    pool.update(List.of(busy, idle));
    assertEquals(200, links.call().statusCode());
    assertSame(idle, links.next().instance);
    assertEquals(0, demand.get(), "no demand to report while an instance is ready");
    assertEquals(0, pool.coldStarts());
  }

  @Test
  void withNoInstanceRequestsWaitForTheFirstToBecomeReady() throws Exception {
    var a = CompletableFuture.supplyAsync(this::call);
    var b = CompletableFuture.supplyAsync(this::call);
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> pool.waiting() == 2);
    assertTrue(demand.get() >= 1, "the scaler is told there is demand");
    assertTrue(links.passed.isEmpty());

    Target ready = new Target("blue-0", "127.0.0.1", 1);
    pool.update(List.of(ready));
    assertEquals(200, a.get().statusCode());
    assertEquals(200, b.get().statusCode());
    assertSame(ready, links.next().instance);
    assertSame(ready, links.next().instance);
    assertEquals(1, pool.coldStarts(), "two requests waited for one start");
  }

  @Test
  void heldForTheWholeRequestTimeoutIs503WithRetryAfter() throws Exception {
    HttpResponse<String> r = links.call();
    assertEquals(503, r.statusCode());
    assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
    assertEquals(
        "{\"error\":\"no instance of deployment 'blue' became ready within request_timeout_ms ="
            + " 2000 (it is scaled to zero or starting); retry, or keep an instance with"
            + " scale_settings.min_instances: 1\"}",
        r.body());
    assertEquals(0, pool.waiting(), "the held request left the queue");
    // The answer goes out just before the place is freed.
    Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> pool.pending() == 0);
    assertEquals(List.of("ep/blue 503"), links.served);
  }

  @Test
  void aClientThatHangsUpWhileHeldLeavesTheQueue() throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", links.port())) {
      s.getOutputStream()
          .write(
              "POST /endpoints/ep/score HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> pool.waiting() == 1);
    }
    Awaitility.await("the waiter is cancelled")
        .atMost(Duration.ofSeconds(2))
        .until(() -> pool.waiting() == 0 && pool.pending() == 0);
    pool.update(List.of(new Target("blue-0", "127.0.0.1", 1)));
    Thread.sleep(200);
    assertTrue(links.passed.isEmpty(), "an instance becoming ready later gets nothing");
    assertEquals(List.of("ep/blue 499"), links.served);
  }

  private HttpResponse<String> call() {
    try {
      return links.call();
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }
}
