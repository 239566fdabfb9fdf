package dev.knoe.control.knative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.knoe.control.chart.StructuralSchema;
import dev.knoe.control.spec.AuthMode;
import dev.knoe.control.spec.DeploymentSpec;
import dev.knoe.control.spec.EndpointSpec;
import dev.knoe.control.spec.ScaleSettings;
import dev.knoe.control.spec.Trigger;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every object Knoe renders for a cluster, validated against the openAPIV3Schema of the CRD that
 * receives it: Knative Serving's Service and Eventing's Trigger (copied from knative/serving and
 * knative/eventing), and the chart's own OnlineEndpoint and OnlineDeployment; plus Knative's rules
 * the schema does not say.
 */
public class KnativeSchemaTest {

  static final Path KNATIVE = Path.of("src/test/resources/knative");
  static final Path CHART_CRDS = Path.of("../charts/knoe/crds");
  static final ObjectMapper JSON = new ObjectMapper();

  record Case(String name, EndpointSpec endpoint, List<DeploymentRevision> deployments) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() throws Exception {
    EndpointSpec e = KnativeRendererTest.endpoint();
    DeploymentSpec blue = KnativeRendererTest.deployment("blue-deployment.yml");
    DeploymentSpec green = KnativeRendererTest.deployment("green-deployment.yml");
    return Stream.of(
        new Case(
            "samples: blue 90 %, green 10 %",
            e.withTraffic(Map.of("blue", 90, "green", 10)),
            List.of(KnativeRendererTest.revision(blue, 1), KnativeRendererTest.revision(green, 1))),
        new Case(
            "no traffic: the 404 revision takes 100 %",
            e, List.of(KnativeRendererTest.revision(blue, 4))),
        new Case("no deployment at all", e, List.of()),
        new Case(
            "token auth, GPU, scale to zero, a trigger",
            new EndpointSpec(
                "fraud",
                AuthMode.AML_TOKEN,
                null,
                Map.of(),
                Map.of("gpu", 100),
                Map.of(),
                List.of(new Trigger("default", Map.of("type", "com.example.order.created")))),
            List.of(
                    KnativeRendererTest.revision(
                        blue.withInstanceType("gpu-small")
                            .withScaleSettings(ScaleSettings.targetUtilization(0, 4)),
                        2))
                .stream()
                .map(
                    r ->
                        new DeploymentRevision(
                            withNames(r.spec(), "gpu", "fraud"),
                            null,
                            2,
                            "fraud-gpu",
                            "3",
                            r.model(),
                            null))
                .toList()),
        new Case(
            "longest names with capitals",
            new EndpointSpec(
                "E" + "e".repeat(31),
                AuthMode.KEY,
                null,
                Map.of(),
                Map.of("D" + "d".repeat(31), 100),
                Map.of(),
                List.of()),
            List.of(
                new DeploymentRevision(
                    withNames(blue, "D" + "d".repeat(31), "E" + "e".repeat(31)),
                    "7f3a2c1e-0b6d-4c4e-9d2a-5e8f0a1b2c3d",
                    987654,
                    "m",
                    "1",
                    KnativeRendererTest.revision(blue, 1).model(),
                    null))));
  }

  static DeploymentSpec withNames(DeploymentSpec d, String name, String endpoint) {
    return new DeploymentSpec(
        name,
        endpoint,
        d.description(),
        d.tags(),
        d.model(),
        d.codeConfiguration(),
        d.image(),
        d.environmentVariables(),
        d.instanceType(),
        d.instanceCount(),
        d.scaleSettings(),
        d.requestSettings(),
        d.livenessProbe(),
        d.readinessProbe(),
        d.batching());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyRenderedObjectValidatesAgainstItsCrd(Case c) throws Exception {
    KnativeRenderer renderer = new KnativeRenderer(RenderSettings.defaults("models"));
    List<HasMetadata> objects = KnativeManifests.render(renderer, c.endpoint(), c.deployments());
    List<String> problems = validate(objects);
    assertEquals(List.of(), problems);
    assertTrue(objects.stream().anyMatch(o -> o instanceof Service));
  }

  /**
   * Schema problems of each object, by the CRD of its kind, and Knative's unwritten rules for
   * Services.
   */
  static List<String> validate(List<? extends HasMetadata> objects) throws Exception {
    List<String> problems = new ArrayList<>();
    for (HasMetadata o : objects) {
      JsonNode tree = JSON.readTree(Serialization.asJson(o));
      // The API server owns apiVersion, kind and metadata; some CRDs (Knative Eventing's) leave
      // them
      // out of their schema. The name is checked below.
      ((com.fasterxml.jackson.databind.node.ObjectNode) tree)
          .remove(List.of("apiVersion", "kind", "metadata"));
      if (!o.getKind().equals("ConfigMap")) { // a core kind has no CRD; its name is checked below
        schemaFor(o.getKind())
            .validate(tree)
            .forEach(p -> problems.add(o.getKind() + " " + o.getMetadata().getName() + ": " + p));
      }
      if (o instanceof Service s) {
        KnativeRules.problems(s)
            .forEach(p -> problems.add("Service " + s.getMetadata().getName() + ": " + p));
      }
      String name = o.getMetadata().getName();
      if (name.length() > 63 || !name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
        problems.add(o.getKind() + " name '" + name + "' is not a DNS label");
      }
    }
    return problems;
  }

  public static StructuralSchema schemaFor(String kind) throws Exception {
    return switch (kind) {
      case "Service" -> StructuralSchema.ofCrd(KNATIVE.resolve("crd-service.yaml"), "v1");
      case "Trigger" -> StructuralSchema.ofCrd(KNATIVE.resolve("crd-eventing-trigger.yaml"), "v1");
      case "OnlineEndpoint" ->
          StructuralSchema.ofCrd(CHART_CRDS.resolve("onlineendpoints.knoe.dev.yaml"), "v1alpha1");
      case "OnlineDeployment" ->
          StructuralSchema.ofCrd(CHART_CRDS.resolve("onlinedeployments.knoe.dev.yaml"), "v1alpha1");
      default -> throw new AssertionError("no CRD known for kind " + kind);
    };
  }

  @ParameterizedTest(name = "{0} is a structural schema")
  @MethodSource("crds")
  void theSchemasThemselvesAreStructural(String file, String version) throws Exception {
    Path p = file.startsWith("crd-") ? KNATIVE.resolve(file) : CHART_CRDS.resolve(file);
    assertTrue(Files.exists(p), p.toString());
    StructuralSchema s = StructuralSchema.ofCrd(p, version);
    // A schema the validator cannot read fully would make every check above vacuous.
    assertFalse(
        s.validate(JSON.readTree("{\"apiVersion\": 1}")).isEmpty(),
        "the validator rejects a wrong type");
  }

  static Stream<org.junit.jupiter.params.provider.Arguments> crds() {
    return Stream.of(
        org.junit.jupiter.params.provider.Arguments.of("crd-service.yaml", "v1"),
        org.junit.jupiter.params.provider.Arguments.of("crd-eventing-trigger.yaml", "v1"),
        org.junit.jupiter.params.provider.Arguments.of("onlineendpoints.knoe.dev.yaml", "v1alpha1"),
        org.junit.jupiter.params.provider.Arguments.of(
            "onlinedeployments.knoe.dev.yaml", "v1alpha1"));
  }
}
