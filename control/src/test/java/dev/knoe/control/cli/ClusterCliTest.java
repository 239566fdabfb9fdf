package dev.knoe.control.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.control.cluster.FakeKnative;
import dev.knoe.control.cluster.OnlineDeployment;
import dev.knoe.control.knative.KnativeNames;
import dev.knoe.control.serve.ClusterModeTest;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same {@code knoe} commands against a cluster's control URL: {@code knoe serve} in cluster
 * mode on a real API server where {@link FakeKnative} plays Knative's controllers, driven through
 * the whole safe rollout with the sample files (their {@code model.path} uploaded by the CLI).
 */
@QuarkusTest
@TestProfile(ClusterModeTest.Cluster.class)
class ClusterCliTest {

  static final String EP = "cli-ep";

  @TempDir Path home;
  KubernetesClient client;
  KnativeClient knative;
  ScheduledExecutorService knativeControllers;
  FakeKnative fake;

  @BeforeEach
  void knative() {
    client = ClusterModeTest.client();
    knative = client.adapt(KnativeClient.class);
    fake = new FakeKnative(client, ClusterModeTest.NS);
    knativeControllers = Executors.newSingleThreadScheduledExecutor();
    knativeControllers.scheduleWithFixedDelay(
        () -> {
          try {
            fake.step(EP);
          } catch (RuntimeException e) {
            // a write raced the reconciler's: the next step sees the new state
          }
        },
        0,
        100,
        TimeUnit.MILLISECONDS);
  }

  /**
   * The revision name of generation {@code generation} of deployment {@code name} (its life from
   * its uid).
   */
  String rev(String name, long generation) {
    OnlineDeployment d =
        client
            .resources(OnlineDeployment.class)
            .inNamespace(ClusterModeTest.NS)
            .withName(EP + "-" + name)
            .get();
    return KnativeNames.revision(EP, name, d.getMetadata().getUid(), generation);
  }

  @AfterEach
  void stop() {
    knativeControllers.shutdownNow();
    client.close();
    assertEquals(List.of(), fake.refusals(), "Knative's validation accepts every Service written");
  }

  @Test
  void safeRolloutWithTheSameCommands() {
    Path samples = ClusterModeTest.SAMPLES;
    Cli.Run run =
        knoe(
            "online-endpoint",
            "create",
            "-f",
            samples.resolve("endpoint.yml").toString(),
            "-n",
            EP);
    assertEquals(0, run.code(), run.toString());

    run =
        knoe(
            "online-deployment",
            "create",
            "-f",
            samples.resolve("blue-deployment.yml").toString(),
            "-e",
            EP,
            "--all-traffic");
    assertEquals(0, run.code(), run.toString());
    assertTrue(
        run.err().contains("Uploaded") && run.err().contains("as model cli-ep-blue:1"),
        run.toString());
    assertEquals(List.of(rev("blue", 1) + ":100:blue"), traffic());

    run =
        knoe(
            "online-deployment",
            "create",
            "-f",
            samples.resolve("green-deployment.yml").toString(),
            "-e",
            EP);
    assertEquals(0, run.code(), run.toString());
    assertEquals(List.of(rev("blue", 1) + ":100:blue", rev("green", 1) + ":0:green"), traffic());

    run = knoe("online-endpoint", "update", "-n", EP, "--traffic", "blue=90 green=10");
    assertEquals(0, run.code(), run.toString());
    Awaitility.await("90/10 on the Knative Service")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                traffic()
                    .equals(List.of(rev("blue", 1) + ":90:blue", rev("green", 1) + ":10:green")));

