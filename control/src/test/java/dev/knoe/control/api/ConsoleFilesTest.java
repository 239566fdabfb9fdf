package dev.knoe.control.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.is;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/**
 * The console's files: served without a credential (they hold no data), with a strict
 * Content-Security-Policy; the way there from {@code /}; and nothing else opened with them.
 */
@QuarkusTest
@TestProfile(ControlApiTest.Api.class)
class ConsoleFilesTest {

  @Test
  void slashAndConsoleLeadToTheConsole() {
    for (String path : new String[] {"/", "/console"}) {
      given()
          .redirects()
          .follow(false)
          .get(path)
          .then()
          .statusCode(302)
          .header("Location", endsWith("/console/"));
    }
  }

  @Test
  void theFilesAreServedWithoutACredentialUnderAStrictPolicy() {
    given()
        .get("/console/")
        .then()
        .statusCode(200)
        .contentType(containsString("text/html"))
        .header("Content-Security-Policy", containsString("default-src 'none'"))
        .header("Content-Security-Policy", containsString("script-src 'self';"))
        .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
        .header("X-Content-Type-Options", is("nosniff"))
        .header("Set-Cookie", emptyOrNullString())
        .body(containsString("<script type=\"module\" src=\"app.js\"></script>"));
    for (String file : new String[] {"app.js", "api.js", "charts.js", "console.css"}) {
      given()
          .get("/console/" + file)
          .then()
          .statusCode(200)
          .header("Content-Security-Policy", containsString("default-src 'none'"));
    }
  }

  /** No file of the console holds a secret or a server value: the key never leaves the browser. */
  @Test
  void theFilesHoldNoCredential() {
    String page = given().get("/console/app.js").then().statusCode(200).extract().asString();
    org.junit.jupiter.api.Assertions.assertFalse(page.contains(ControlApiTest.ADMIN));
  }

  /** Answers that are not the console's pages cannot run anything on its origin. */
  @Test
  void otherAnswersAreNotPages() {
    for (String path : new String[] {"/api/v1/endpoints", "/api/v1/nothing", "/metrics"}) {
      ControlApiTest.admin()
          .get(path)
          .then()
          .header("Content-Security-Policy", is(Gate.NOT_A_PAGE))
          .header("X-Content-Type-Options", is("nosniff"));
    }
    given()
        .get("/endpoints/none/score")
        .then()
        .header("Content-Security-Policy", is(Gate.NOT_A_PAGE));
  }

  @Test
  void onlyReadsAreOpenAndTheApiStaysClosed() {
    given().post("/console/app.js").then().statusCode(401);
    given().put("/console/").then().statusCode(401);
    given().get("/consoleX").then().statusCode(401);
    given().get("/api/v1/endpoints").then().statusCode(401);
  }
}
