package dev.knoe.control.spec;

import static dev.knoe.control.spec.Yaml.DEPLOYMENT;
import static dev.knoe.control.spec.Yaml.assertProblems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SpecParserTest {

  // ---------------------------------------------------------------- --set

  record Set(
      String name,
      String yaml,
      List<String> sets,
      Function<DeploymentSpec, Object> read,
      Object expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Set> sets() {
    return Stream.of(
        new Set(
            "a top-level integer",
            DEPLOYMENT,
            List.of("instance_count=2"),
            DeploymentSpec::instanceCount,
            2),
        new Set(
            "a nested key, creating its object",
            DEPLOYMENT,
            List.of("scale_settings.type=target_utilization", "scale_settings.max_instances=3"),
            d -> d.scaleSettings().maxInstances(),
            3),
        new Set(
            "a nested key beside those written",
            DEPLOYMENT + "request_settings: {request_timeout_ms: 1000}",
            List.of("request_settings.max_queue_wait_ms=20"),
            DeploymentSpec::requestSettings,
            new RequestSettings(1000, 32, 20)),
        new Set(
            "a tag",
            DEPLOYMENT,
            List.of("tags.team=fraud"),
            DeploymentSpec::tags,
            Map.of("team", "fraud")),
        new Set(
            "a quoted number stays a string",
            DEPLOYMENT,
            List.of("tags.id=\"42\""),
            d -> d.tags().get("id"),
            "42"),
        new Set(
            "the last one wins",
            DEPLOYMENT,
            List.of("instance_count=2", "instance_count=4"),
            DeploymentSpec::instanceCount,
            4),
        new Set(
            "null brings the default back",
            DEPLOYMENT + "instance_type: gpu-small",
            List.of("instance_type=null"),
            DeploymentSpec::instanceType,
            "cpu-small"),
        new Set(
            "a whole model reference",
            DEPLOYMENT,
            List.of("model=model-2:7"),
            DeploymentSpec::model,
            ModelRef.registered("model-2", "7")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sets")
  void appliesSets(Set c) {
    DeploymentSpec spec = Yaml.deployment(c.yaml(), c.sets().toArray(String[]::new)).spec();

    assertEquals(c.expected(), c.read().apply(spec));
  }

  @Test
  void setsEndpointTrafficAndTriggers() {
    String yaml =
        "name: my-endpoint\ntraffic: {blue: 100, green: 0}\n" + "triggers: [{filter: {type: a.b}}]";

    EndpointSpec spec =
        Yaml.endpoint(yaml, "traffic.blue=90", "traffic.green=10", "triggers.0.broker=orders")
            .spec();

    assertEquals(Map.of("blue", 90, "green", 10), spec.traffic());
    assertEquals("orders", spec.triggers().get(0).broker());
  }

  record BadSet(String name, String set, List<String> problems) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<BadSet> badSets() {
    return Stream.of(
        new BadSet(
            "no equals sign",
            "instance_count",
            List.of("--set 'instance_count' is not key=value, e.g. --set instance_count=2")),
        new BadSet(
            "an empty key part",
            "scale_settings..max_instances=3",
            List.of(
                "--set 'scale_settings..max_instances=3': key 'scale_settings..max_instances' has"
                    + " an empty part")),
        new BadSet(
            "into a string",
            "model.version=2",
            List.of("--set 'model.version=2': model is 'model-1:1', not an object")),
        new BadSet(
            "a value of the wrong type",
            "instance_count=two",
            List.of("instance_count: expected an integer, got 'two'")),
        new BadSet(
            "a misspelt key",
            "scale_settings.max_instance=3",
            List.of("unknown key 'scale_settings.max_instance': did you mean 'max_instances'?")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSets")
  void refusesBadSets(BadSet c) {
    assertProblems(c.problems(), () -> Yaml.deployment(DEPLOYMENT, c.set()));
  }

  // ---------------------------------------------------------------- syntax

  record Syntax(String name, String content, Format format, String problem) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Syntax> syntax() {
    return Stream.of(
        new Syntax(
            "YAML with a bad indent",
            "name: my-endpoint\n  auth_mode: key\n",
            Format.YAML,
            "YAML is malformed at line 2, column 12: mapping values are not allowed here"),
        new Syntax(
            "JSON without a value",
            "{\n  \"name\": }",
            Format.JSON,
            "JSON is malformed at line 2, column 11: Unexpected character ('}' (code 125)):"
                + " expected a value"),
        new Syntax(
            "a key twice",
            "name: a-endpoint\nname: b-endpoint\n",
            Format.YAML,
            "key 'name' appears twice at line 2, column 7"),
        new Syntax(
            "two YAML documents",
            "name: a-endpoint\n---\nname: b-endpoint\n",
            Format.YAML,
            "the file holds more than one YAML document; give one endpoint per file"),
        new Syntax(
            "a YAML alias, which Jackson would read as its name",
            "name: my-endpoint\ntags: &t {a: b}\ndescription: *t\n",
            Format.YAML,
            "YAML alias *t at line 3, column 14 is not supported; write the value out"),
        new Syntax(
            "a tab for indentation",
            "name: my-endpoint\ntags:\n\tteam: a\n",
            Format.YAML,
            "YAML is malformed at line 3, column 1: found character '\\t(TAB)' that cannot start"
                + " any token. (Do not use \\t(TAB) for indentation) (while scanning for the next"
                + " token)"),
        new Syntax(
            "JSON cut short",
            "{\"name\": \"my-endpoint\"",
            Format.JSON,
            "JSON is malformed at line 1, column 23: Unexpected end-of-input: expected close"
                + " marker for Object (start marker at line 1, column 1)"),
        new Syntax("nothing", "", Format.YAML, "the endpoint is empty"),
        new Syntax("only a comment", "# nothing here\n", Format.YAML, "the endpoint is empty"),
        new Syntax(
            "a list",
            "- name: my-endpoint\n",
            Format.YAML,
            "the endpoint must be a YAML mapping or JSON object, got a list"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("syntax")
  void reportsSyntax(Syntax c) {
    SpecException e =
        assertThrows(
            SpecException.class,
            () -> SpecParser.endpoint(Yaml.bytes(c.content()), c.format(), null, List.of()));

    assertEquals(List.of(c.problem()), e.problems());
  }

  @Test
  void readsJson() {
    String json = "{\"name\": \"my-endpoint\", \"auth_mode\": \"aml_token\", \"traffic\": {}}";

    EndpointSpec spec = SpecParser.endpoint(Yaml.bytes(json), Format.JSON, null, List.of()).spec();

    assertEquals(EndpointSpec.of("my-endpoint").withAuthMode(AuthMode.AML_TOKEN), spec);
  }

  @Test
  void joinsSeveralProblemsInItsMessage() {
    SpecException e =
        assertThrows(
            SpecException.class,
            () -> Yaml.deployment(DEPLOYMENT + "instance_count: 0\nbatching: {max_batch_size: 0}"));

    assertEquals(
        "2 problems: batching.max_batch_size = 0, must be at least 1; instance_count = 0, must be"
            + " at least 1",
        e.getMessage());
  }

  // ---------------------------------------------------------------- Azure keys

  @Test
  void warnsAboutAzureKeysItIgnores() {
    String yaml =
        DEPLOYMENT
            + "app_insights_enabled: true\n"
            + "egress_public_network_access: disabled\n"
            + "data_collector: {collections: {model_inputs: {enabled: 'True'}}}\n"
            + "environment:\n"
            + "  conda_file: ./conda.yml\n"
            + "  image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest\n";

    Parsed<DeploymentSpec> parsed = Yaml.deployment(yaml);

    assertEquals(null, parsed.spec().image());
    assertEquals(
        List.of(
            "environment.conda_file is an Azure setting that Knoe ignores: Knoe scores ONNX"
                + " models, without Python",
            "environment.image 'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest' is"
                + " ignored: an Azure ML base image serves nothing without score.py, so Knoe runs"
                + " its own scoring function",
            "app_insights_enabled is an Azure setting that Knoe ignores: metrics are served in"
                + " Prometheus format and logs by get-logs",
            "egress_public_network_access is an Azure setting that Knoe ignores: network access"
                + " is the cluster's ingress and policies",
            "data_collector is an Azure setting that Knoe ignores: Knoe does not collect request"
                + " payloads"),
        parsed.warnings());
  }

  @Test
  void warnsAboutAzureEndpointKeys() {
    String yaml =
        "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json\n"
            + "name: my-endpoint\nidentity: {type: system_assigned}\n"
            + "public_network_access: disabled\nkind: managed\n";

    assertEquals(
        List.of(
            "identity is an Azure setting that Knoe ignores: Knoe has no managed identities",
            "public_network_access is an Azure setting that Knoe ignores: network access is the"
                + " cluster's ingress and policies",
            "kind is an Azure setting that Knoe ignores: Knoe has one kind of endpoint and"
                + " deployment"),
        Yaml.endpoint(yaml).warnings());
  }

  @Test
  void keepsAnImageAndWarnsAboutARegisteredEnvironment() {
    assertEquals(
        "registry.example.com/scorer:1",
        Yaml.deployment(DEPLOYMENT + "environment: {image: registry.example.com/scorer:1}")
            .spec()
            .image());
    assertEquals(
        List.of(
            "environment 'azureml:sklearn-env:3' is ignored: Knoe runs its own scoring function;"
                + " give environment: {image: ...} to replace it"),
        Yaml.deployment(DEPLOYMENT + "environment: azureml:sklearn-env:3").warnings());
  }

  @Test
  void settingsKnoeDoesNotActOnAreWarnedWhenChangedNotWhenWrittenBack() {
    assertEquals(
        List.of(
            "scale_settings.polling_interval is accepted and not used: the autoscaler decides every 2 s"
                + " locally, at Knative's platform-wide tick on a cluster",
            "request_settings.max_queue_wait_ms is accepted and not used (Azure deprecated it): a request"
                + " waits at most request_timeout_ms, for an instance to start too"),
        Yaml.deployment(
                DEPLOYMENT
                    + "request_settings: {max_queue_wait_ms: 2000}\n"
                    + "scale_settings: {type: target_utilization, polling_interval: 10}")
            .warnings());
    // What SpecWriter writes back (the defaults) is not the user's doing.
    DeploymentSpec d =
        Yaml.deployment(
                DEPLOYMENT
                    + "request_settings: {request_timeout_ms: 9000}\n"
                    + "scale_settings: {type: target_utilization}")
            .spec();
    assertEquals(
        List.of(),
        Yaml.deployment(SpecWriter.render(SpecWriter.deployment(d), Format.YAML)).warnings());
  }

  // ---------------------------------------------------------------- suggestions

  record Suggestion(String key, List<String> known, Optional<String> expected) {
    @Override
    public String toString() {
      return key + " -> " + expected.orElse("nothing");
    }
  }

  static Stream<Suggestion> suggestions() {
    List<String> scale = List.of("type", "min_instances", "max_instances");
    return Stream.of(
        new Suggestion("max_instance", scale, Optional.of("max_instances")),
        new Suggestion("maxInstances", scale, Optional.of("max_instances")),
        new Suggestion("MIN-INSTANCES", scale, Optional.of("min_instances")),
        new Suggestion("typ", scale, Optional.of("type")),
        new Suggestion("colour", scale, Optional.empty()),
        new Suggestion("image", List.of("name"), Optional.empty()),
        new Suggestion("maks_instanses", scale, Optional.of("max_instances")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("suggestions")
  void suggestsOnlyCloseKeys(Suggestion c) {
    assertEquals(c.expected(), Suggest.closest(c.key(), c.known()));
  }

  // ---------------------------------------------------------------- formats

  record Media(String contentType, String content, Format expected) {
    @Override
    public String toString() {
      return contentType + " / " + content.replace("\n", "\\n");
    }
  }

  static Stream<Media> media() {
    return Stream.of(
        new Media("application/yaml", "{\"a\": 1}", Format.YAML),
        new Media("application/x-yaml", "", Format.YAML),
        new Media("text/yaml; charset=utf-8", "", Format.YAML),
        new Media("application/json", "name: x", Format.JSON),
        new Media("Application/JSON; charset=UTF-8", "", Format.JSON),
        new Media(null, "  {\"name\": \"x\"}", Format.JSON),
        new Media(null, "\uFEFF{}", Format.JSON),
        new Media(null, "name: x", Format.YAML),
        new Media(null, "{name: x}", Format.YAML),
        new Media(null, "# comment\n{\"a\": 1}", Format.YAML),
        new Media("text/plain", "{\"a\": 1}", Format.JSON));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("media")
  void picksTheFormat(Media c) {
    assertEquals(c.expected(), Format.of(c.contentType(), Yaml.bytes(c.content())));
  }
}
