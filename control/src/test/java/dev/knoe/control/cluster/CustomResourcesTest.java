package dev.knoe.control.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.knoe.control.knative.KnativeManifests;
import dev.knoe.control.knative.KnativeRenderer;
import dev.knoe.control.knative.RenderSettings;
import dev.knoe.control.spec.DeploymentSpec;
import dev.knoe.control.spec.EndpointSpec;
import dev.knoe.control.spec.SpecParser;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The custom resource classes against the chart's sample resources and the renderer's resources.
 */
class CustomResourcesTest {

  static final Path CHART_SAMPLES = Path.of("src/test/resources/chart");

  @Test
  void theChartsSamplesRoundTripAndParse() throws Exception {
    String yaml = Files.readString(CHART_SAMPLES.resolve("sample-endpoint.yaml"));
    OnlineEndpoint e = Serialization.unmarshal(yaml, OnlineEndpoint.class);
    JsonNode original = ClusterFixture.YAML.readTree(yaml);
    JsonNode again = ClusterFixture.JSON.readTree(Serialization.asJson(e));
    assertEquals(original.get("spec"), again.get("spec"), "spec, $schema included, round-trips");
    assertEquals(original.get("status"), again.get("status"), "status round-trips");
    EndpointSpec spec = SpecTrees.endpoint(e).spec();
    assertEquals("my-endpoint", spec.name());
    assertEquals(Map.of("blue", 100), spec.traffic());

    OnlineDeployment d =
        Serialization.unmarshal(
            Files.readString(CHART_SAMPLES.resolve("sample-deployment.yaml")),
            OnlineDeployment.class);
    assertEquals("my-endpoint", SpecTrees.endpointResourceOf(d));
    assertEquals(
        "blue", SpecTrees.deploymentName(d, "my-endpoint"), "the resource name minus <endpoint>-");
    DeploymentSpec ds = SpecTrees.deployment(d, "my-endpoint").spec();
    assertEquals("blue", ds.name());
    assertEquals(1L, d.getStatus().observedGeneration());
  }

  @Test
  void whatTheRendererWritesReadsBackUnderTheSameNamesEvenWithCapitals() throws Exception {
    KnativeRenderer renderer = new KnativeRenderer(RenderSettings.defaults("knoe"));
    EndpointSpec endpoint =
        SpecParser.endpoint(
                Map.of("name", "Fraud-Scoring", "traffic", Map.of("Blue", 100)), null, List.of())
            .spec();
    DeploymentSpec blue =
        SpecParser.deployment(
                Map.of("name", "Blue", "endpoint_name", "Fraud-Scoring", "model", "fraud:3"),
                null,
                List.of())
            .spec();
    var rendered =
        KnativeManifests.render(
            renderer,
            endpoint,
            List.of(
                KnativeManifests.first(
                    blue,
                    "fraud",
                    "3",
                    ClusterFixture.MODELS.resolve("knoe", blue).model(),
                    null)));

    OnlineEndpoint e =
        Serialization.unmarshal(Serialization.asJson(rendered.get(0)), OnlineEndpoint.class);
    assertEquals(endpoint, SpecTrees.endpoint(e).spec());
    OnlineDeployment d =
        Serialization.unmarshal(Serialization.asJson(rendered.get(1)), OnlineDeployment.class);
    assertEquals(e.getMetadata().getName(), SpecTrees.endpointResourceOf(d));
    assertEquals("Blue", SpecTrees.deploymentName(d, e.getMetadata().getName()), "spec.name wins");
    assertEquals(blue, SpecTrees.deployment(d, e.getMetadata().getName()).spec());
  }
}
