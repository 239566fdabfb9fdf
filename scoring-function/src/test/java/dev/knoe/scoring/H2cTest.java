package dev.knoe.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Plain HTTP over h2c with prior knowledge, as Knative's queue-proxy speaks to a container whose
 * port is named {@code h2c} (which the renderer names it, so gRPC reaches the pods): {@code /score}
 * and the V2 JSON path answer as over HTTP/1.1.
 */
@QuarkusTest
@TestProfile(Profiles.Model1.class)
class H2cTest {

  @TestHTTPResource("/")
  URI base;

  @Test
  void scoreAndV2AnswerOverH2cWithPriorKnowledge() throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpClient client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false)); // prior knowledge: no HTTP/1.1 upgrade first
    try {
      String body = Files.readString(TestModels.samples().resolve("requests/model-1.json"));
      JsonNode expected = TestModels.expected(TestModels.sample("model-1"));

      Answer score = post(client, "/score", body);
      assertEquals(HttpVersion.HTTP_2, score.version(), "not answered over HTTP/2");
      assertEquals(200, score.status(), score.body());
      assertEquals(
          expected.path("response"), new ObjectMapper().readTree(score.body()), score.body());

      String v2 =
          "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 10], \"datatype\": \"FP32\","
              + " \"data\": [1,2,3,4,5,6,7,8,9,10]}]}";
      Answer infer = post(client, "/v2/models/model-1/infer", v2);
      assertEquals(200, infer.status(), infer.body());
      JsonNode out = new ObjectMapper().readTree(infer.body()).path("outputs").get(0);
      assertEquals(
          expected.path("response").get(0).get(0).asDouble(),
          out.path("data").get(0).asDouble(),
          1e-6,
          infer.body());
      assertTrue(out.path("shape").toString().equals("[1,1]"), infer.body());
    } finally {
      client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  record Answer(HttpVersion version, int status, String body) {}

  private Answer post(HttpClient client, String path, String body) throws Exception {
    return client
        .request(
            new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(base.getHost())
                .setPort(base.getPort())
                .setURI(path)
                .putHeader("Content-Type", "application/json"))
        .compose(req -> req.send(Buffer.buffer(body)))
        .compose(
            (HttpClientResponse resp) ->
                resp.body().map(b -> new Answer(resp.version(), resp.statusCode(), b.toString())))
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }
}
