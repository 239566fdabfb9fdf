package dev.knoe.control.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.knoe.control.knative.KnativeSchemaTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code knoe render}: the manifests of the samples, without a cluster, valid for the CRDs that
 * take them.
 */
class RenderCommandTest {

  static final Path SAMPLES = Path.of("../samples").toAbsolutePath().normalize();
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @TempDir Path home;

  static List<JsonNode> documents(String yaml) throws Exception {
    List<JsonNode> docs = new ArrayList<>();
    try (var parser = YAML.getFactory().createParser(yaml)) {
      var it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode n = it.next();
        if (n != null && !n.isNull() && !n.isEmpty()) {
          docs.add(n);
        }
      }
    }
    return docs;
  }

  @Test
  void samplesRenderToResourcesThatValidateAgainstTheirCrds() throws Exception {
    Cli.Run run =
        new Cli(home)
            .run(
                "render",
                "-f",
                SAMPLES.resolve("endpoint.yml").toString(),
                "-f",
                SAMPLES.resolve("blue-deployment.yml").toString(),
                "-f",
                SAMPLES.resolve("green-deployment.yml").toString(),
                "--namespace",
                "models");
    assertEquals(0, run.code(), run.toString());
    List<JsonNode> docs = documents(run.out());
    assertEquals(
        List.of("OnlineEndpoint", "OnlineDeployment", "OnlineDeployment", "ConfigMap", "Service"),
        docs.stream().map(d -> d.path("kind").asText()).toList());
    for (JsonNode d : docs) {
      assertEquals("models", d.path("metadata").path("namespace").asText());
      if (d.path("kind").asText().equals("ConfigMap")) {
        continue;
      }
      ObjectNode body = d.deepCopy();
      body.remove(List.of("apiVersion", "kind", "metadata"));
      assertEquals(
          List.of(),
          KnativeSchemaTest.schemaFor(d.path("kind").asText()).validate(body),
          d.toString());
    }
    JsonNode service = docs.get(4);
    assertEquals(
        "my-endpoint-green-1",
        service.path("spec").path("template").path("metadata").path("name").asText());
    String sha =
        service
            .path("spec")
            .path("template")
            .path("metadata")
            .path("annotations")
            .path("knoe.dev/model-sha256")
            .asText();
    assertTrue(sha.matches("[0-9a-f]{64}"), "the model's digest is pinned: " + sha);
  }

  @Test
  void resourcesOnlyPrintsWhatToApply() throws Exception {
    Cli.Run run =
        new Cli(home)
            .run(
                "render",
                "--resources-only",
                "-f",
                SAMPLES.resolve("endpoint.yml").toString(),
                "-f",
                SAMPLES.resolve("blue-deployment.yml").toString());
    assertEquals(0, run.code(), run.toString());
    assertEquals(
        List.of("OnlineEndpoint", "OnlineDeployment"),
        documents(run.out()).stream().map(d -> d.path("kind").asText()).toList());
  }

  @Test
  void withoutTheEndpointFileItSaysWhatIsMissing() {
    Cli.Run run =
        new Cli(home).run("render", "-f", SAMPLES.resolve("blue-deployment.yml").toString());
    assertEquals(2, run.code(), run.toString());
    assertTrue(run.err().contains("no endpoint file among -f"), run.err());
  }

  @Test
  void aRegisteredModelNeedsItsFile() throws Exception {
    Path d = home.resolve("registered.yml");
    Files.writeString(d, "name: blue\nendpoint_name: my-endpoint\nmodel: azureml:fraud:3\n");
    Cli.Run run =
        new Cli(home)
            .run("render", "-f", SAMPLES.resolve("endpoint.yml").toString(), "-f", d.toString());
    assertEquals(1, run.code(), run.toString());
    assertTrue(
        run.err().contains("model fraud:3 is registered; render needs the model file"), run.err());
  }

  @Test
  void unknownInstanceTypeIsAOneLineError() throws Exception {
    Path d = home.resolve("huge.yml");
    Files.writeString(
        d,
        "name: blue\nendpoint_name: my-endpoint\nmodel: {path: "
            + SAMPLES.resolve("models/model-1/model")
            + "}\ninstance_type: huge\n");
    Cli.Run run =
        new Cli(home)
            .run("render", "-f", SAMPLES.resolve("endpoint.yml").toString(), "-f", d.toString());
    assertEquals(1, run.code(), run.toString());
    assertTrue(
        run.err().contains("instance_type 'huge' is not in the instance-type catalog"), run.err());
  }
}
