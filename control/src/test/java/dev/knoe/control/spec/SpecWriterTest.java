package dev.knoe.control.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** parse(write(spec)) == spec, through a tree, YAML text and JSON text. */
class SpecWriterTest {

  static final String FULL_ENDPOINT =
      "name: my-endpoint\n"
          + "auth_mode: aml_token\n"
          + "description: fraud scoring\n"
          + "tags: {team: fraud, cost: 1234}\n"
          + "traffic: {green: 10, blue: 90, red: 0}\n"
          + "mirror_traffic: {red: 20}\n"
          + "triggers:\n"
          + "  - broker: orders\n"
          + "    filter: {type: com.example.order.created, source: shop}\n";

  static final String FULL_DEPLOYMENT =
      "name: green\n"
          + "endpoint_name: my-endpoint\n"
          + "description: the challenger\n"
          + "tags: {stage: canary}\n"
          + "model: {path: ../model-2/model/}\n"
          + "code_configuration: {code: ./handler/, scoring_script: com.example.Score}\n"
          + "environment: {image: registry.example.com/scorer:1}\n"
          + "environment_variables: {LOG_LEVEL: debug, THREADS: '4'}\n"
          + "instance_type: gpu-small\n"
          + "instance_count: 2\n"
          + "scale_settings: {type: target_utilization, min_instances: 0, max_instances: 5,"
          + " target_utilization_percentage: 60, polling_interval: 3}\n"
          + "request_settings: {request_timeout_ms: 9000, max_concurrent_requests_per_instance: 8,"
          + " max_queue_wait_ms: 0}\n"
          + "liveness_probe: {initial_delay: 30, period: 5, timeout: 3, success_threshold: 1,"
          + " failure_threshold: 4}\n"
          + "readiness_probe: {period: 2}\n"
          + "batching: {max_batch_size: 64, max_delay_ms: 5}\n";

  record Case(String name, String yaml) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> endpoints() {
    return Stream.of(
        new Case("minimal endpoint", "name: my-endpoint"),
        new Case("full endpoint", FULL_ENDPOINT));
  }

  static Stream<Case> deployments() {
    return Stream.of(
        new Case("minimal deployment", Yaml.DEPLOYMENT),
        new Case("full deployment", FULL_DEPLOYMENT),
        new Case("default scaling with 3 instances", Yaml.DEPLOYMENT + "instance_count: 3\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("endpoints")
  void roundTripsEndpoints(Case c) {
    EndpointSpec spec = Yaml.endpoint(c.yaml()).spec();
    Map<String, Object> tree = SpecWriter.endpoint(spec);

    assertEquals(spec, SpecParser.endpoint(tree, null, List.of()).spec());
    for (Format format : Format.values()) {
      byte[] text = Yaml.bytes(SpecWriter.render(tree, format));
      assertEquals(spec, SpecParser.endpoint(text, format, null, List.of()).spec(), format.name());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("deployments")
  void roundTripsDeployments(Case c) {
    Path base = Path.of("/srv/specs");
    DeploymentSpec spec =
        SpecParser.deployment(Yaml.bytes(c.yaml()), Format.YAML, base, List.of()).spec();
    Map<String, Object> tree = SpecWriter.deployment(spec);

    assertEquals(spec, SpecParser.deployment(tree, null, List.of()).spec());
    for (Format format : Format.values()) {
      byte[] text = Yaml.bytes(SpecWriter.render(tree, format));
      assertEquals(
          spec, SpecParser.deployment(text, format, base, List.of()).spec(), format.name());
    }
  }

  @Test
  void roundTripsTheSamples() {
    for (String file : List.of("blue-deployment.yml", "green-deployment.yml")) {
      DeploymentSpec spec = SpecParser.deployment(Yaml.SAMPLES.resolve(file), List.of()).spec();
      assertEquals(
          spec, SpecParser.deployment(SpecWriter.deployment(spec), null, List.of()).spec(), file);
    }
  }

  @Test
  void writesSnakeCaseKeys() {
    EndpointSpec spec = Yaml.endpoint(FULL_ENDPOINT).spec();

    assertEquals(
        "name: my-endpoint\n"
            + "auth_mode: aml_token\n"
            + "description: fraud scoring\n"
            + "tags:\n"
            + "  team: fraud\n"
            + "  cost: \"1234\"\n"
            + "traffic:\n"
            + "  green: 10\n"
            + "  blue: 90\n"
            + "  red: 0\n"
            + "mirror_traffic:\n"
            + "  red: 20\n"
            + "triggers:\n"
            + "- broker: orders\n"
            + "  filter:\n"
            + "    type: com.example.order.created\n"
            + "    source: shop\n",
        SpecWriter.render(SpecWriter.endpoint(spec), Format.YAML));
  }

  @Test
  void writesARegisteredModelAsNameAndVersion() {
    Map<String, Object> tree = SpecWriter.deployment(DeploymentSpecTest.MINIMAL);

    assertEquals("model-1:1", tree.get("model"));
    assertEquals(Map.of("type", "default"), tree.get("scale_settings"));
  }
}
