package dev.knoe.scoring;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.knoe.scoring.codec.ScoreCodec;
import dev.knoe.scoring.config.ScoringConfig.Device;
import dev.knoe.scoring.model.DevicePlan;
import dev.knoe.scoring.model.NativeLibraries;
import dev.knoe.scoring.model.OnnxModel;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Many concurrent clients against the mlp with dynamic batching on: every answer must be exactly
 * the answer of running that request alone, and batches must really have formed.
 */
@QuarkusTest
@TestProfile(Profiles.Mlp.class)
class BatchingTest {

  static final int CLIENTS = 64;
  static final int REQUESTS_PER_CLIENT = 12;

  @TestHTTPResource("/score")
  URI score;

  static OnnxModel alone;

  @BeforeAll
  static void loadReference() {
    alone =
        OnnxModel.load(
            TestModels.sample("mlp").resolve("model.onnx"),
            DevicePlan.choose(Device.cpu, false),
            0,
            0,
            NativeLibraries.defaultDir("1.29.0"));
  }

  @AfterAll
  static void close() {
    alone.close();
  }

  @Test
  void sampleRequestMatchesNumpy() throws Exception {
    JsonNode expected = TestModels.expected(TestModels.sample("mlp"));
    String answer =
        given()
            .body(TestModels.JSON.writeValueAsBytes(expected.get("request")))
            .when()
            .post("/score")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    JsonNode got = TestModels.JSON.readTree(answer);
    JsonNode want = expected.get("response");
    assertEquals(want.size(), got.size());
    for (int r = 0; r < want.size(); r++) {
      for (int c = 0; c < want.get(r).size(); c++) {
        assertEquals(
            want.get(r).get(c).asDouble(),
            got.get(r).get(c).asDouble(),
            1e-5,
            "row " + r + " class " + c);
      }
    }
  }

  @Test
  void concurrentAnswersEqualTheirUnbatchedAnswers() throws Exception {
    double before = maxBatch();
    HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(8)).build();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    List<Future<List<String[]>>> results = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      int seed = c;
      results.add(
          clients.submit(
              (Callable<List<String[]>>)
                  () -> {
                    Random random = new Random(seed);
                    List<String[]> pairs = new ArrayList<>();
                    for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
                      String body = request(random, 1 + random.nextInt(3));
                      HttpResponse<String> response =
                          http.send(
                              HttpRequest.newBuilder(score)
                                  .POST(HttpRequest.BodyPublishers.ofString(body))
                                  .build(),
                              HttpResponse.BodyHandlers.ofString());
                      assertEquals(200, response.statusCode(), response.body());
                      pairs.add(new String[] {body, response.body()});
                    }
                    return pairs;
                  }));
    }
    int checked = 0;
    for (Future<List<String[]>> f : results) {
      for (String[] pair : f.get()) {
        byte[] body = pair[0].getBytes(StandardCharsets.UTF_8);
        byte[] unbatched = ScoreCodec.encode(alone.run(ScoreCodec.decode(body, alone.signature())));
        assertArrayEquals(
            unbatched,
            pair[1].getBytes(StandardCharsets.UTF_8),
            "answer to " + pair[0].substring(0, 40));
        checked++;
      }
    }
    clients.shutdown();
    assertEquals(CLIENTS * REQUESTS_PER_CLIENT, checked);
    assertTrue(
        maxBatch() > 1 || before > 1,
        "no batch of more than one request formed under " + CLIENTS + " clients");
  }

  static String request(Random random, int rows) {
    StringBuilder b = new StringBuilder("{\"data\": [");
    for (int r = 0; r < rows; r++) {
      b.append(r == 0 ? "[" : ",[");
      for (int i = 0; i < 256; i++) {
        b.append(i == 0 ? "" : ",").append(Math.round(random.nextGaussian() * 10000) / 10000.0);
      }
      b.append(']');
    }
    return b.append("]}").toString();
  }

  /** The largest number of requests merged into one run so far, from the batch-size histogram. */
  static double maxBatch() {
    String metrics = given().when().get("/metrics").then().statusCode(200).extract().asString();
    Matcher m = Pattern.compile("(?m)^knoe_batch_size_max (\\S+)$").matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
