package dev.knoe.scoring;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code KNOE_AUTH=none} with {@code KNOE_EVENTS_TOKEN_FILE}: {@code /events/<token>} still checks
 * its token (as with {@code KNOE_AUTH=required}); the other routes stay open, as without the file.
 */
@QuarkusTest
@TestProfile(EventsTokenNoAuthTest.NoAuth.class)
class EventsTokenNoAuthTest {

  static final Path TOKEN_FILE =
      Path.of("target/events-token-no-auth-test/events-token").toAbsolutePath();
  static final String TOKEN = "no-auth-events-token";

  public static class NoAuth implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      try {
        Files.createDirectories(TOKEN_FILE.getParent());
        Files.writeString(TOKEN_FILE, TOKEN + "\n");
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      return Map.of(
          "knoe.model-dir",
          TestModels.sample("model-1").toString(),
          "knoe.events-token-file",
          TOKEN_FILE.toString());
    }
  }

  @Test
  void theTokenIsCheckedAndTheOtherRoutesStayOpen() throws Exception {
    EventsTokenTest.Reply reply =
        EventsTokenTest.send("/events/" + TOKEN, EventsTokenTest.scoreRequest("n1"), true, null);
    assertEquals(200, reply.status(), reply.text());
    assertEquals(
        EventsTokenTest.expected(), TestModels.JSON.readTree(reply.event().getData().toBytes()));
    assertEquals(
        401,
        EventsTokenTest.send("/events/wrong", EventsTokenTest.scoreRequest("n2"), false, null)
            .status());
    given().body(ScoreEndpointTest.SAMPLE).when().post("/score").then().statusCode(200);
  }
}
