package dev.knoe.control.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.knoe.autoscaler.ScalingPolicy;
import dev.knoe.control.knative.ArtifactSource;
import dev.knoe.control.knative.DeploymentRevision;
import dev.knoe.control.knative.KnativeManifests;
import dev.knoe.control.knative.KnativeRenderer;
import dev.knoe.control.knative.RenderSettings;
import dev.knoe.control.spec.DeploymentSpec;
import dev.knoe.control.spec.EndpointSpec;
import dev.knoe.control.spec.SpecParser;
import dev.knoe.control.upstream.KnativeJudge;
import dev.knoe.control.upstream.RealCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FieldValidateable;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Upstream code judges every object {@code knoe render} prints, for a table of specs covering each
 * scale setting, instance type, trigger and traffic shape the API accepts: Knative Serving's and
 * Eventing's own defaulting and validation (their webhooks' code, with the chart's feature flags)
 * must accept every Service and Trigger, and a real kube-apiserver with the CRDs installed must
 * accept every object with strict field validation (nothing unknown, nothing pruned).
 */
class RenderJudgedTest {

  static final Path MODEL = Path.of("../samples/models/model-1/model").toAbsolutePath().normalize();

  /**
   * One row: an endpoint YAML and its deployments' YAML ({@code MODEL} and {@code JAR} are
   * replaced).
   */
  record Case(String name, String endpoint, List<String> deployments) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Case c(String name, String endpoint, String... deployments) {
    return new Case(name, endpoint, List.of(deployments));
  }

  static String dep(String name, String endpoint, String more) {
    return "name: " + name + "\nendpoint_name: " + endpoint + "\nmodel: {path: MODEL}\n" + more;
  }

  static Stream<Case> cases() {
    return Stream.of(
        c(
            "the sample: blue, fixed size 1, all traffic",
            "name: my-endpoint\ntraffic: {blue: 100}\n",
            dep(
                "blue",
                "my-endpoint",
                "instance_type: cpu-small\ninstance_count: 1\n"
                    + "readiness_probe: {initial_delay: 0, period: 1, timeout: 2, success_threshold: 1, failure_threshold: 30}\n")),
        c(
            "no traffic anywhere: the 404 revision",
            "name: my-endpoint\n",
            dep("blue", "my-endpoint", "")),
        c("an endpoint without deployments", "name: lonely\n"),
        c(
            "fixed size 3 on cpu-medium",
            "name: ep3\ntraffic: {blue: 100}\n",
            dep("blue", "ep3", "instance_type: cpu-medium\ninstance_count: 3\n")),
        c(
            "scale to zero: target_utilization 0..5",
            "name: zero\ntraffic: {blue: 100}\n",
            dep(
                "blue",
                "zero",
                "scale_settings: {type: target_utilization, min_instances: 0, max_instances: 5}\n")),
        c(
            "autoscaled 1..1",
            "name: one\ntraffic: {blue: 100}\n",
            dep(
                "blue",
                "one",
                "scale_settings: {type: target_utilization, min_instances: 1, max_instances: 1}\n")),
        c(
            "autoscaled 3..10 from 5, 50 %, one request per instance",
            "name: busy\ntraffic: {blue: 100}\n",
            dep(
                "blue",
                "busy",
                "instance_count: 5\nscale_settings: {type: target_utilization, min_instances: 3,"
                    + " max_instances: 10, target_utilization_percentage: 50, polling_interval: 1}\n"
                    + "request_settings: {max_concurrent_requests_per_instance: 1}\n")),
        c(
            "widest request settings: 1000 at once, 180 s",
            "name: wide\ntraffic: {blue: 100}\n",
            dep(
                "blue",
                "wide",
                "request_settings: {request_timeout_ms: 180000, max_concurrent_requests_per_instance: 1000,"
                    + " max_queue_wait_ms: 500}\n")),
        c(
            "narrowest timeout: 1 ms",
            "name: quick\ntraffic: {blue: 100}\n",
            dep(
                "blue",
                "quick",
                "request_settings: {request_timeout_ms: 1, max_concurrent_requests_per_instance: 1}\n"
                    + "batching: {max_batch_size: 32, max_delay_ms: 0}\n")),
        c(
            "gpu-small",
            "name: gpu\ntraffic: {blue: 100}\n",
            dep("blue", "gpu", "instance_type: gpu-small\n")),
        c(
            "an Azure SKU: Standard_DS3_v2",
            "name: azure\ntraffic: {blue: 100}\n",
            dep("blue", "azure", "instance_type: Standard_DS3_v2\n")),
        c(
            "cpu-large, own image, variables, probes, batching off",
            "name: custom\ntraffic: {blue: 100}\n",
            dep(
                "blue",
                "custom",
                "instance_type: cpu-large\nenvironment: {image: registry.example.com/scoring:7}\n"
                    + "environment_variables: {LOG_LEVEL: debug, KNOE_INTRA_OP_THREADS: '2'}\n"
                    + "liveness_probe: {initial_delay: 0, period: 30, timeout: 5, success_threshold: 1, failure_threshold: 1}\n"
                    + "readiness_probe: {initial_delay: 60, period: 60, timeout: 30, success_threshold: 5, failure_threshold: 100}\n"
                    + "batching: {max_batch_size: 1, max_delay_ms: 0}\n")),
        c(
            "a custom Java handler",
            "name: handled\ntraffic: {blue: 100}\n",
            dep(
                "blue",
                "handled",
                "code_configuration: {code: JAR, scoring_script: com.example.Score}\n")),
        c(
            "split 90/10, mirror 20 % to a third",
            "name: split\ntraffic: {blue: 90, green: 10}\nmirror_traffic: {red: 20}\n",
            dep("blue", "split", ""),
            dep("green", "split", "instance_count: 2\n"),
            dep("red", "split", "")),
        c(
            "split 50/25/25 over autoscaled and fixed",
            "name: thirds\ntraffic: {a1b: 50, c2d: 25, e3f: 25}\n",
            dep(
                "a1b",
                "thirds",
                "scale_settings: {type: target_utilization, min_instances: 0, max_instances: 2}\n"),
            dep("c2d", "thirds", ""),
            dep("e3f", "thirds", "instance_count: 4\n")),
        c(
            "token auth",
            "name: tok\nauth_mode: aml_token\ntraffic: {blue: 100}\n",
            dep("blue", "tok", "")),
        c(
            "triggers on two brokers",
            "name: events\ntraffic: {blue: 100}\ntriggers:\n"
                + "  - {filter: {type: com.example.order.created}}\n"
                + "  - {broker: orders, filter: {type: com.example.order.paid, source: shop, subject: cart}}\n",
            dep("blue", "events", "")),
        c(
            "capital letters in names",
            "name: Fraud-Scoring\ntraffic: {Blue: 100}\n",
            dep("Blue", "Fraud-Scoring", "")),
        c(
            "longest names: 32 characters each",
            "name: e2345678901234567890123456789012\n"
                + "traffic: {d2345678901234567890123456789012: 100}\n",
            dep("d2345678901234567890123456789012", "e2345678901234567890123456789012", "")));
  }

