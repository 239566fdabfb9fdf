package dev.knoe.control.spec;

import static dev.knoe.control.spec.Yaml.DEPLOYMENT;
import static dev.knoe.control.spec.Yaml.assertProblems;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.knoe.control.spec.ScaleSettings.Type;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DeploymentSpecTest {

  static final DeploymentSpec MINIMAL =
      DeploymentSpec.of("blue", "my-endpoint", ModelRef.registered("model-1", "1"));

  @Test
  void defaults() {
    DeploymentSpec spec = Yaml.deployment(DEPLOYMENT).spec();

    assertEquals(MINIMAL, spec);
    assertEquals("cpu-small", spec.instanceType());
    assertEquals(1, spec.instanceCount());
    assertEquals(new ScaleSettings(Type.DEFAULT, 1, 1, 70, 1), spec.scaleSettings());
    assertEquals(new RequestSettings(5000, 32, 500), spec.requestSettings());
    assertEquals(new Probe(10, 10, 2, 1, 30), spec.livenessProbe());
    assertEquals(new Probe(0, 1, 2, 1, 30), spec.readinessProbe());
    assertEquals(new Batching(32, 2), spec.batching());
    assertEquals(null, spec.codeConfiguration());
    assertEquals(null, spec.image());
  }

  /** A valid variation: lines added to the minimal deployment and the spec they give. */
  record Valid(String name, String yaml, UnaryOperator<DeploymentSpec> expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Valid> valid() {
    return Stream.of(
        new Valid(
            "model azureml:name:version",
            "name: blue\nendpoint_name: my-endpoint\nmodel: azureml:model-1:1",
            d -> d),
        new Valid(
            "model as an object, with a number for a version",
            "name: blue\nendpoint_name: my-endpoint\nmodel: {name: model-1, version: 1}",
            d -> d),
        new Valid(
            "default scaling runs instance_count instances",
            DEPLOYMENT + "instance_count: 3\nscale_settings: {type: default}",
            d -> d.withInstanceCount(3).withScaleSettings(ScaleSettings.fixed(3))),
        new Valid(
            "target utilization defaults",
            DEPLOYMENT + "scale_settings: {type: target_utilization}",
            d -> d.withScaleSettings(new ScaleSettings(Type.TARGET_UTILIZATION, 1, 10, 70, 1))),
        new Valid(
            "scale to zero",
            DEPLOYMENT
                + "scale_settings:\n  type: target_utilization\n  min_instances: 0\n"
                + "  max_instances: 5\n  target_utilization_percentage: 50\n"
                + "  polling_interval: 2",
            d -> d.withScaleSettings(new ScaleSettings(Type.TARGET_UTILIZATION, 0, 5, 50, 2))),
        new Valid(
            "a probe given in part keeps the other defaults",
            DEPLOYMENT + "readiness_probe: {period: 5}",
            d ->
                new DeploymentSpec(
                    d.name(),
                    d.endpointName(),
                    null,
                    Map.of(),
                    d.model(),
                    null,
                    null,
                    Map.of(),
                    null,
                    1,
                    null,
                    null,
                    null,
                    new Probe(0, 5, 2, 1, 30),
                    null)),
        new Valid(
            "request settings given in part",
            DEPLOYMENT + "request_settings: {request_timeout_ms: 180000}",
            d -> d.withRequestSettings(new RequestSettings(180000, 32, 500))),
        new Valid(
            "an integer written as a string",
            DEPLOYMENT + "instance_count: \"2\"",
            d -> d.withInstanceCount(2)),
        new Valid(
            "a Java handler",
            DEPLOYMENT + "code_configuration: {scoring_script: com.example.Score}",
            d -> d.withCodeConfiguration(new CodeConfiguration(null, "com.example.Score"))),
        new Valid(
            "environment variables keep their order; numbers become strings",
            DEPLOYMENT + "environment_variables: {LOG_LEVEL: debug, THREADS: 4}",
            d -> d.withEnvironmentVariables(Map.of("LOG_LEVEL", "debug", "THREADS", "4"))),
        new Valid(
            "batching off",
            DEPLOYMENT + "batching: {max_batch_size: 1, max_delay_ms: 0}",
            d -> d.withBatching(new Batching(1, 0))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void parses(Valid c) {
    assertEquals(c.expected().apply(MINIMAL), Yaml.deployment(c.yaml()).spec());
  }

  record Invalid(String name, String yaml, List<String> problems) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Invalid> invalid() {
    return Stream.of(
        new Invalid(
            "a Python scoring script",
            DEPLOYMENT + "code_configuration: {code: ./src, scoring_script: score.py}",
            List.of(
                "code_configuration.scoring_script 'score.py' is a Python script; Knoe scores ONNX"
                    + " models, with optional Java handlers: give the class name of a"
                    + " dev.knoe.spi.ScoringHandler")),
        new Invalid(
            "a Java file for a scoring script",
            DEPLOYMENT + "code_configuration: {scoring_script: com/example/Score.java}",
            List.of(
                "code_configuration.scoring_script 'com/example/Score.java' is not a Java class"
                    + " name; give the class name of a dev.knoe.spi.ScoringHandler, e.g."
                    + " com.example.Score")),
        new Invalid(
            "code without a scoring script",
            DEPLOYMENT + "code_configuration: {code: ./handler}",
            List.of(
                "code_configuration.scoring_script is required: the class name of a"
                    + " dev.knoe.spi.ScoringHandler")),
        new Invalid(
            "instance_count as a word",
            DEPLOYMENT + "instance_count: two",
            List.of("instance_count: expected an integer, got 'two'")),
        new Invalid(
            "instance_count 0",
            DEPLOYMENT + "instance_count: 0",
            List.of("instance_count = 0, must be at least 1")),
        new Invalid(
            "instance_count 1000",
            DEPLOYMENT + "instance_count: 1000",
            List.of("instance_count = 1000, must be at most 100")),
        new Invalid(
            "instance_count past max_instances",
            DEPLOYMENT
                + "instance_count: 12\nscale_settings: {type: target_utilization, max_instances:"
                + " 10}",
            List.of("instance_count = 12, must be at most scale_settings.max_instances = 10")),
        new Invalid(
            "max_instances below min_instances",
            DEPLOYMENT
                + "scale_settings: {type: target_utilization, min_instances: 3, max_instances: 2}",
            List.of("scale_settings.max_instances = 2, must be at least min_instances = 3")),
        new Invalid(
            "max_instances 0",
            DEPLOYMENT
                + "scale_settings: {type: target_utilization, min_instances: 0, max_instances: 0}",
            List.of("scale_settings.max_instances = 0, must be at least 1")),
        new Invalid(
            "negative min_instances",
            DEPLOYMENT + "scale_settings: {type: target_utilization, min_instances: -1}",
            List.of("scale_settings.min_instances = -1, must be at least 0")),
        new Invalid(
            "target utilization over 100 and polling 0",
            DEPLOYMENT
                + "scale_settings: {type: target_utilization, target_utilization_percentage: 101,"
                + " polling_interval: 0}",
            List.of(
                "scale_settings.target_utilization_percentage = 101, must be at most 100",
                "scale_settings.polling_interval = 0, must be at least 1")),
        new Invalid(
            "an unknown scale type",
            DEPLOYMENT + "scale_settings: {type: auto}",
            List.of("scale_settings.type 'auto' is not default or target_utilization")),
        new Invalid(
            "min_instances with default scaling",
            DEPLOYMENT + "scale_settings: {min_instances: 0}",
            List.of(
                "scale_settings.min_instances applies only to type target_utilization (type is"
                    + " default, which runs instance_count instances)")),
        new Invalid(
            "a request timeout over 180 s",
            DEPLOYMENT + "request_settings: {request_timeout_ms: 200000}",
            List.of("request_settings.request_timeout_ms = 200000, must be at most 180000")),
        new Invalid(
            "no concurrency, negative queue wait",
            DEPLOYMENT
                + "request_settings: {max_concurrent_requests_per_instance: 0,"
                + " max_queue_wait_ms: -1}",
            List.of(
                "request_settings.max_concurrent_requests_per_instance = 0, must be at least 1",
                "request_settings.max_queue_wait_ms = -1, must be at least 0")),
        new Invalid(
            "a readiness probe with period 0",
            DEPLOYMENT + "readiness_probe: {period: 0}",
            List.of("readiness_probe.period = 0, must be at least 1")),
        new Invalid(
            "a liveness probe with a negative delay and timeout 0",
            DEPLOYMENT + "liveness_probe: {initial_delay: -1, timeout: 0}",
            List.of(
                "liveness_probe.initial_delay = -1, must be at least 0",
                "liveness_probe.timeout = 0, must be at least 1")),
        new Invalid(
            "a liveness success threshold of 2",
            DEPLOYMENT + "liveness_probe: {success_threshold: 2}",
            List.of(
                "liveness_probe.success_threshold = 2, must be 1 (Kubernetes allows no other value"
                    + " for liveness)")),
        new Invalid(
            "a batch size of 0",
            DEPLOYMENT + "batching: {max_batch_size: 0}",
            List.of("batching.max_batch_size = 0, must be at least 1")),
        new Invalid(
            "a batching delay as long as the request timeout",
            DEPLOYMENT
                + "request_settings: {request_timeout_ms: 100}\nbatching: {max_delay_ms: 100}",
            List.of(
                "batching.max_delay_ms = 100, must be less than"
                    + " request_settings.request_timeout_ms = 100")),
        new Invalid(
            "no model",
            "name: blue\nendpoint_name: my-endpoint",
            List.of("model is required: write model: {path: ./model/} or model: name:version")),
        new Invalid(
            "a model without a version",
            "name: blue\nendpoint_name: my-endpoint\nmodel: model-1",
            List.of("model 'model-1' has no version; write name:version, e.g. model-1:1")),
        new Invalid(
            "a model at @latest",
            "name: blue\nendpoint_name: my-endpoint\nmodel: azureml:model-1@latest",
            List.of(
                "model 'azureml:model-1@latest' asks for a label; Knoe pins a deployment to one"
                    + " version: write name:version")),
        new Invalid(
            "a model path written as a string",
            "name: blue\nendpoint_name: my-endpoint\nmodel: ./model/",
            List.of("model './model/' looks like a path; write model: {path: ./model/}")),
        new Invalid(
            "a model with both path and name",
            "name: blue\nendpoint_name: my-endpoint\nmodel: {path: ./m, name: m, version: 1}",
            List.of(
                "model gives both path and name; give path for a model folder or file, or name"
                    + " and version for a registered model")),
        new Invalid(
            "a model with neither",
            "name: blue\nendpoint_name: my-endpoint\nmodel: {}",
            List.of(
                "model gives neither path nor name; write model: {path: ./model/} or model:"
                    + " name:version")),
        new Invalid(
            "a model name without a version",
            "name: blue\nendpoint_name: my-endpoint\nmodel: {name: model-1}",
            List.of("model.version is required with model.name, e.g. model: model-1:1")),
        new Invalid(
            "a model path that is a URI",
            "name: blue\nendpoint_name: my-endpoint\nmodel: {path: 'https://example.com/m.onnx'}",
            List.of(
                "model.path 'https://example.com/m.onnx' is a URI; give a folder or file on this"
                    + " machine")),
        new Invalid(
            "an endpoint name with an underscore",
            "name: blue\nendpoint_name: my_endpoint\nmodel: model-1:1",
            List.of(
                "endpoint_name 'my_endpoint' must start with a letter and hold only letters,"
                    + " digits and '-' (not at the end)")),
        new Invalid(
            "an environment variable name with a dash, another with an object",
            DEPLOYMENT + "environment_variables: {MY-VAR: x, OTHER: {a: 1}}",
            List.of(
                "environment_variables.OTHER: expected a string, got an object",
                "environment_variables.MY-VAR is not a variable name (letters, digits and '_', not"
                    + " starting with a digit)")),
        new Invalid(
            "request_settings as a list",
            DEPLOYMENT + "request_settings: [1, 2]",
            List.of("request_settings: expected an object, got a list")),
        new Invalid(
            "a misspelt nested key",
            DEPLOYMENT + "scale_settings: {type: target_utilization, max_instance: 3}",
            List.of("unknown key 'scale_settings.max_instance': did you mean 'max_instances'?")),
        new Invalid(
            "a camelCase key",
            DEPLOYMENT + "instanceCount: 2",
            List.of("unknown key 'instanceCount': did you mean 'instance_count'?")),
        new Invalid(
            "an unknown nested key unlike any known one",
            DEPLOYMENT + "batching: {workers: 2}",
            List.of(
                "unknown key 'batching.workers'; known keys there: max_batch_size, max_delay_ms")),
        new Invalid(
            "an endpoint file given as a deployment",
            "name: my-endpoint\nauth_mode: key",
            List.of("this looks like an endpoint (it has auth_mode), not a deployment")),
        new Invalid(
            "several problems reported together",
            "name: ab\nendpoint_name: my-endpoint\nmodel: model-1:1\ninstance_count: two\n"
                + "code_configuration: {scoring_script: score.py}\nreadiness_probe: {period: 0}",
            List.of(
                "code_configuration.scoring_script 'score.py' is a Python script; Knoe scores ONNX"
                    + " models, with optional Java handlers: give the class name of a"
                    + " dev.knoe.spi.ScoringHandler",
                "instance_count: expected an integer, got 'two'",
                "readiness_probe.period = 0, must be at least 1",
                "name 'ab' is 2 characters; endpoint and deployment names have 3 to 32")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void refuses(Invalid c) {
    assertProblems(c.problems(), () -> Yaml.deployment(c.yaml()));
  }

  record Paths(
      String name,
      Path baseDir,
      String model,
      String code,
      String expectedModel,
      String expectedCode) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Paths> paths() {
    Path base = Path.of("/work/project/deploy");
    return Stream.of(
        new Paths(
            "relative to the file's folder, as the Azure CLI does",
            base,
            "../model-1/model/",
            "./handler/",
            "/work/project/model-1/model",
            "/work/project/deploy/handler"),
        new Paths(
            "absolute paths stay",
            base,
            "/models/m.onnx",
            "/opt/h.jar",
            "/models/m.onnx",
            "/opt/h.jar"),
        new Paths(
            "without a base folder, normalized as written",
            null,
            "./a/../model/",
            "lib/h.jar",
            "model",
            "lib/h.jar"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("paths")
  void resolvesPaths(Paths c) {
    String yaml =
        "name: blue\nendpoint_name: my-endpoint\nmodel: {path: "
            + c.model()
            + "}\n"
            + "code_configuration: {code: "
            + c.code()
            + ", scoring_script: com.example.Score}";

    DeploymentSpec spec =
        SpecParser.deployment(Yaml.bytes(yaml), Format.YAML, c.baseDir(), List.of()).spec();

    assertEquals(ModelRef.inline(c.expectedModel()), spec.model());
    assertEquals(c.expectedCode(), spec.codeConfiguration().code());
  }
}
