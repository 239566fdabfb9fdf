package dev.knoe.control.cli;

import static dev.knoe.control.cli.FakeApi.Response.error;
import static dev.knoe.control.cli.FakeApi.Response.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.knoe.control.cli.Cli.Run;
import dev.knoe.control.cli.FakeApi.Request;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeploymentCommandsTest extends CommandsTestBase {

  static final String EP = "/api/v1/endpoints/my-endpoint";
  static final String DEPLOYMENTS = EP + "/deployments";
  static final String GREEN = DEPLOYMENTS + "/green";

  Path file;

  @BeforeEach
  void writeDeploymentFile() throws IOException {
    Files.createDirectories(dir.resolve("rollout"));
    file = dir.resolve("rollout/green-deployment.yml");
    Files.writeString(
        file,
        """
        name: green
        endpoint_name: my-endpoint
        model: {path: ../models/model-2/}
        instance_count: 2
        app_insights_enabled: true
        """);
  }

  static String view(String state, int ready, String message) {
    return
"""
{"name": "green", "endpoint_name": "my-endpoint", "tags": {},
 "model": {"path": "/models/model-2"}, "environment_variables": {},
 "instance_type": "cpu-small", "instance_count": 2, "scale_settings": {"type": "default"},
 "provisioning_state": "%s", %s
 "registered_model": {"name": "green-model", "version": 1, "id": "green-model:1"},
 "ready_instances": %d, "generation": 1}
"""
        .formatted(state, message == null ? "" : "\"message\": \"" + message + "\",", ready);
  }

  static final String ENDPOINT =
      """
      {"name": "my-endpoint", "auth_mode": "key", "tags": {}, "traffic": {"blue": 100},
       "mirror_traffic": {"green": 10}, "triggers": [], "provisioning_state": "Succeeded",
       "generation": 4}
      """;

  // ------------------------------------------------------------ create and wait

  @Test
  void createSendsAbsolutePathsAndWaitsWithProgressUntilSucceeded() {
    api.on("POST", DEPLOYMENTS, json(202, view("Creating", 0, "starting instances")));
    api.on(
        "GET",
        GREEN,
        json(view("Creating", 0, "starting instances")),
        json(view("Creating", 1, "starting instances")),
        json(view("Succeeded", 2, null)));

    Run run = cli.run("online-deployment", "create", "-f", file.toString());

    assertEquals(0, run.code(), run.toString());
    JsonNode body = api.only("POST", DEPLOYMENTS).json();
    assertEquals(dir.resolve("models/model-2").toString(), body.at("/model/path").asText());
    assertEquals(2, body.get("instance_count").asInt());
    String what = "deployment 'green' of endpoint 'my-endpoint': ";
    String warning = run.errLines().get(0);
    assertTrue(warning.startsWith("knoe: warning: " + file + ": "), warning);
    assertTrue(warning.contains("app_insights_enabled"), warning);
    assertEquals(
        List.of(
            what + "Creating, 0/2 instances ready (starting instances), 0 s",
            what + "Creating, 1/2 instances ready (starting instances), 1 s",
            what + "Succeeded, 2/2 instances ready, 1 s"),
        run.errLines().subList(1, run.errLines().size()));
    assertTrue(run.out().contains("\nprovisioning_state: Succeeded\n"), run.out());
    assertEquals(3, api.requests("GET", GREEN).size(), "polled every 0.5 s");
    assertEquals(3, cli.time.sleeps());
  }

  @Test
  void aFailedDeploymentPrintsItsMessageAndExitsOne() {
    api.on("POST", DEPLOYMENTS, json(202, view("Creating", 0, null)));
    api.on("GET", GREEN, json(view("Failed", 0, "model.onnx is not an ONNX model")));

    Run run = cli.run("online-deployment", "create", "-f", file.toString());

    assertEquals(1, run.code());
    assertEquals(
        "knoe: error: deployment 'green' of endpoint 'my-endpoint' failed: model.onnx is not an"
            + " ONNX model",
        run.errLines().get(run.errLines().size() - 1));
    assertEquals("", run.out());
  }

  @Test
  void waitingStopsAtTheTimeout() {
    api.on("POST", DEPLOYMENTS, json(202, view("Creating", 0, null)));
    api.on("GET", GREEN, json(view("Creating", 0, null)));

    Run run = cli.run("online-deployment", "create", "-f", file.toString(), "--timeout", "30");

    assertEquals(1, run.code());
    assertTrue(
        run.err()
            .endsWith(
                "knoe: error: deployment 'green' of endpoint 'my-endpoint' is still Creating after"
                    + " 30 s; follow it with 'knoe online-deployment show -e my-endpoint -n"
                    + " green'\n"),
        run.err());
    assertEquals(60, cli.time.sleeps());
    // Outside a terminal an unchanged line is repeated only every 5 s: 0, 5, ..., 30.
    assertEquals(7 + 2, run.errLines().size(), run.err());
  }

  @Test
  void inATerminalProgressRewritesOneLine() {
    cli.interactive = true;
    api.on("POST", DEPLOYMENTS, json(202, view("Creating", 0, null)));
    api.on("GET", GREEN, json(view("Creating", 1, null)), json(view("Succeeded", 2, null)));

    Run run = cli.run("online-deployment", "create", "-f", file.toString());

    assertEquals(0, run.code(), run.toString());
    String progress = run.errLines().get(1);
    assertTrue(progress.startsWith("\rdeployment 'green'"), progress);
    assertTrue(progress.contains("\rdeployment 'green' of endpoint 'my-endpoint': Succeeded"));
  }

  @Test
  void noWaitReturnsTheAcceptedDeployment() {
    api.on("POST", DEPLOYMENTS, json(202, view("Creating", 0, null)));

    Run run =
        cli.run("online-deployment", "create", "-f", file.toString(), "--no-wait", "-o", "json");

    assertEquals(0, run.code(), run.toString());
    assertTrue(run.out().contains("\"provisioning_state\": \"Creating\""), run.out());
    assertEquals(List.of("GET /api/v1/platform", "POST " + DEPLOYMENTS), api.summary());
  }

  @Test
  void nameAndEndpointFlagsOverrideTheFile() {
    api.on("POST", "/api/v1/endpoints/other/deployments", json(202, view("Creating", 0, null)));

    Run run =
        cli.run(
            "online-deployment",
            "create",
            "-f",
            file.toString(),
            "-n",
            "teal",
            "--endpoint-name",
            "other",
            "--set",
            "instance_count=3",
            "--no-wait");

    assertEquals(0, run.code(), run.toString());
    JsonNode body = api.only("POST", "/api/v1/endpoints/other/deployments").json();
    assertEquals("teal", body.get("name").asText());
    assertEquals("other", body.get("endpoint_name").asText());
    assertEquals(3, body.get("instance_count").asInt());
  }

  // ------------------------------------------------------------ --all-traffic

  @Test
  void allTrafficMovesTheEndpointsTrafficOnceSucceeded() {
    api.on("POST", DEPLOYMENTS, json(202, view("Creating", 0, null)));
    api.on("GET", GREEN, json(view("Succeeded", 2, null)));
    api.on("GET", EP, json(ENDPOINT).etag("\"4\""));
    api.on("PUT", EP, json(ENDPOINT));

    Run run = cli.run("online-deployment", "create", "-f", file.toString(), "--all-traffic");

    assertEquals(0, run.code(), run.toString());
    assertEquals(
        List.of(
            "GET /api/v1/platform",
            "POST " + DEPLOYMENTS,
            "GET " + GREEN,
            "GET " + EP,
            "PUT " + EP),
        api.summary());
    Request put = api.only("PUT", EP);
    assertEquals("\"4\"", put.header("If-Match"));
    assertEquals("{\"green\":100}", put.json().get("traffic").toString());
    assertEquals("{}", put.json().get("mirror_traffic").toString(), "no mirror to a live target");
    assertTrue(run.err().contains("Endpoint 'my-endpoint' now sends all its traffic to 'green'."));
  }

  @Test
  void allTrafficIsNotMovedWhenTheDeploymentFails() {
    api.on("POST", DEPLOYMENTS, json(202, view("Creating", 0, null)));
    api.on("GET", GREEN, json(view("Failed", 0, "crashed")));

    Run run = cli.run("online-deployment", "create", "-f", file.toString(), "--all-traffic");

    assertEquals(1, run.code());
    assertTrue(api.requests("PUT", EP).isEmpty());
  }

  @Test
  void allTrafficWithNoWaitIsAUsageError() {
    Run run =
        cli.run("online-deployment", "create", "-f", file.toString(), "--all-traffic", "--no-wait");

    assertEquals(2, run.code());
    assertTrue(api.requests().isEmpty());
  }

  @Test
  void updateAllTrafficAloneMovesTrafficWithoutARollout() {
    api.on("GET", GREEN, json(view("Succeeded", 2, null)));
    api.on("GET", EP, json(ENDPOINT).etag("\"4\""));
    api.on("PUT", EP, json(ENDPOINT));

    Run run =
        cli.run("online-deployment", "update", "-n", "green", "-e", "my-endpoint", "--all-traffic");

    assertEquals(0, run.code(), run.toString());
    assertEquals(List.of("GET " + GREEN, "GET " + EP, "PUT " + EP), api.summary());
  }

  // ------------------------------------------------------------ update

  @Test
  void setUpdateReadsThenPutsWithIfMatchAndWaits() {
    api.on(
        "GET",
        GREEN,
        json(view("Succeeded", 2, null)).etag("\"1\""),
        json(view("Updating", 1, "rolling")),
        json(view("Succeeded", 3, null)));
    api.on("PUT", GREEN, json(202, view("Updating", 2, "rolling")));

    Run run =
        cli.run(
            "online-deployment",
            "update",
            "-n",
            "green",
            "-e",
            "my-endpoint",
            "--set",
            "instance_count=3",
            "--set",
            "environment_variables.LOG_LEVEL=debug");

    assertEquals(0, run.code(), run.toString());
    Request put = api.only("PUT", GREEN);
    assertEquals("\"1\"", put.header("If-Match"));
    assertEquals(3, put.json().get("instance_count").asInt());
    assertEquals("debug", put.json().at("/environment_variables/LOG_LEVEL").asText());
    assertEquals("/models/model-2", put.json().at("/model/path").asText());
    assertEquals(3, api.requests("GET", GREEN).size());
  }

  @Test
  void aLostDeploymentUpdateIsOneLine() {
    api.on("GET", GREEN, json(view("Succeeded", 2, null)).etag("\"1\""));
    api.on("PUT", GREEN, error(412, "changed"));

    Run run =
        cli.run(
            "online-deployment",
            "update",
            "-n",
            "green",
            "-e",
            "my-endpoint",
            "--set",
            "instance_count=3");

    assertEquals(1, run.code());
    assertEquals(
        "knoe: error: deployment 'green' of endpoint 'my-endpoint' was changed by someone else"
            + " since it was read; nothing was changed, run the command again\n",
        run.err());
  }

  // ------------------------------------------------------------ show, list, delete, logs

  @Test
  void listPrintsATable() {
    api.on("GET", DEPLOYMENTS, json("[" + view("Succeeded", 2, null) + "]"));

    Run run = cli.run("online-deployment", "list", "-e", "my-endpoint");

    assertEquals(0, run.code(), run.toString());
    assertEquals(
        "NAME   ENDPOINT     STATE      READY  MODEL          INSTANCE TYPE\n"
            + "green  my-endpoint  Succeeded  2/2    green-model:1  cpu-small\n",
        run.out());
  }

  @Test
  void deleteWithTrafficShowsTheServersAdvice() {
    api.on(
        "DELETE",
        GREEN,
        error(
            409,
            "deployment 'green' still has 10 % of endpoint 'my-endpoint' traffic; move it first"));

    Run run = cli.run("online-deployment", "delete", "-n", "green", "-e", "my-endpoint", "--yes");

    assertEquals(1, run.code());
    assertEquals(
        "knoe: error: deployment 'green' still has 10 % of endpoint 'my-endpoint' traffic; move"
            + " it first (HTTP 409)\n",
        run.err());
  }

  @Test
  void getLogsPassesLinesAndContainerAndPrintsTheText() {
    api.on("GET", GREEN + "/logs", FakeApi.Response.text("line 1\nline 2\n"));

    Run run =
        cli.run(
            "online-deployment",
            "get-logs",
            "-n",
            "green",
            "-e",
            "my-endpoint",
            "--lines",
            "2",
            "--container",
            "storage-initializer");

    assertEquals(0, run.code(), run.toString());
    assertEquals("line 1\nline 2\n", run.out());
    assertEquals("lines=2&container=storage-initializer", api.only("GET", GREEN + "/logs").query());
  }

  @Test
  void theEndpointIsRequired() {
    Run run = cli.run("online-deployment", "show", "-n", "green");

    assertEquals(2, run.code());
    assertTrue(run.err().contains("-e/--endpoint"), run.err());
  }
}
