package dev.knoe.scoring;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A model with a fixed batch size of 1 is never batched, even under concurrency. */
@QuarkusTest
@TestProfile(Profiles.Fixed.class)
class FixedBatchTest {

  @Test
  void concurrentRequestsRunOneByOne() throws Exception {
    var pool = Executors.newFixedThreadPool(16);
    var answers = new java.util.ArrayList<java.util.concurrent.Future<?>>();
    for (int i = 0; i < 64; i++) {
      answers.add(
          pool.submit(
              () ->
                  given()
                      .body("{\"data\": [[1,2,3,4,5,6,7,8,9,10]]}")
                      .when()
                      .post("/score")
                      .then()
                      .statusCode(200)
                      .body(equalTo("[[-3.625]]"))));
    }
    for (var a : answers) {
      a.get(60, TimeUnit.SECONDS); // a wrong answer fails the test here
    }
    pool.shutdown();
    assertEquals(1.0, BatchingTest.maxBatch());
  }

  @Test
  void twoRowsAreRefusedByTheFixedShape() {
    given()
        .body("{\"data\": [[1,2,3,4,5,6,7,8,9,10],[1,2,3,4,5,6,7,8,9,10]]}")
        .when()
        .post("/score")
        .then()
        .statusCode(400)
        .body(
            "error",
            equalTo(
                "input 'input' expects shape [1, 10] (-1 = any), the request sent shape [2, 10]"));
  }
}