  /**
   * Platform knobs ({@code knoe serve}'s KNOE_AUTOSCALER_*, the chart's extraEnv) at their limits.
   */
  record Knobs(
      String name, java.util.function.UnaryOperator<ScalingPolicy.Builder> set, String deployment) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Knobs> knobs() {
    String autoscaled =
        "scale_settings: {type: target_utilization, min_instances: 0, max_instances: 5,"
            + " target_utilization_percentage: 13}\n";
    return Stream.of(
        new Knobs("activation 3 within max 5", b -> b.activationScale(3), autoscaled),
        new Knobs("activation 8 capped at max 5", b -> b.activationScale(8), autoscaled),
        new Knobs(
            "activation 2 under a fixed size of 3",
            b -> b.activationScale(2),
            "instance_count: 3\n"),
        new Knobs(
            "shortest window, narrowest panic",
            b ->
                b.stableWindow(Duration.ofSeconds(6))
                    .panicWindowPercentage(1)
                    .panicThresholdPercentage(110),
            autoscaled),
        new Knobs(
            "longest window, widest panic",
            b ->
                b.stableWindow(Duration.ofHours(1))
                    .panicWindowPercentage(100)
                    .panicThresholdPercentage(1000),
            autoscaled),
        new Knobs(
            "longest scale-down delay and retention",
            b -> b.scaleDownDelay(Duration.ofHours(1)).scaleToZeroRetention(Duration.ofHours(1)),
            autoscaled));
  }

