package dev.knoe.scoring;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Mirror traffic through the real routes: once the rule file names a mirror, {@code /score}
 * requests are copied there (answered as usual), and requests naming a deployment are not.
 */
@QuarkusTest
@TestProfile(Profiles.Mirrored.class)
class MirrorRouteTest {

  @Test
  void scoreRequestsAreCopiedToTheMirrorNamedInTheRuleFile() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      ConcurrentLinkedQueue<String> copies = new ConcurrentLinkedQueue<>();
      int port =
          vertx
              .createHttpServer()
              .requestHandler(
                  req ->
                      req.body()
                          .onSuccess(
                              b -> {
                                copies.add(req.path() + " " + b);
                                req.response().end("{}");
                              }))
              .listen(0, "127.0.0.1")
              .toCompletionStage()
              .toCompletableFuture()
              .get(5, TimeUnit.SECONDS)
              .actualPort();
      Files.writeString(
          Profiles.Mirrored.RULE,
          "{\"deployment\": \"green\", \"url\": \"http://127.0.0.1:"
              + port
              + "\", \"percent\": 100}");
      String body = "{\"data\": [[1,2,3,4,5,6,7,8,9,10]]}";
      // A bound, not a speed test: on a loaded CI machine 10 s was once not enough.
      Awaitility.await("the rule is re-read and a copy arrives")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(300))
          .until(
              () -> {
                given()
                    .body(body)
                    .contentType("application/json")
                    .when()
                    .post("/score")
                    .then()
                    .statusCode(200);
                return !copies.isEmpty();
              });
      assertEquals("/score " + body, copies.peek());
      // A body of its own: a late copy of the requests above cannot be taken for one of this.
      String named = "{\"data\": [[10,9,8,7,6,5,4,3,2,1]]}";
      given()
          .body(named)
          .contentType("application/json")
          .header("Knative-Serving-Tag", "blue")
          .when()
          .post("/score")
          .then()
          .statusCode(200);
      Thread.sleep(500);
      assertEquals(
          List.of(),
          copies.stream().filter(c -> c.contains(named)).toList(),
          "a request naming a deployment is not mirrored");
    } finally {
      Files.writeString(Profiles.Mirrored.RULE, "{}");
      vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
  }
}
