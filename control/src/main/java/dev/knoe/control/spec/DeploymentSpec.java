package dev.knoe.control.spec;

import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * An online deployment ({@code blue-deployment.yml}): one model, its scoring code and its
 * instances, behind an endpoint.
 *
 * <p>Invariants checked here, besides those of each part: valid names; 1 to {@value #MAX_INSTANCES}
 * instances; with {@link ScaleSettings.Type#DEFAULT} scaling, {@code min = max = instanceCount}
 * (this constructor sets them); with target utilization, {@code instanceCount} (the initial count)
 * at most {@code maxInstances}; a liveness success threshold of 1; a batching delay shorter than
 * the request timeout.
 *
 * @param name 3 to 32 characters, see {@link Names}
 * @param endpointName the endpoint this deployment belongs to
 * @param description free text, or null
 * @param tags free key/value pairs, never null
 * @param model the model served; required
 * @param codeConfiguration a Java scoring handler, or null for no-code ONNX scoring
 * @param image {@code environment.image}: a container image replacing Knoe's scoring function, or
 *     null
 * @param environmentVariables passed to every instance, never null
 * @param instanceType a catalog name such as {@code cpu-small}, default {@value
 *     #DEFAULT_INSTANCE_TYPE}; the catalog maps Azure SKU names onto its entries
 * @param instanceCount instances with default scaling, the initial count with target utilization;
 *     default 1
 * @param scaleSettings never null; default scaling when not given
 * @param requestSettings never null; {@link RequestSettings#DEFAULTS} when not given
 * @param livenessProbe never null; {@link Probe#LIVENESS_DEFAULTS} when not given
 * @param readinessProbe never null; {@link Probe#READINESS_DEFAULTS} when not given
 * @param batching never null; {@link Batching#DEFAULTS} when not given
 */
public record DeploymentSpec(
    String name,
    String endpointName,
    String description,
    Map<String, String> tags,
    ModelRef model,
    CodeConfiguration codeConfiguration,
    String image,
    Map<String, String> environmentVariables,
    String instanceType,
    int instanceCount,
    ScaleSettings scaleSettings,
    RequestSettings requestSettings,
    Probe livenessProbe,
    Probe readinessProbe,
    Batching batching) {

  public static final String DEFAULT_INSTANCE_TYPE = "cpu-small";

  /** A sanity bound on instance_count and max_instances, to catch typos such as 1000. */
  public static final int MAX_INSTANCES = 100;

  private static final Pattern INSTANCE_TYPE = Pattern.compile("^[a-zA-Z0-9][-_.a-zA-Z0-9]*$");
  private static final Pattern VARIABLE = Pattern.compile("^[a-zA-Z_][a-zA-Z0-9_]*$");

  public DeploymentSpec {
    var check = new Check();
    Names.DEPLOYMENT.check(check, "name", name);
    Names.ENDPOINT.check(check, "endpoint_name", endpointName);
    tags = check.copy("tags", tags);
    if (model == null) {
      check.add("model is required: write model: {path: ./model/} or model: name:version");
    }
    if (image != null && (image.isBlank() || image.chars().anyMatch(Character::isWhitespace))) {
      check.add("environment.image '" + image + "' is not an image reference");
    }
    environmentVariables = check.copy("environment_variables", environmentVariables);
    for (String variable : environmentVariables.keySet()) {
      if (!VARIABLE.matcher(variable).matches()) {
        check.add(
            "environment_variables."
                + variable
                + " is not a variable name (letters, digits and"
                + " '_', not starting with a digit)");
      }
    }
    if (instanceType == null) {
      instanceType = DEFAULT_INSTANCE_TYPE;
    } else if (!INSTANCE_TYPE.matcher(instanceType).matches()) {
      check.add(
          "instance_type '" + instanceType + "' must hold only letters, digits, '-', '_' and '.'");
    }
    check.range("instance_count", instanceCount, 1, MAX_INSTANCES);
    if (scaleSettings == null) {
      scaleSettings = ScaleSettings.fixed(1);
    }
    if (scaleSettings.type() == ScaleSettings.Type.DEFAULT) {
      if (check.ok()) {
        scaleSettings = ScaleSettings.fixed(instanceCount);
      }
    } else if (instanceCount > scaleSettings.maxInstances()) {
      check.add(
          "instance_count = "
              + instanceCount
              + ", must be at most scale_settings.max_instances = "
              + scaleSettings.maxInstances());
    }
    if (requestSettings == null) {
      requestSettings = RequestSettings.DEFAULTS;
    }
    if (livenessProbe == null) {
      livenessProbe = Probe.LIVENESS_DEFAULTS;
    }
    if (readinessProbe == null) {
      readinessProbe = Probe.READINESS_DEFAULTS;
    }
    if (livenessProbe.successThreshold() != 1) {
      check.add(
          "liveness_probe.success_threshold = "
              + livenessProbe.successThreshold()
              + ", must be 1 (Kubernetes allows no other value for liveness)");
    }
    if (batching == null) {
      batching = Batching.DEFAULTS;
    }
    if (batching.maxDelayMs() >= requestSettings.requestTimeoutMs()) {
      check.add(
          "batching.max_delay_ms = "
              + batching.maxDelayMs()
              + ", must be less than request_settings.request_timeout_ms = "
              + requestSettings.requestTimeoutMs());
    }
    check.throwIfAny();
  }

  /** A deployment of {@code model} with every default: one cpu-small instance, no code. */
  public static DeploymentSpec of(String name, String endpointName, ModelRef model) {
    return new DeploymentSpec(
        name,
        endpointName,
        null,
        Map.of(),
        model,
        null,
        null,
        Map.of(),
        null,
        1,
        null,
        null,
        null,
        null,
        null);
  }

  public DeploymentSpec withCodeConfiguration(CodeConfiguration codeConfiguration) {
    return copy(c -> c.codeConfiguration = codeConfiguration);
  }

  public DeploymentSpec withInstanceCount(int instanceCount) {
    return copy(c -> c.instanceCount = instanceCount);
  }

  public DeploymentSpec withScaleSettings(ScaleSettings scaleSettings) {
    return copy(c -> c.scaleSettings = scaleSettings);
  }

  public DeploymentSpec withRequestSettings(RequestSettings requestSettings) {
    return copy(c -> c.requestSettings = requestSettings);
  }

  public DeploymentSpec withBatching(Batching batching) {
    return copy(c -> c.batching = batching);
  }

  public DeploymentSpec withInstanceType(String instanceType) {
    return copy(c -> c.instanceType = instanceType);
  }

  public DeploymentSpec withEnvironmentVariables(Map<String, String> environmentVariables) {
    return copy(c -> c.environmentVariables = environmentVariables);
  }

  /**
   * This spec with some components changed. The copy goes through the constructor, so it is checked
   * and defaulted like any other: with default scaling, for one, the scale settings follow the
   * instance count.
   */
  private DeploymentSpec copy(Consumer<Components> change) {
    var c = new Components(this);
    change.accept(c);
    return new DeploymentSpec(
        c.name,
        c.endpointName,
        c.description,
        c.tags,
        c.model,
        c.codeConfiguration,
        c.image,
        c.environmentVariables,
        c.instanceType,
        c.instanceCount,
        c.scaleSettings,
        c.requestSettings,
        c.livenessProbe,
        c.readinessProbe,
        c.batching);
  }

  /** The components of a spec, to change before {@link #copy} builds the new one. */
  private static final class Components {
    String name;
    String endpointName;
    String description;
    Map<String, String> tags;
    ModelRef model;
    CodeConfiguration codeConfiguration;
    String image;
    Map<String, String> environmentVariables;
    String instanceType;
    int instanceCount;
    ScaleSettings scaleSettings;
    RequestSettings requestSettings;
    Probe livenessProbe;
    Probe readinessProbe;
    Batching batching;

    Components(DeploymentSpec spec) {
      name = spec.name;
      endpointName = spec.endpointName;
      description = spec.description;
      tags = spec.tags;
      model = spec.model;
      codeConfiguration = spec.codeConfiguration;
      image = spec.image;
      environmentVariables = spec.environmentVariables;
      instanceType = spec.instanceType;
      instanceCount = spec.instanceCount;
      scaleSettings = spec.scaleSettings;
      requestSettings = spec.requestSettings;
      livenessProbe = spec.livenessProbe;
      readinessProbe = spec.readinessProbe;
      batching = spec.batching;
    }
  }
}