    // Changing green's settings with the same file reuses the uploaded model: a new revision, no
    // new version.
    run =
        knoe(
            "online-deployment",
            "update",
            "-f",
            samples.resolve("green-deployment.yml").toString(),
            "-e",
            EP,
            "--set",
            "instance_count=2");
    assertEquals(0, run.code(), run.toString());
    assertTrue(run.err().contains("Model cli-ep-green:1 already holds"), run.toString());
    Awaitility.await("green's new revision takes its 10 %")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                traffic()
                    .equals(List.of(rev("blue", 1) + ":90:blue", rev("green", 2) + ":10:green")));

    run = knoe("online-deployment", "delete", "-e", EP, "-n", "blue", "--yes");
    assertNotEquals(0, run.code(), run.toString());
    assertTrue(run.err().contains("90 % of endpoint 'cli-ep' traffic"), run.toString());

    run = knoe("online-endpoint", "update", "-n", EP, "--traffic", "green=100");
    assertEquals(0, run.code(), run.toString());
    Awaitility.await("all traffic on green")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                traffic()
                    .equals(List.of(rev("green", 2) + ":100:green", rev("blue", 1) + ":0:blue")));
    run = knoe("online-deployment", "delete", "-e", EP, "-n", "blue", "--yes");
    assertEquals(0, run.code(), run.toString());
    Awaitility.await("blue gone from the Service")
        .atMost(Duration.ofSeconds(30))
        .until(() -> traffic().equals(List.of(rev("green", 2) + ":100:green")));

    Awaitility.await("the endpoint Succeeded once Knative routes it")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                knoe("online-endpoint", "show", "-n", EP, "-o", "json")
                    .out()
                    .contains("\"provisioning_state\": \"Succeeded\""));
    run = knoe("online-endpoint", "show", "-n", EP, "-o", "json");
    assertTrue(
        run.out().contains("\"scoring_uri\": \"http://cli-ep.models.example.com/score\""),
        run.out());

    run = knoe("online-endpoint", "get-credentials", "-n", EP, "-o", "json");
    assertEquals(0, run.code(), run.toString());
    String keys =
        new String(
            Base64.getDecoder()
                .decode(
                    client
                        .secrets()
                        .inNamespace(ClusterModeTest.NS)
                        .withName("cli-ep-auth")
                        .get()
                        .getData()
                        .get("keys")),
            StandardCharsets.UTF_8);
    assertTrue(run.out().contains(keys.lines().findFirst().orElseThrow()), run.out());

    run = knoe("online-deployment", "get-logs", "-e", EP, "-n", "green");
    assertEquals(0, run.code(), run.toString());
    assertTrue(run.out().contains("no pod of revision " + rev("green", 2)), run.out());

    run = knoe("online-endpoint", "delete", "-n", EP, "--yes");
    assertEquals(0, run.code(), run.toString());
    Awaitility.await("the reconciler removes the Service")
        .atMost(Duration.ofSeconds(30))
        .until(() -> knative.services().inNamespace(ClusterModeTest.NS).withName(EP).get() == null);
    assertEquals(
        List.of(),
        client
            .resources(OnlineDeployment.class)
            .inNamespace(ClusterModeTest.NS)
            .list()
            .getItems()
            .stream()
            .filter(d -> d.getMetadata().getName().startsWith(EP))
            .toList());
  }

  /** revisionName:percent:tag of each target of the endpoint's Knative Service. */
  private List<String> traffic() {
    Service s = knative.services().inNamespace(ClusterModeTest.NS).withName(EP).get();
    return s == null
        ? List.of()
        : s.getSpec().getTraffic().stream()
            .map(t -> t.getRevisionName() + ":" + t.getPercent() + ":" + t.getTag())
            .toList();
  }

  private Cli.Run knoe(String... args) {
    var out = new StringWriter();
    var err = new StringWriter();
    var ctx =
        new CliContext(
            Map.of(
                "KNOE_URL",
                "http://localhost:" + RestAssured.port,
                "KNOE_ADMIN_KEY",
                ClusterModeTest.ADMIN),
            home,
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            Clock.systemUTC(),
            d -> Thread.sleep(d.toMillis()),
            false);
    int code = KnoeCommand.commandLine(ctx).execute(args);
    return new Cli.Run(code, out.toString(), err.toString());
  }
}
