package dev.knoe.scoring;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/**
 * The no-traffic revision of a Knative endpoint: ready at once without a model, and 404 naming the
 * endpoint and the fix on every scoring route, as Azure answers when no deployment has traffic.
 */
@QuarkusTest
@TestProfile(Profiles.NoTraffic.class)
class NoTrafficTest {

  @Test
  void readyWithoutAModel() {
    given().when().get("/v2/health/ready").then().statusCode(200);
  }

  @Test
  void everyScoringRouteAnswers404NamingTheEndpoint() {
    for (String path : new String[] {"/score", "/v2/models/m/infer", "/"}) {
      given()
          .body("{\"data\": [[1]]}")
          .contentType("application/json")
          .when()
          .post(path)
          .then()
          .statusCode(404)
          .body(containsString("no deployment of endpoint 'my-endpoint' has traffic"))
          .body(containsString("--traffic"));
    }
    given().when().get("/v2/models/m").then().statusCode(404);
  }
}
