package dev.knoe.control.cli;

import static dev.knoe.control.cli.FakeApi.Response.error;
import static dev.knoe.control.cli.FakeApi.Response.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.knoe.control.cli.Cli.Run;
import dev.knoe.control.cli.FakeApi.Request;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointCommandsTest extends CommandsTestBase {

  static final String EP = "/api/v1/endpoints/my-endpoint";

  String endpointView(String authMode) {
    return
"""
{"name": "my-endpoint", "auth_mode": "%s", "description": "fraud scoring",
 "tags": {"team": "fraud"}, "traffic": {"blue": 100}, "mirror_traffic": {}, "triggers": [],
 "provisioning_state": "Succeeded",
 "scoring_uri": "%s/endpoints/my-endpoint/score",
 "openapi_uri": "%s/endpoints/my-endpoint/swagger.json",
 "deployments": {"blue": {"provisioning_state": "Succeeded"},
                 "green": {"provisioning_state": "Succeeded"}},
 "generation": 3}
"""
        .formatted(authMode, api.url(), api.url());
  }

  // ------------------------------------------------------------ discovery and errors

  @Test
  void findsTheServerFromTheConfigThatServeWrites() throws IOException {
    Files.createDirectories(dir.resolve(".knoe"));
    Files.writeString(
        dir.resolve(".knoe/config.json"),
        "{\"url\": \"" + api.url() + "\", \"admin_key\": \"config-key\"}");
    api.on("GET", "/api/v1/endpoints", json("[]"));
    var bare = new Cli(dir);

    Run run = bare.run("online-endpoint", "list");

    assertEquals(0, run.code(), run.toString());
    assertEquals("Bearer config-key", api.only("GET", "/api/v1/endpoints").header("Authorization"));
  }

  @Test
  void noServerConfiguredIsOneLineSayingToRunServe() {
    Run run = new Cli(dir).run("online-endpoint", "list");

    assertEquals(1, run.code());
    assertEquals(1, run.errLines().size(), run.err());
    assertTrue(
        run.err().startsWith("knoe: error: no Knoe control API configured: run 'knoe serve'"));
  }

  @Test
  void connectionRefusedAsksWhetherServeRuns() throws IOException {
    int port;
    try (var socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    cli.env.put("KNOE_URL", "http://127.0.0.1:" + port);

    Run run = cli.run("online-endpoint", "show", "-n", "my-endpoint");

    assertEquals(1, run.code());
    assertEquals(
        "knoe: error: cannot reach the Knoe control API at http://127.0.0.1:"
            + port
            + ": is 'knoe serve' running?\n",
        run.err());
    assertEquals("", run.out());
  }

  @Test
  void aServerErrorIsOneLineWithItsMessageAndStatus() {
    Run run = cli.run("online-endpoint", "show", "-n", "nope");

    assertEquals(1, run.code());
    assertEquals("knoe: error: no route GET /api/v1/endpoints/nope (HTTP 404)\n", run.err());
  }

  @Test
  void usageErrorsExitTwoWithAPointerToHelp() {
    Run missing = cli.run("online-endpoint", "show");
    Run unknown = cli.run("online-endpoint", "lst");
    Run none = cli.run("online-endpoint");

    assertEquals(2, missing.code());
    assertEquals(
        "knoe: error: Missing required option: '--name=NAME' (see 'knoe online-endpoint show"
            + " --help')\n",
        missing.err());
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("did you mean list"), unknown.err());
    assertEquals(2, none.code());
    assertTrue(none.err().contains("needs a command: create, update, show, list"), none.err());
    assertTrue(api.requests().isEmpty());
  }

  @Test
  void renderNeedsNoServer() {
    Run run = cli.run("render", "-f", "missing.yml");

    assertEquals(1, run.code(), run.toString());
    assertTrue(run.err().startsWith("knoe: error: missing.yml"), run.err());
    assertTrue(api.requests().isEmpty(), "render works offline");
  }

  // ------------------------------------------------------------ create

  @Test
  void createSendsTheParsedSpecAsJson() throws IOException {
    Path file = dir.resolve("endpoint.yml");
    Files.writeString(
        file,
        """
        $schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json
        name: my-endpoint
        auth_mode: key
        tags: {team: fraud}
        identity: {type: system_assigned}
        """);
    api.on("POST", "/api/v1/endpoints", json(201, endpointView("aml_token")));

    Run run =
        cli.run("online-endpoint", "create", "-f", file.toString(), "--set", "auth_mode=token");

    assertEquals(0, run.code(), run.toString());
    Request post = api.only("POST", "/api/v1/endpoints");
    assertEquals("application/json", post.header("Content-Type"));
    assertEquals("aml_token", post.json().get("auth_mode").asText());
    assertEquals("fraud", post.json().at("/tags/team").asText());
    assertTrue(run.err().startsWith("knoe: warning: " + file + ": "), run.err());
    assertTrue(run.out().startsWith("name: my-endpoint\n"), run.out());
  }

  @Test
  void createWithANameAloneMakesAKeyEndpoint() {
    api.on("POST", "/api/v1/endpoints", json(201, endpointView("key")));

    Run run = cli.run("online-endpoint", "create", "-n", "my-endpoint", "-o", "json");

    assertEquals(0, run.code(), run.toString());
    JsonNode body = api.only("POST", "/api/v1/endpoints").json();
    assertEquals("my-endpoint", body.get("name").asText());
    assertEquals("key", body.get("auth_mode").asText());
  }

  @Test
  void anInvalidFileIsOneLineNamingItAndNothingIsSent() throws IOException {
    Path file = dir.resolve("endpoint.yml");
    Files.writeString(file, "name: my-endpoint\nauth_mod: key\n");

    Run run = cli.run("online-endpoint", "create", "-f", file.toString());

    assertEquals(1, run.code());
    assertEquals(1, run.errLines().size(), run.err());
    assertTrue(run.err().startsWith("knoe: error: " + file + ": "), run.err());
    assertTrue(run.err().contains("auth_mod"), run.err());
    assertTrue(api.requests().isEmpty());
  }

  // ------------------------------------------------------------ update

  @Test
  void trafficUpdateReadsThenPutsWithIfMatch() {
    api.on("GET", EP, json(endpointView("key")).etag("\"3\""));
    api.on("PUT", EP, json(endpointView("key")));

    Run run =
        cli.run("online-endpoint", "update", "-n", "my-endpoint", "--traffic", "blue=90 green=10");

    assertEquals(0, run.code(), run.toString());
    Request put = api.only("PUT", EP);
    assertEquals("\"3\"", put.header("If-Match"));
    JsonNode body = put.json();
    assertEquals(90, body.at("/traffic/blue").asInt());
    assertEquals(10, body.at("/traffic/green").asInt());
    assertEquals("fraud", body.at("/tags/team").asText(), "the rest of the spec is kept");
    assertEquals("fraud scoring", body.get("description").asText());
    assertFalse(body.has("provisioning_state"), "status is not sent back");
    assertEquals(List.of("GET " + EP, "PUT " + EP), api.summary());
  }

  @Test
  void setUpdatesAFieldInPlace() {
    api.on("GET", EP, json(endpointView("key")).etag("\"3\""));
    api.on("PUT", EP, json(endpointView("key")));

    Run run =
        cli.run(
            "online-endpoint",
            "update",
            "-n",
            "my-endpoint",
            "--set",
            "tags.owner=ana",
            "--set",
            "description=new");

    assertEquals(0, run.code(), run.toString());
    JsonNode body = api.only("PUT", EP).json();
    assertEquals("ana", body.at("/tags/owner").asText());
    assertEquals("fraud", body.at("/tags/team").asText());
    assertEquals("new", body.get("description").asText());
    assertEquals(100, body.at("/traffic/blue").asInt());
  }

  @Test
  void updateFromAFileTakesItsSpecWithTheTrafficFlagsOnTop() throws IOException {
    Path file = dir.resolve("endpoint.yml");
    Files.writeString(file, "name: my-endpoint\ntraffic: {blue: 100}\n");
    api.on("GET", EP, json(endpointView("key")).etag("\"7\""));
    api.on("PUT", EP, json(endpointView("key")));

    Run run =
        cli.run("online-endpoint", "update", "-f", file.toString(), "--mirror-traffic", "green=20");

    assertEquals(0, run.code(), run.toString());
    Request put = api.only("PUT", EP);
    assertEquals("\"7\"", put.header("If-Match"));
    assertEquals("{\"blue\":100}", put.json().get("traffic").toString());
    assertEquals("{\"green\":20}", put.json().get("mirror_traffic").toString());
    assertTrue(put.json().at("/tags/team").isMissingNode(), "the file replaces the spec");
  }

  @Test
  void aLostUpdateIsOneLineSayingSomeoneElseChangedIt() {
    api.on("GET", EP, json(endpointView("key")).etag("\"3\""));
    api.on("PUT", EP, error(412, "endpoint 'my-endpoint' changed since you read it"));

    Run run = cli.run("online-endpoint", "update", "-n", "my-endpoint", "--traffic", "blue=100");

    assertEquals(1, run.code());
    assertEquals(
        "knoe: error: endpoint 'my-endpoint' was changed by someone else since it was read;"
            + " nothing was changed, run the command again\n",
        run.err());
    assertEquals("", run.out());
  }

  @Test
  void badTrafficSyntaxOrNothingToUpdateAreUsageErrors() {
    Run bad = cli.run("online-endpoint", "update", "-n", "my-endpoint", "--traffic", "blue:90");
    Run nothing = cli.run("online-endpoint", "update", "-n", "my-endpoint");

    assertEquals(2, bad.code());
    assertTrue(bad.err().startsWith("knoe: error: --traffic \"blue:90\": "), bad.err());
    assertEquals(2, nothing.code());
    assertTrue(nothing.err().contains("nothing to update"), nothing.err());
    assertTrue(api.requests().isEmpty());
  }

  @Test
  void trafficThatBreaksTheRulesIsRefusedBeforeThePut() {
    api.on("GET", EP, json(endpointView("key")).etag("\"3\""));

    Run run =
        cli.run("online-endpoint", "update", "-n", "my-endpoint", "--traffic", "blue=90 green=20");

    assertEquals(1, run.code());
    assertEquals(1, run.errLines().size(), run.err());
    assertTrue(run.err().startsWith("knoe: error: endpoint 'my-endpoint': "), run.err());
    assertTrue(api.requests("PUT", EP).isEmpty());
  }

  // ------------------------------------------------------------ show, list, delete

  @Test
  void showPrintsYamlByDefaultAndTheApiJsonWithAzureNames() {
    api.on("GET", EP, json(endpointView("key")));

    Run yaml = cli.run("online-endpoint", "show", "-n", "my-endpoint");
    Run jsonRun = cli.run("online-endpoint", "show", "-n", "my-endpoint", "-o", "json");

    assertEquals(0, yaml.code(), yaml.toString());
    assertTrue(yaml.out().contains("\nprovisioning_state: Succeeded\n"), yaml.out());
    assertTrue(yaml.out().contains("\ntraffic:\n  blue: 100\n"), yaml.out());
    assertTrue(jsonRun.out().startsWith("{\n  \"name\": \"my-endpoint\",\n"), jsonRun.out());
    assertTrue(jsonRun.out().contains("\"scoring_uri\": \"" + api.url()), jsonRun.out());
  }

  @Test
  void listPrintsATableByDefault() {
    api.on("GET", "/api/v1/endpoints", json("[" + endpointView("key") + "]"));

    Run table = cli.run("online-endpoint", "list");
    Run yaml = cli.run("online-endpoint", "list", "-o", "YAML");

    assertEquals(0, table.code(), table.toString());
    String scoring = api.url() + "/endpoints/my-endpoint/score";
    assertEquals(
        "NAME         AUTH  STATE      TRAFFIC   DEPLOYMENTS  SCORING URI\n"
            + "my-endpoint  key   Succeeded  blue=100  blue,green   "
            + scoring
            + "\n",
        table.out());
    assertTrue(yaml.out().startsWith("- name: my-endpoint\n"), yaml.out());
  }

  @Test
  void deleteAcceptsYesAndReportsOnStderr() {
    api.on("DELETE", EP, FakeApi.Response.noContent());

    Run run = cli.run("online-endpoint", "delete", "-n", "my-endpoint", "-y");

    assertEquals(0, run.code(), run.toString());
    assertEquals("", run.out());
    assertEquals("Deleted endpoint 'my-endpoint'.\n", run.err());
    api.only("DELETE", EP);
  }

  // ------------------------------------------------------------ credentials

  @Test
  void credentialsOfAKeyEndpointAreItsKeys() {
    api.on("GET", EP, json(endpointView("key")));
    api.on("GET", EP + "/keys", json("{\"primaryKey\": \"pk\", \"secondaryKey\": \"sk\"}"));

    Run yaml = cli.run("online-endpoint", "get-credentials", "-n", "my-endpoint");
    Run table = cli.run("online-endpoint", "get-credentials", "-n", "my-endpoint", "-o", "table");

    assertEquals(0, yaml.code(), yaml.toString());
    assertEquals("primaryKey: pk\nsecondaryKey: sk\n", yaml.out());
    assertEquals("PRIMARY KEY  SECONDARY KEY\npk           sk\n", table.out());
    assertTrue(api.requests("POST", EP + "/token").isEmpty());
  }

  @Test
  void credentialsOfATokenEndpointAreAFreshToken() {
    api.on("GET", EP, json(endpointView("aml_token")));
    api.on(
        "POST",
        EP + "/token",
        json(
            "{\"accessToken\": \"eyJ.x.y\", \"tokenType\": \"Bearer\", \"expiryTimeUtc\":"
                + " \"2025-01-01T01:00:00Z\", \"refreshAfterTimeUtc\": \"2025-01-01T00:30:00Z\"}"));

    Run run = cli.run("online-endpoint", "get-credentials", "-n", "my-endpoint", "-o", "json");

    assertEquals(0, run.code(), run.toString());
    assertTrue(run.out().contains("\"accessToken\": \"eyJ.x.y\""), run.out());
    assertTrue(run.out().contains("\"expiryTimeUtc\": \"2025-01-01T01:00:00Z\""), run.out());
    assertTrue(api.requests("GET", EP + "/keys").isEmpty());
  }

  @Test
  void regenerateKeysSendsTheKeyTypeAndPrintsNothingOnStdout() {
    api.on(
        "POST",
        EP + "/keys/regenerate",
        json("{\"primaryKey\": \"pk\", \"secondaryKey\": \"new\"}"));

    Run run =
        cli.run(
            "online-endpoint", "regenerate-keys", "-n", "my-endpoint", "--key-type", "secondary");
    Run bad = cli.run("online-endpoint", "regenerate-keys", "-n", "my-endpoint", "--key-type", "x");

    assertEquals(0, run.code(), run.toString());
    assertEquals("", run.out());
    assertEquals(
        "secondary", api.only("POST", EP + "/keys/regenerate").json().get("key_type").asText());
    assertEquals(2, bad.code());
  }

  // ------------------------------------------------------------ invoke

  @Test
  void invokeUsesThePrimaryKeyAndPrintsTheAnswer() throws IOException {
    Path request = dir.resolve("request.json");
    Files.writeString(request, "{\"data\": [[1, 2]]}");
    api.on("GET", EP, json(endpointView("key")));
    api.on("GET", EP + "/keys", json("{\"primaryKey\": \"pk\", \"secondaryKey\": \"sk\"}"));
    api.on("POST", "/endpoints/my-endpoint/score", json("[[0.1, 0.9]]"));

    Run run =
        cli.run(
            "online-endpoint", "invoke", "-n", "my-endpoint", "--request-file", request.toString());

    assertEquals(0, run.code(), run.toString());
    assertEquals("[[0.1, 0.9]]\n", run.out());
    Request score = api.only("POST", "/endpoints/my-endpoint/score");
    assertEquals("Bearer pk", score.header("Authorization"));
    assertEquals("{\"data\": [[1, 2]]}", score.text());
    assertNull(score.header("azureml-model-deployment"));
    assertNull(score.header("Knative-Serving-Tag"));
  }

  @Test
  void invokeWithADeploymentSendsTheHeaderAndATokenForTokenEndpoints() throws IOException {
    Path request = dir.resolve("request.json");
    Files.writeString(request, "{\"data\": [[1, 2]]}");
    api.on("GET", EP, json(endpointView("aml_token")));
    api.on("POST", EP + "/token", json("{\"accessToken\": \"tok\"}"));
    api.on("POST", "/endpoints/my-endpoint/score", json("[[1]]"));

    Run run =
        cli.run(
            "online-endpoint",
            "invoke",
            "-n",
            "my-endpoint",
            "--request-file",
            request.toString(),
            "--deployment",
            "green");

    assertEquals(0, run.code(), run.toString());
    Request score = api.only("POST", "/endpoints/my-endpoint/score");
    assertEquals("green", score.header("azureml-model-deployment"));
    assertEquals(
        "green", score.header("Knative-Serving-Tag"), "what Knative routes by on a cluster");
    assertEquals("Bearer tok", score.header("Authorization"));
  }

  @Test
  void invokeFailureIsOneLineWithStatusAndMessage() throws IOException {
    Path request = dir.resolve("request.json");
    Files.writeString(request, "{\"data\": [[1]]}");
    api.on("GET", EP, json(endpointView("key")));
    api.on("GET", EP + "/keys", json("{\"primaryKey\": \"pk\", \"secondaryKey\": \"sk\"}"));
    api.on("POST", "/endpoints/my-endpoint/score", error(400, "input has 1 column, expected 2"));

    Run run =
        cli.run(
            "online-endpoint", "invoke", "-n", "my-endpoint", "--request-file", request.toString());

    assertEquals(1, run.code());
    assertEquals(
        "knoe: error: scoring on endpoint 'my-endpoint' failed with HTTP 400: input has 1"
            + " column, expected 2\n",
        run.err());
    assertEquals("", run.out());
  }

  @Test
  void debugAddsTheStackTrace() {
    cli.env.put("KNOE_DEBUG", "1");

    Run run = cli.run("online-endpoint", "show", "-n", "nope");

    assertEquals(1, run.code());
    assertTrue(run.err().contains("at dev.knoe.control.cli."), run.err());
  }

  // ------------------------------------------------------------ metrics

  static final String FIGURES =
      """
      {"endpoint": "my-endpoint", "source": "local", "message": null,
       "window_seconds": 120, "step_seconds": 60, "timestamps": [1733350000, 1733350060],
       "deployments": {
         "blue": {"requests_per_second": [0.0, 2.5], "latency_p50_ms": [null, 1.2],
                  "latency_p99_ms": [null, 8.75], "errors_4xx_per_second": [0.0, 0.1],
                  "errors_5xx_per_second": [0.0, 0.0], "instances_ready": [1, 2],
                  "instances_wanted": [1, 2], "requests_held": [0, 3], "cold_starts": [0, 1]},
         "green": {"requests_per_second": [0.0, 0.0], "latency_p50_ms": [null, null],
                   "latency_p99_ms": [null, null], "errors_4xx_per_second": [0.0, 0.0],
                   "errors_5xx_per_second": [0.0, 0.0], "instances_ready": [null, null],
                   "instances_wanted": [null, null], "requests_held": [null, null],
                   "cold_starts": [null, null]}}}
      """;

  @Test
  void metricsPrintsARowPerDeploymentAndInterval() {
    api.on("GET", EP + "/metrics", json(FIGURES));

    Run run =
        cli.run(
            "online-endpoint",
            "metrics",
            "-n",
            "my-endpoint",
            "--window",
            "2m",
            "--interval",
            "60s");

    assertEquals(0, run.code(), run.toString());
    assertEquals("window=2m&step=60s", api.only("GET", EP + "/metrics").query());
    assertEquals(
        "DEPLOYMENT  TIMESTAMP (UTC)       REQ/S  P50 MS  P99 MS  4XX/S  5XX/S  READY  WANTED  HELD"
            + "  COLD STARTS\n"
            + "blue        2024-12-04T22:06:40Z  0.0    -       -       0.0    0.0    1      1       0"
            + "     0\n"
            + "blue        2024-12-04T22:07:40Z  2.5    1.2     8.75    0.1    0.0    2      2       3"
            + "     1\n"
            + "green       2024-12-04T22:06:40Z  0.0    -       -       0.0    0.0    -      -       -"
            + "     -\n"
            + "green       2024-12-04T22:07:40Z  0.0    -       -       0.0    0.0    -      -       -"
            + "     -\n",
        run.out());
    assertEquals("", run.err());
  }

  @Test
  void metricsAsksForFifteenMinutesByTheMinuteAndPrintsTheApiJsonWithDashOJson()
      throws IOException {
    api.on("GET", EP + "/metrics", json(FIGURES));

    Run run = cli.run("online-endpoint", "metrics", "-n", "my-endpoint", "-o", "json");

    assertEquals(0, run.code(), run.toString());
    assertEquals("window=15m&step=1m", api.only("GET", EP + "/metrics").query());
    JsonNode printed = Json.MAPPER.readTree(run.out());
    assertEquals(
        2.5,
        printed.path("deployments").path("blue").path("requests_per_second").get(1).asDouble());
    assertTrue(printed.path("deployments").path("green").path("latency_p50_ms").get(0).isNull());
  }

  @Test
  void metricsFromNowherePrintsWhereTheFiguresAre() {
    api.on(
        "GET",
        EP + "/metrics",
        json(
            """
            {"endpoint": "my-endpoint", "source": "none",
             "message": "Set the chart value metrics.prometheusUrl.",
             "window_seconds": 900, "step_seconds": 60, "timestamps": [], "deployments": {}}
            """));

    Run run = cli.run("online-endpoint", "metrics", "-n", "my-endpoint");

    assertEquals(0, run.code(), run.toString());
    assertEquals("", run.out());
    assertEquals("Set the chart value metrics.prometheusUrl.\n", run.err());
  }

  @Test
  void metricsOfAnUnknownEndpointIsTheServersError() {
    api.on("GET", EP + "/metrics", error(404, "no endpoint 'my-endpoint'"));

    Run run = cli.run("online-endpoint", "metrics", "-n", "my-endpoint");

    assertEquals(1, run.code(), run.toString());
    assertTrue(run.err().contains("no endpoint 'my-endpoint'"), run.err());
  }
}
