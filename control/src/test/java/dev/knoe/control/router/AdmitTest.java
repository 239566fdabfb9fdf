package dev.knoe.control.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Admit alone: 2 x max_concurrent x instances held, then 429; what an admitted request gets. */
class AdmitTest {

  Links links;
  Pool pool;

  @BeforeEach
  void start() throws Exception {
    links = new Links();
    links.serve(new Admit(links.holds()));
    pool = Links.pool(new Target("blue-0", "127.0.0.1", 1)); // never called: one ready instance
    links.table = Links.table(Map.of("blue", pool), 1, 20_000);
    links.before = ex -> Links.chosen(ex, "blue");
  }

  @AfterEach
  void stop() throws Exception {
    links.close();
  }

  @Test
  void twiceTheConcurrencyPerInstanceIsHeldAndTheNextIs429() throws Exception {
    var a = CompletableFuture.supplyAsync(this::call);
    var b = CompletableFuture.supplyAsync(this::call);
    Exchange first = links.next();
    Exchange second = links.next();
    assertEquals(2, pool.pending());

    HttpResponse<String> third = links.call();
    assertEquals(429, third.statusCode());
    assertEquals(
        "{\"error\":\"too many pending requests for deployment 'blue': the limit is 2 x"
            + " max_concurrent_requests_per_instance (1) x instances (1) = 2\"}",
        third.body());
    assertTrue(
        third.headers().firstValue("azureml-model-deployment").isEmpty(),
        "only a request taken in names its deployment");
    assertEquals(List.of("ep/blue 429"), links.served);

    Links.answer(first);
    Links.answer(second);
    HttpResponse<String> answered = a.get();
    assertEquals(200, answered.statusCode());
    assertEquals("blue", answered.headers().firstValue("azureml-model-deployment").orElseThrow());
    assertEquals(200, b.get().statusCode());
    assertEquals(0, pool.pending(), "answering frees the places");
  }

  @Test
  void anAdmittedRequestKnowsItsUpstreamPath() throws Exception {
    var r = CompletableFuture.supplyAsync(() -> post("/score?verbose=1"));
    Exchange ex = links.next();
    assertEquals("/score?verbose=1", ex.path);
    Links.answer(ex);
    assertEquals(200, r.get().statusCode());
  }

  @Test
  void upstreamPathDropsTheEndpointPrefix() {
    assertEquals("/score", Admit.upstreamPath("/endpoints/ep/score", "ep"));
    assertEquals("/a/b?x=1", Admit.upstreamPath("/endpoints/ep/a/b?x=1", "ep"));
    assertEquals("/", Admit.upstreamPath("/endpoints/ep", "ep"));
    assertEquals("/", Admit.upstreamPath("/endpoints/ep/", "ep"));
    assertEquals("/?x=1", Admit.upstreamPath("/endpoints/ep?x=1", "ep"));
  }

  @Test
  void aClientThatHangsUpFreesItsPlaceAtOnce() throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", links.port())) {
      s.getOutputStream()
          .write(
              "POST /endpoints/ep/score HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      links.next();
      assertEquals(1, pool.pending());
    }
    Awaitility.await("the place is freed when the client goes")
        .atMost(Duration.ofSeconds(2))
        .until(() -> pool.pending() == 0);
    assertEquals(List.of("ep/blue 499"), links.served);
  }

  private HttpResponse<String> call() {
    return post("/score");
  }

  private HttpResponse<String> post(String path) {
    try {
      return links.post(path, "{}");
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }
}
