package dev.knoe.control.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The YAML files the project ships parse, with the values their comments promise. */
class SamplesTest {

  @Test
  void endpointSample() {
    Parsed<EndpointSpec> parsed =
        SpecParser.endpoint(Yaml.SAMPLES.resolve("endpoint.yml"), List.of());

    EndpointSpec spec = parsed.spec();
    assertEquals("my-endpoint", spec.name());
    assertEquals(AuthMode.KEY, spec.authMode());
    assertEquals(Map.of("team", "samples", "purpose", "quickstart"), spec.tags());
    assertEquals(Map.of(), spec.traffic());
    assertEquals(Map.of(), spec.mirrorTraffic());
    assertEquals(List.of(), parsed.warnings(), "$schema is accepted silently");
  }

  record Sample(String file, String name, String model) {
    @Override
    public String toString() {
      return file;
    }
  }

  static Stream<Sample> deployments() {
    return Stream.of(
        new Sample("blue-deployment.yml", "blue", "models/model-1/model"),
        new Sample("green-deployment.yml", "green", "models/model-2/model"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("deployments")
  void deploymentSample(Sample s) {
    Parsed<DeploymentSpec> parsed =
        SpecParser.deployment(Yaml.SAMPLES.resolve(s.file()), List.of());

    DeploymentSpec spec = parsed.spec();
    assertEquals(s.name(), spec.name());
    assertEquals("my-endpoint", spec.endpointName());
    assertTrue(spec.model().isInline());
    assertEquals(
        Yaml.SAMPLES.resolve(s.model()).toAbsolutePath().normalize().toString(),
        spec.model().path());
    assertTrue(
        java.nio.file.Files.isDirectory(java.nio.file.Path.of(spec.model().path())),
        "the model folder the sample names exists: " + spec.model().path());
    assertEquals("cpu-small", spec.instanceType());
    assertEquals(1, spec.instanceCount());
    assertEquals(ScaleSettings.fixed(1), spec.scaleSettings());
    assertEquals(new RequestSettings(5000, 32, 500), spec.requestSettings());
    assertEquals(new Batching(32, 2), spec.batching());
    assertEquals(Probe.READINESS_DEFAULTS, spec.readinessProbe());
    assertEquals(List.of(), parsed.warnings());
  }
}
