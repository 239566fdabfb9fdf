package dev.knoe.scoring;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code KNOE_AUTH=required}: keys from a file that rotates, RS256 tokens with expiry and audience.
 */
@QuarkusTest
@TestProfile(AuthTest.Required.class)
class AuthTest {

  static final Path DIR = Path.of("target/auth-test").toAbsolutePath();
  static final String SAMPLE = ScoreEndpointTest.SAMPLE;

  /** Writes a keys file and an RSA key pair before the app starts. */
  public static class Required implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      try {
        Files.createDirectories(DIR);
        Files.writeString(
            DIR.resolve("keys"), "# primary, secondary\nprimary-key-1\nsecondary-key-1\n");
        writeKeyPair(DIR.resolve("token.pub"), DIR.resolve("token.key"));
        writeKeyPair(DIR.resolve("other.pub"), DIR.resolve("other.key"));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return Map.of(
          "knoe.model-dir",
          TestModels.sample("model-1").toString(),
          "knoe.auth",
          "required",
          "knoe.keys-file",
          DIR.resolve("keys").toString(),
          "knoe.jwt-public-key-file",
          DIR.resolve("token.pub").toString(),
          "knoe.endpoint-name",
          "my-endpoint");
    }
  }

  @Test
  void noCredentialIs401WithAChallenge() {
    given()
        .body(SAMPLE)
        .when()
        .post("/score")
        .then()
        .statusCode(401)
        .header("WWW-Authenticate", "Bearer")
        .body("error", containsString("missing credential"));
    given()
        .header("Authorization", "Basic Zm9vOmJhcg==")
        .body(SAMPLE)
        .when()
        .post("/score")
        .then()
        .statusCode(401);
  }

  @Test
  void eventDeliveryByTokenIsNotConfiguredWithoutATokenFile() {
    given()
        .header("ce-specversion", "1.0")
        .header("ce-type", "knoe.score.request")
        .header("ce-source", "t")
        .header("ce-id", "1")
        .contentType("application/json")
        .body(SAMPLE)
        .when()
        .post("/events/primary-key-1")
        .then()
        .statusCode(404)
        .body("error", containsString("event delivery by token is not configured"));
  }

  @Test
  void theEndpointsNameIsAnotherNameOfTheModel() {
    // Every deployment of an endpoint answers to the endpoint's name, so a V2 client that lets
    // the traffic split choose need not know which deployment answers.
    given()
        .auth()
        .oauth2("primary-key-1")
        .when()
        .get("/v2/models/my-endpoint")
        .then()
        .statusCode(200)
        .body("name", equalTo("model-1"));
    given()
        .auth()
        .oauth2("primary-key-1")
        .when()
        .get("/v2/models/other/ready")
        .then()
        .statusCode(404)
        .body("error", containsString("or, by its endpoint's name, 'my-endpoint'"));
  }

  @Test
  void dotSegmentsDoNotTurnAHealthPathIntoAnOpenRoute() throws Exception {
    // A target that is not canonical never reaches a route (RouteWalkTest walks them all): 401
    // without the credential the path it names needs, else 400.
    assertEquals(401, EventsTokenTest.rawPost("/v2/health/../../score"));
    assertEquals(401, EventsTokenTest.rawPost("/v2/health/%2e%2e/%2e%2e/score"));
    assertEquals(401, EventsTokenTest.rawPost("/v2/health/live/../../models/model-1/infer"));
    assertEquals(400, EventsTokenTest.rawGet("/v2/health/live/../ready"));
    assertEquals(200, EventsTokenTest.rawGet("/v2/health/ready"));
  }

  @Test
  void eitherKeyIsAcceptedAndAWrongOneIsNot() {
    given()
        .auth()
        .oauth2("primary-key-1")
        .body(SAMPLE)
        .when()
        .post("/score")
        .then()
        .statusCode(200);
    given()
        .auth()
        .oauth2("secondary-key-1")
        .body(SAMPLE)
        .when()
        .post("/score")
        .then()
        .statusCode(200);
    given()
        .auth()
        .oauth2("primary-key-2")
        .body(SAMPLE)
        .when()
        .post("/score")
        .then()
        .statusCode(401)
        .body("error", not(containsString("primary-key-2")));
  }

  @Test
  void everyRouteButHealthNeedsTheCredential() {
    given().when().get("/v2/health/ready").then().statusCode(200);
    given().when().get("/v2/health/live").then().statusCode(200);
    given().when().get("/v2/models/model-1").then().statusCode(401);
    given().when().get("/openapi.json").then().statusCode(401);
    given().when().get("/metrics").then().statusCode(401);
    given().body("{}").when().post("/v2/models/model-1/infer").then().statusCode(401);
    given()
        .header("ce-specversion", "1.0")
        .header("ce-type", "knoe.score.request")
        .header("ce-source", "t")
        .header("ce-id", "1")
        .contentType("application/json")
        .body(SAMPLE)
        .when()
        .post("/")
        .then()
        .statusCode(401);
    given().auth().oauth2("primary-key-1").when().get("/v2/models/model-1").then().statusCode(200);
  }

  @Test
  void rotatedKeyFileTakesEffectWithoutARestart() throws Exception {
    Path keys = DIR.resolve("keys");
    try {
      replace(keys, "primary-key-2\nsecondary-key-1\n");
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  given()
                      .auth()
                      .oauth2("primary-key-1")
                      .body(SAMPLE)
                      .when()
                      .post("/score")
                      .then()
                      .statusCode(401));
      given()
          .auth()
          .oauth2("primary-key-2")
          .body(SAMPLE)
          .when()
          .post("/score")
          .then()
          .statusCode(200);
      given()
          .auth()
          .oauth2("secondary-key-1")
          .body(SAMPLE)
          .when()
          .post("/score")
          .then()
          .statusCode(200);
    } finally {
      replace(keys, "primary-key-1\nsecondary-key-1\n");
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  given()
                      .auth()
                      .oauth2("primary-key-1")
                      .body(SAMPLE)
                      .when()
                      .post("/score")
                      .then()
                      .statusCode(200));
    }
  }

  @Test
  void validTokenIsAccepted() throws Exception {
    given()
        .auth()
        .oauth2(token("token.key", "my-endpoint", Instant.now().plusSeconds(300)))
        .body(SAMPLE)
        .when()
        .post("/score")
        .then()
        .statusCode(200)
        .body(equalTo("[[-3.625],[4.625]]"));
  }

  @Test
  void expiredTokenIsRejected() throws Exception {
    given()
        .auth()
        .oauth2(token("token.key", "my-endpoint", Instant.now().minusSeconds(30)))
        .body(SAMPLE)
        .when()
        .post("/score")
        .then()
        .statusCode(401)
        .body("error", containsString("expired"));
  }

  @Test
  void tokenForAnotherEndpointIsRejected() throws Exception {
    given()
        .auth()
        .oauth2(token("token.key", "other-endpoint", Instant.now().plusSeconds(300)))
        .body(SAMPLE)
        .when()
        .post("/score")
        .then()
        .statusCode(401)
        .body("error", containsString("invalid token"));
  }

  @Test
  void tokenSignedByAnotherKeyIsRejected() throws Exception {
    given()
        .auth()
        .oauth2(token("other.key", "my-endpoint", Instant.now().plusSeconds(300)))
        .body(SAMPLE)
        .when()
        .post("/score")
        .then()
        .statusCode(401)
        .body("error", containsString("invalid token"));
  }

  @Test
  void rotatedTokenKeyTakesEffectWithoutARestart() throws Exception {
    Path pub = DIR.resolve("token.pub");
    String signedByOther = token("other.key", "my-endpoint", Instant.now().plusSeconds(300));
    byte[] original = Files.readAllBytes(pub);
    try {
      replace(pub, Files.readString(DIR.resolve("other.pub")));
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  given()
                      .auth()
                      .oauth2(signedByOther)
                      .body(SAMPLE)
                      .when()
                      .post("/score")
                      .then()
                      .statusCode(200));
    } finally {
      replace(pub, new String(original));
      String signedByOurs = token("token.key", "my-endpoint", Instant.now().plusSeconds(300));
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  given()
                      .auth()
                      .oauth2(signedByOurs)
                      .body(SAMPLE)
                      .when()
                      .post("/score")
                      .then()
                      .statusCode(200));
    }
  }

  static String token(String privateKeyFile, String audience, Instant expiry) throws Exception {
    PrivateKey key = KeyUtils.decodePrivateKey(Files.readString(DIR.resolve(privateKeyFile)));
    return Jwt.subject("tester")
        .audience(audience)
        .issuedAt(Instant.now().minusSeconds(600))
        .expiresAt(expiry)
        .jws()
        .algorithm(SignatureAlgorithm.RS256)
        .sign(key);
  }

  /** Rewrites a file atomically, with a new modification time, as a Secret volume update would. */
  static void replace(Path file, String content) {
    try {
      Path tmp = Files.createTempFile(file.getParent(), "swap", ".tmp");
      Files.writeString(tmp, content);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void writeKeyPair(Path pub, Path key) throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    KeyPair pair = gen.generateKeyPair();
    Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes());
    Files.writeString(
        pub,
        "-----BEGIN PUBLIC KEY-----\n"
            + b64.encodeToString(pair.getPublic().getEncoded())
            + "\n-----END PUBLIC KEY-----\n");
    Files.writeString(
        key,
        "-----BEGIN PRIVATE KEY-----\n"
            + b64.encodeToString(pair.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
  }
}