  /**
   * The same judge for every platform knob at its limits: what the reconciler renders with them.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("knobs")
  void platformKnobsAtTheirLimitsPassKnativesValidation(Knobs k) throws Exception {
    RenderSettings defaults = RenderSettings.defaults("ns");
    RenderSettings settings =
        new RenderSettings(
            "ns",
            defaults.scoringImage(),
            defaults.gpuScoringImage(),
            defaults.storageInitializerImage(),
            defaults.modelReaderSecret(),
            defaults.catalog(),
            k.set().apply(defaults.autoscaling().toBuilder()).build());
    EndpointSpec endpoint =
        SpecParser.endpoint(
                Map.of("name", "knobs", "traffic", Map.of("blue", 100)), null, List.of())
            .spec();
    Map<String, Object> d =
        RenderCommandTest.YAML.readValue(
            dep("blue", "knobs", k.deployment()).replace("MODEL", MODEL.toString()), Map.class);
    DeploymentSpec blue = SpecParser.deployment(d, null, List.of()).spec();
    var revision =
        new DeploymentRevision(
            blue,
            "7f3a2c1e-0b6d-4c4e-9d2a-5e8f0a1b2c3d",
            1,
            "knobs-blue",
            "1",
            new ArtifactSource("http://knoe:8500/m", "0".repeat(64), "model.onnx"),
            null);
    List<HasMetadata> objects =
        KnativeManifests.render(new KnativeRenderer(settings), endpoint, List.of(revision));
    KnativeJudge.assertAccepted(
        objects.stream().filter(o -> o.getApiVersion().contains("knative.dev")).toList());
  }

  @TempDir static Path home;
  static KubernetesClient cluster;

  @BeforeAll
  static void cluster() {
    cluster = RealCluster.shared().client();
  }

  @AfterAll
  static void close() {
    cluster.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyRenderedObjectPassesKnativesValidationAndTheApiServer(Case c) throws Exception {
    Path dir = Files.createTempDirectory(home, "case");
    Path jar = Files.writeString(dir.resolve("handler.jar"), "a jar is only hashed by render");
    List<String> args = new ArrayList<>(List.of("render", "--namespace", "ns"));
    Files.writeString(dir.resolve("endpoint.yml"), c.endpoint());
    args.addAll(List.of("-f", dir.resolve("endpoint.yml").toString()));
    for (int i = 0; i < c.deployments().size(); i++) {
      Path file = dir.resolve("deployment-" + i + ".yml");
      Files.writeString(
          file,
          c.deployments().get(i).replace("MODEL", MODEL.toString()).replace("JAR", jar.toString()));
      args.addAll(List.of("-f", file.toString()));
    }
    Cli.Run run = new Cli(home).run(args.toArray(String[]::new));
    assertEquals(0, run.code(), run.toString());

    // Knative's webhooks' code: no refusal (warnings are allowed).
    List<KnativeJudge.Verdict> verdicts = KnativeJudge.assertAccepted(run.out());
    long judged =
        RenderCommandTest.documents(run.out()).stream()
            .filter(d -> d.path("apiVersion").asText().contains("knative.dev"))
            .count();
    assertEquals(
        judged,
        verdicts.stream().filter(v -> !v.outcome().equals("warning")).count(),
        "one verdict per Knative object: " + verdicts);
    assertEquals(
        List.of(),
        verdicts.stream().filter(v -> v.outcome().equals("warning")).toList(),
        "no warning either (e.g. Knative's for containers that could run as root)");

    // A real API server: each object, created with strict field validation in a namespace of its
    // own.
    String ns = RealCluster.shared().newNamespace("render");
    for (JsonNode doc : RenderCommandTest.documents(run.out())) {
      GenericKubernetesResource r =
          Serialization.unmarshal(doc.toString(), GenericKubernetesResource.class);
      r.getMetadata().setNamespace(ns);
      GenericKubernetesResource created =
          cluster.resource(r).fieldValidation(FieldValidateable.Validation.STRICT).create();
      if (r.getApiVersion().startsWith("knoe.dev/")) {
        // Knoe's own CRDs declare no defaults: what is read back is what was written. (Knative's
        // CRDs default a few fields, e.g. a port's protocol; strict validation has shown that
        // nothing in them was unknown.)
        assertEquals(
            RenderCommandTest.YAML.valueToTree(r.getAdditionalProperties().get("spec")),
            RenderCommandTest.YAML.valueToTree(created.getAdditionalProperties().get("spec")),
            r.getKind()
                + " "
                + r.getMetadata().getName()
                + ": the API server stores the spec as written");
      }
    }
    assertTrue(run.err().isEmpty() || !run.err().contains("error"), run.err());
  }
}
