package dev.knoe.control.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.control.credentials.Secrets;
import dev.knoe.control.credentials.TokenIssuer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Authenticate alone: which Authorization headers pass, and the 401 for the others. */
class AuthenticateTest {

  @TempDir Path tmp;
  TokenIssuer tokens;
  Authenticate authenticate;
  Links links;

  @BeforeEach
  void start() throws Exception {
    tokens = new TokenIssuer(tmp.resolve("signing.pem"), Duration.ofMinutes(5), Clock.systemUTC());
    links = new Links();
    authenticate = new Authenticate(tokens, links.passes());
    links.serve(authenticate);
  }

  @AfterEach
  void stop() throws Exception {
    links.close();
  }

  static RouteTable keyed() {
    return Links.table(Map.of("blue", new Pool()), 1, 1000);
  }

  static RouteTable tokened() {
    RouteTable k = keyed();
    return new RouteTable(
        "ep", true, new byte[0][], k.traffic(), Optional.empty(), 0, k.deployments(), false);
  }

  record Case(String name, String header, boolean passes) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Case> keyCases() {
    return List.of(
        new Case("the key", "Bearer " + Links.KEY, true),
        new Case("any case of Bearer, spaces around the key", "bEARER   " + Links.KEY + " ", true),
        new Case("another key", "Bearer k-124", false),
        new Case("the key's prefix", "Bearer k-12", false),
        new Case("no scheme", Links.KEY, false),
        new Case("another scheme", "Basic " + Links.KEY, false),
        new Case("nothing after Bearer", "Bearer ", false),
        new Case("no header", null, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keyCases")
  void keyAuthAcceptsOnlyABearerWhoseDigestIsTheEndpoints(Case c) {
    assertEquals(c.passes(), authenticate.authorized(keyed(), c.header()));
  }

  @Test
  void tokenAuthAcceptsOnlyATokenIssuedForTheEndpoint() {
    RouteTable table = tokened();
    assertTrue(authenticate.authorized(table, "Bearer " + tokens.issue("ep").accessToken()));
    assertEquals(
        false, authenticate.authorized(table, "Bearer " + tokens.issue("other").accessToken()));
    assertEquals(false, authenticate.authorized(table, "Bearer " + Links.KEY), "a key is no token");
  }

  @Test
  void aValidKeyIsPassedOn() throws Exception {
    links.table = keyed();
    HttpResponse<String> r = links.call("Authorization", "Bearer " + Links.KEY);
    assertEquals(200, r.statusCode(), r.body());
    links.next();
    assertEquals(List.of(), links.served, "passing on reports nothing: the link that answers does");
  }

  @Test
  void aMissingKeyIs401SayingWhereToGetOne() throws Exception {
    links.table = keyed();
    HttpResponse<String> r = links.call("Authorization", "Bearer nope");
    assertEquals(401, r.statusCode());
    assertEquals("Bearer", r.headers().firstValue("WWW-Authenticate").orElse(null));
    assertEquals("application/json", r.headers().firstValue("content-type").orElse(null));
    assertEquals(
        "{\"error\":\"missing or invalid key: send 'Authorization: Bearer <key>' with a key from"
            + " 'knoe online-endpoint get-credentials -n ep'\"}",
        r.body());
    assertEquals(List.of("ep/ 401"), links.served);
    assertTrue(links.passed.isEmpty());
  }

  @Test
  void aMissingTokenIs401SayingWhereToGetOne() throws Exception {
    links.table = tokened();
    HttpResponse<String> r = links.call();
    assertEquals(401, r.statusCode());
    assertEquals(
        "{\"error\":\"missing or invalid token: get one with 'knoe online-endpoint get-credentials"
            + " -n ep'\"}",
        r.body());
  }

  @Test
  void digestsAreOfTheKeyNotTheKeyItself() {
    RouteTable k = keyed();
    RouteTable plain =
        new RouteTable(
            "ep",
            false,
            new byte[][] {Links.KEY.getBytes()},
            k.traffic(),
            Optional.empty(),
            0,
            k.deployments(),
            false);
    assertEquals(false, authenticate.authorized(plain, "Bearer " + Links.KEY));
    assertTrue(Secrets.matchesAny(Links.KEY, k.keyDigests()));
  }
}
