package dev.knoe.scoring.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mirror traffic from a rule file: who is copied, where the copy goes, and a rule changed without a
 * restart.
 */
class MirrorTest {

  @TempDir Path tmp;
  Vertx vertx;
  int port;
  final ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    port =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            b -> {
                              received.add(
                                  req.path()
                                      + " "
                                      + req.getHeader("Authorization")
                                      + " "
                                      + req.getHeader(Mirror.COPY_HEADER)
                                      + " "
                                      + b);
                              req.response().end("{}");
                            }))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(5, TimeUnit.SECONDS)
            .actualPort();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  Path rule(String json) throws Exception {
    Path f = tmp.resolve("mirror.json");
    Files.writeString(f, json);
    return f;
  }

  static MultiMap headers(String... kv) {
    MultiMap m = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < kv.length; i += 2) {
      m.add(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void aCopyGoesToTheMirrorWithTheCallersCredentialAndIsMarked() throws Exception {
    Mirror m =
        new Mirror(
            rule(
                "{\"deployment\": \"green\", \"url\": \"http://127.0.0.1:"
                    + port
                    + "\", \"percent\": 100}"),
            "blue",
            vertx,
            () -> 0);
    m.maybeCopy(
        "/score",
        headers("Authorization", "Bearer k1", "Content-Type", "application/json"),
        Buffer.buffer("{\"data\": [[1]]}"));
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 1);
    assertEquals("/score Bearer k1 1 {\"data\": [[1]]}", received.peek());
  }

  @Test
  void percentNamedDeploymentsCopiesAndTheMirrorItselfAreNeverCopied() throws Exception {
    Path f =
        rule(
            "{\"deployment\": \"green\", \"url\": \"http://127.0.0.1:"
                + port
                + "\", \"percent\": 10}");
    AtomicInteger dice = new AtomicInteger();
    Mirror blue = new Mirror(f, "blue", vertx, dice::get);
    dice.set(9);
    assertTrue(blue.chosen(headers()), "9 < 10 %");
    dice.set(10);
    assertFalse(blue.chosen(headers()), "10 is not below 10 %");
    dice.set(0);
    assertFalse(
        blue.chosen(headers("Knative-Serving-Tag", "blue")), "a request naming a deployment");
    assertFalse(blue.chosen(headers("azureml-model-deployment", "blue")));
    assertFalse(blue.chosen(headers(Mirror.COPY_HEADER, "1")), "a copy is never copied again");
    assertFalse(
        new Mirror(f, "green", vertx, dice::get).chosen(headers()),
        "the mirror does not mirror to itself");
  }

  @Test
  void anEmptyRuleMirrorsNothingAndAChangedFileIsReadAgain() throws Exception {
    Path f = rule("{}");
    Mirror m = new Mirror(f, "blue", vertx, () -> 0);
    assertFalse(m.chosen(headers()));
    Files.writeString(
        f,
        "{\"deployment\": \"green\", \"url\": \"http://127.0.0.1:" + port + "\", \"percent\": 50}");
    Awaitility.await("the rule is re-read")
        .atMost(Duration.ofSeconds(5))
        .until(() -> m.chosen(headers()));
  }

  @Test
  void badRulesAreRefusedWithTheReason() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Mirror.parse("{\"url\": \"http://x\", \"percent\": 150}".getBytes()));
    assertTrue(e.getMessage().contains("percent = 150"), e.getMessage());
    var f =
        assertThrows(
            IllegalArgumentException.class,
            () -> Mirror.parse("{\"url\": \"ftp://x\", \"percent\": 1}".getBytes()));
    assertTrue(f.getMessage().contains("is not an http(s) URL with a host"), f.getMessage());
    var g =
        assertThrows(
            IllegalArgumentException.class,
            () -> Mirror.parse("{\"url\": \"http:///x\", \"percent\": 1}".getBytes()));
    assertTrue(g.getMessage().contains("with a host"), g.getMessage());
  }
}
