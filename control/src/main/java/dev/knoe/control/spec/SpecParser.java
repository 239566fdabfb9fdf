package dev.knoe.control.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads endpoint and deployment specs from YAML or JSON, in Azure ML's schema with Knoe's
 * extensions (DESIGN §2), and checks the rules that need no other resource.
 *
 * <p>Steps: syntax (a malformed file is one problem with line and column) → {@code --set} overrides
 * on the tree → binding, where wrong types, unknown keys (with the closest known key) and the
 * records' own rules are all collected → one {@link SpecException} listing every problem, or the
 * spec with warnings for the Azure keys Knoe ignores. Relative paths resolve against the YAML
 * file's folder, as the Azure CLI does.
 */
public final class SpecParser {

  /** The most deployments one endpoint may hold (Azure's limit). */
  public static final int MAX_DEPLOYMENTS = 20;

  /** The top-level keys of an endpoint spec; an API view holds these and status keys. */
  public static final List<String> ENDPOINT_KEYS =
      List.of("name", "auth_mode", "description", "tags", "traffic", "mirror_traffic", "triggers");

  /** The top-level keys of a deployment spec. */
  public static final List<String> DEPLOYMENT_KEYS =
      List.of(
          "name",
          "endpoint_name",
          "description",
          "tags",
          "model",
          "code_configuration",
          "environment",
          "environment_variables",
          "instance_type",
          "instance_count",
          "scale_settings",
          "request_settings",
          "liveness_probe",
          "readiness_probe",
          "batching");

  private static final List<String> TRIGGER_KEYS = List.of("broker", "filter");
  private static final List<String> MODEL_KEYS = List.of("path", "name", "version");
  private static final List<String> CODE_KEYS = List.of("code", "scoring_script");
  private static final List<String> ENVIRONMENT_KEYS = List.of("image");
  private static final List<String> SCALE_KEYS =
      List.of(
          "type",
          "min_instances",
          "max_instances",
          "target_utilization_percentage",
          "polling_interval");
  private static final List<String> REQUEST_KEYS =
      List.of("request_timeout_ms", "max_concurrent_requests_per_instance", "max_queue_wait_ms");
  private static final List<String> PROBE_KEYS =
      List.of("initial_delay", "period", "timeout", "success_threshold", "failure_threshold");
  private static final List<String> BATCHING_KEYS = List.of("max_batch_size", "max_delay_ms");

  private static final String NETWORK = "network access is the cluster's ingress and policies";
  private static final Map<String, String> SHARED_AZURE =
      Map.of(
          "identity", "Knoe has no managed identities",
          "public_network_access", NETWORK,
          "kind", "Knoe has one kind of endpoint and deployment",
          "compute", "Knoe runs on its own backend, local or Knative",
          "properties", "use tags for free key/value pairs");
  private static final Map<String, String> ENDPOINT_AZURE =
      with(SHARED_AZURE, Map.of("location", "Knoe has no regions"));
  private static final Map<String, String> DEPLOYMENT_AZURE =
      with(
          SHARED_AZURE,
          Map.of(
              "app_insights_enabled",
              "metrics are served in Prometheus format and logs by get-logs",
              "egress_public_network_access",
              NETWORK,
              "private_network_connection",
              NETWORK,
              "data_collector",
              "Knoe does not collect request payloads",
              "model_mount_path",
              "the scoring function loads the model itself",
              "resources",
              "instance_type sets an instance's CPU, memory and GPU",
              "type",
              "Knoe has one kind of deployment"));
  private static final Map<String, String> MODEL_AZURE =
      Map.of(
          "type", "Knoe serves ONNX models",
          "description", "an inline model is registered without one",
          "tags", "an inline model is registered without them",
          "properties", "an inline model is registered without them",
          "stage", "Knoe's registry has no stages");
  private static final String NO_PYTHON = "Knoe scores ONNX models, without Python";
  private static final Map<String, String> ENVIRONMENT_AZURE =
      Map.of(
          "conda_file", NO_PYTHON,
          "inference_config", "Knoe's scoring function serves /score, V2 and CloudEvents itself",
          "build", "Knoe does not build images; give a built image",
          "os_type", "instances run Linux",
          "name", "an inline environment is not registered",
          "version", "an inline environment is not registered",
          "description", "an inline environment is not registered",
          "tags", "an inline environment is not registered");

  /** Azure ML's base images hold no server; with Knoe they would replace its scoring function. */
  private static final String AZURE_BASE_IMAGES = "mcr.microsoft.com/azureml/";

  private static final Pattern URI = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://.*");

  private SpecParser() {}

  // ---------------------------------------------------------------- endpoints

  /**
   * Parses an endpoint.
   *
   * @param baseDir the YAML file's folder, or null (endpoints hold no paths; kept for symmetry)
   * @param sets {@code key=value} overrides such as {@code traffic.blue=100}; may be empty
   * @throws SpecException listing every problem found
   */
  public static Parsed<EndpointSpec> endpoint(
      byte[] content, Format format, Path baseDir, List<String> sets) {
    return endpoint(Syntax.read(content, format, "endpoint"), baseDir, sets);
  }

  /** Parses an endpoint file; YAML unless its name ends in {@code .json}. */
  public static Parsed<EndpointSpec> endpoint(Path file, List<String> sets) {
    return endpoint(readFile(file), Format.forFileName(file.toString()), folder(file), sets);
  }

  /**
   * Parses an endpoint from a tree of maps, lists and scalars, such as {@link
   * SpecWriter#endpoint}'s: how {@code update --set} applies to a stored spec.
   */
  public static Parsed<EndpointSpec> endpoint(
      Map<String, ?> tree, Path baseDir, List<String> sets) {
    return endpoint((JsonNode) Mappers.JSON.valueToTree(tree), baseDir, sets);
  }

  private static Parsed<EndpointSpec> endpoint(JsonNode tree, Path baseDir, List<String> sets) {
    var report = new Report();
    ObjectNode root = root(tree, "endpoint");
    Overrides.apply(root, sets, report);
    looksLike(root, "a deployment", "an endpoint", List.of("endpoint_name", "model"), List.of());
    Fields f = Fields.of(root, "", report, ENDPOINT_KEYS, ENDPOINT_AZURE);
    String name = f.string("name");
    AuthMode authMode = authMode(f, report);
    String description = f.string("description");
    Map<String, String> tags = f.strings("tags");
    Map<String, Integer> traffic = f.integers("traffic");
    Map<String, Integer> mirror = f.integers("mirror_traffic");
    List<Trigger> triggers = triggers(f, report);
    f.finish();
    EndpointSpec spec =
        report.build(
            "",
            () -> new EndpointSpec(name, authMode, description, tags, traffic, mirror, triggers));
    report.throwIfAny();
    return new Parsed<>(spec, report.warnings());
  }

  private static AuthMode authMode(Fields f, Report report) {
    String value = f.string("auth_mode");
    if (value == null) {
      return AuthMode.KEY;
    }
    Optional<AuthMode> mode = AuthMode.fromValue(value);
    if (mode.isEmpty()) {
      report.problem(
          "auth_mode",
          "auth_mode '"
              + value
              + "' is not key or aml_token (alias token)"
              + (value.equalsIgnoreCase("aad_token")
                  ? "; Microsoft Entra ID tokens are Azure's alone"
                  : ""));
    }
    return mode.orElse(AuthMode.KEY);
  }

  private static List<Trigger> triggers(Fields f, Report report) {
    JsonNode list = f.value("triggers");
    var triggers = new ArrayList<Trigger>();
    if (list == null) {
      return triggers;
    }
    if (!list.isArray()) {
      report.typeError("triggers", "a list", list);
      return triggers;
    }
    for (int i = 0; i < list.size(); i++) {
      String path = "triggers[" + i + "]";
      Fields t = Fields.of(list.get(i), path, report, TRIGGER_KEYS, Map.of());
      if (t == null) {
        continue;
      }
      String broker = t.string("broker");
      Map<String, String> filter = t.strings("filter");
      t.finish();
      Trigger trigger = report.build(path, () -> new Trigger(broker, filter));
      if (trigger != null) {
        triggers.add(trigger);
      }
    }
    return triggers;
  }

  // ---------------------------------------------------------------- deployments

  /**
   * Parses a deployment.
   *
   * @param baseDir the YAML file's folder, against which {@code model.path} and {@code
   *     code_configuration.code} resolve; null leaves relative paths as written
   * @param sets {@code key=value} overrides such as {@code scale_settings.max_instances=3}
   * @throws SpecException listing every problem found
   */
  public static Parsed<DeploymentSpec> deployment(
      byte[] content, Format format, Path baseDir, List<String> sets) {
    return deployment(Syntax.read(content, format, "deployment"), baseDir, sets);
  }

  /** Parses a deployment file; its paths resolve against the file's folder. */
  public static Parsed<DeploymentSpec> deployment(Path file, List<String> sets) {
    return deployment(readFile(file), Format.forFileName(file.toString()), folder(file), sets);
  }

  /** Parses a deployment from a tree of maps, lists and scalars, such as {@link SpecWriter}'s. */
  public static Parsed<DeploymentSpec> deployment(
      Map<String, ?> tree, Path baseDir, List<String> sets) {
    return deployment((JsonNode) Mappers.JSON.valueToTree(tree), baseDir, sets);
  }

  private static Parsed<DeploymentSpec> deployment(JsonNode tree, Path baseDir, List<String> sets) {
    var report = new Report();
    ObjectNode root = root(tree, "deployment");
    Overrides.apply(root, sets, report);
    looksLike(
        root,
        "an endpoint",
        "a deployment",
        List.of("auth_mode", "traffic", "mirror_traffic", "triggers"),
        List.of("endpoint_name", "model"));
    Fields f = Fields.of(root, "", report, DEPLOYMENT_KEYS, DEPLOYMENT_AZURE);
    String name = f.string("name");
    String endpointName = f.string("endpoint_name");
    String description = f.string("description");
    Map<String, String> tags = f.strings("tags");
    ModelRef model = model(f, baseDir, report);
    CodeConfiguration code = codeConfiguration(f, baseDir, report);
    String image = environment(f, report);
    Map<String, String> variables = f.strings("environment_variables");
    String instanceType = f.string("instance_type");
    int instanceCount = f.integer("instance_count", 1);
    ScaleSettings scale = scaleSettings(f, report);
    RequestSettings requests = requestSettings(f, report);
    Probe liveness = probe(f, "liveness_probe", Probe.LIVENESS_DEFAULTS, report);
    Probe readiness = probe(f, "readiness_probe", Probe.READINESS_DEFAULTS, report);
    Batching batching = batching(f, report);
    f.finish();
    DeploymentSpec spec =
        report.build(
            "",
            () ->
                new DeploymentSpec(
                    name,
                    endpointName,
                    description,
                    tags,
                    model,
                    code,
                    image,
                    variables,
                    instanceType,
                    instanceCount,
                    scale,
                    requests,
                    liveness,
                    readiness,
                    batching));
    report.throwIfAny();
    return new Parsed<>(spec, report.warnings());
  }

  private static ModelRef model(Fields f, Path baseDir, Report report) {
    JsonNode v = f.value("model");
    if (v == null) {
      return null;
    }
    if (v.isTextual()) {
      return registeredModel(v.asText().trim(), report);
    }
    if (!v.isObject()) {
      report.typeError("model", "name:version or an object with path", v);
      return null;
    }
    Fields m = f.object("model", MODEL_KEYS, MODEL_AZURE);
    String rawPath = m.string("path");
    String name = m.string("name");
    String version = m.string("version");
    m.finish();
    String path = rawPath == null ? null : resolve(rawPath, baseDir, "model.path", report);
    if (rawPath != null && path == null) {
      return null;
    }
    return report.build("", () -> new ModelRef(path, name, version));
  }

  /** {@code name:version} or {@code azureml:name:version}, as {@link ModelRef#parse} reads it. */
  private static ModelRef registeredModel(String text, Report report) {
    return report.build("", () -> ModelRef.parse(text));
  }

  private static CodeConfiguration codeConfiguration(Fields f, Path baseDir, Report report) {
    Fields c = f.object("code_configuration", CODE_KEYS, Map.of());
    if (c == null) {
      return null;
    }
    String rawCode = c.string("code");
    String script = c.string("scoring_script");
    c.finish();
    String code =
        rawCode == null || AzureRef.isAsset(rawCode)
            ? rawCode
            : resolve(rawCode, baseDir, "code_configuration.code", report);
    if (rawCode != null && code == null) {
      return null;
    }
    return report.build("", () -> new CodeConfiguration(code, script));
  }

  /** {@code environment.image}, or null; Azure environments are accepted and ignored. */
  private static String environment(Fields f, Report report) {
    JsonNode v = f.value("environment");
    if (v == null) {
      return null;
    }
    if (v.isTextual()) {
      report.warning(
          "environment '"
              + v.asText()
              + "' is ignored: Knoe runs its own scoring function; give"
              + " environment: {image: ...} to replace it");
      return null;
    }
    Fields e = f.object("environment", ENVIRONMENT_KEYS, ENVIRONMENT_AZURE);
    if (e == null) {
      return null;
    }
    String image = e.string("image");
    e.finish();
    if (image != null && image.startsWith(AZURE_BASE_IMAGES)) {
      report.warning(
          "environment.image '"
              + image
              + "' is ignored: an Azure ML base image serves nothing"
              + " without score.py, so Knoe runs its own scoring function");
      return null;
    }
    return image;
  }

  private static ScaleSettings scaleSettings(Fields f, Report report) {
    Fields s = f.object("scale_settings", SCALE_KEYS, Map.of());
    if (s == null) {
      return null;
    }
    String typeText = s.string("type");
    ScaleSettings.Type type =
        typeText == null
            ? ScaleSettings.Type.DEFAULT
            : ScaleSettings.Type.fromValue(typeText).orElse(null);
    if (type == null) {
      report.problem(
          "scale_settings.type",
          "scale_settings.type '" + typeText + "' is not default or target_utilization");
    }
    if (type == ScaleSettings.Type.DEFAULT) {
      for (String key : SCALE_KEYS.subList(1, SCALE_KEYS.size())) {
        if (s.has(key)) {
          report.problem(
              s.path(key),
              s.path(key)
                  + " applies only to type target_utilization (type is default, which"
                  + " runs instance_count instances)");
        }
      }
      s.finish();
      // DeploymentSpec sets min = max = instance_count.
      return ScaleSettings.fixed(1);
    }
    int min = s.integer("min_instances", ScaleSettings.DEFAULT_MIN_INSTANCES);
    int max = s.integer("max_instances", ScaleSettings.DEFAULT_MAX_INSTANCES);
    int target =
        s.integer(
            "target_utilization_percentage", ScaleSettings.DEFAULT_TARGET_UTILIZATION_PERCENTAGE);
    int polling = s.integer("polling_interval", ScaleSettings.DEFAULT_POLLING_INTERVAL);
    s.finish();
    if (polling != ScaleSettings.DEFAULT_POLLING_INTERVAL) {
      report.warning(
          "scale_settings.polling_interval is accepted and not used: the autoscaler decides every"
              + " 2 s locally, at Knative's platform-wide tick on a cluster");
    }
    if (type == null) {
      return null;
    }
    return report.build("", () -> new ScaleSettings(type, min, max, target, polling));
  }

  private static RequestSettings requestSettings(Fields f, Report report) {
    Fields r = f.object("request_settings", REQUEST_KEYS, Map.of());
    if (r == null) {
      return null;
    }
    var d = RequestSettings.DEFAULTS;
    int timeout = r.integer("request_timeout_ms", d.requestTimeoutMs());
    int concurrency =
        r.integer("max_concurrent_requests_per_instance", d.maxConcurrentRequestsPerInstance());
    int queueWait = r.integer("max_queue_wait_ms", d.maxQueueWaitMs());
    r.finish();
    if (queueWait != d.maxQueueWaitMs()) {
      // Warned only when changed: specs written back (show, then update) carry the default.
      report.warning(
          "request_settings.max_queue_wait_ms is accepted and not used (Azure deprecated it):"
              + " a request waits at most request_timeout_ms, for an instance to start too");
    }
    return report.build("", () -> new RequestSettings(timeout, concurrency, queueWait));
  }

  private static Probe probe(Fields f, String key, Probe defaults, Report report) {
    Fields p = f.object(key, PROBE_KEYS, Map.of());
    if (p == null) {
      return null;
    }
    int initialDelay = p.integer("initial_delay", defaults.initialDelay());
    int period = p.integer("period", defaults.period());
    int timeout = p.integer("timeout", defaults.timeout());
    int success = p.integer("success_threshold", defaults.successThreshold());
    int failure = p.integer("failure_threshold", defaults.failureThreshold());
    p.finish();
    return report.build(key, () -> new Probe(initialDelay, period, timeout, success, failure));
  }

  private static Batching batching(Fields f, Report report) {
    Fields b = f.object("batching", BATCHING_KEYS, Map.of());
    if (b == null) {
      return null;
    }
    int size = b.integer("max_batch_size", Batching.DEFAULTS.maxBatchSize());
    int delay = b.integer("max_delay_ms", Batching.DEFAULTS.maxDelayMs());
    b.finish();
    return report.build("", () -> new Batching(size, delay));
  }

  /** Absolute and normalized against {@code baseDir} when there is one; null after a problem. */
  private static String resolve(String path, Path baseDir, String key, Report report) {
    if (URI.matcher(path).matches()) {
      report.problem(key, key + " '" + path + "' is a URI; give a folder or file on this machine");
      return null;
    }
    try {
      Path p = Path.of(path);
      if (baseDir != null) {
        p = baseDir.resolve(p).toAbsolutePath();
      }
      return p.normalize().toString();
    } catch (InvalidPathException e) {
      report.problem(key, key + " '" + path + "' is not a valid path: " + e.getReason());
      return null;
    }
  }

  // ---------------------------------------------------------------- traffic

  /**
   * Rules that need the endpoint's deployments: every deployment named in {@code traffic} or {@code
   * mirror} exists. Empty when all is well.
   */
  public static List<String> checkTraffic(
      String endpointName,
      Map<String, Integer> traffic,
      Map<String, Integer> mirror,
      Set<String> deploymentNames) {
    return TrafficRules.checkAgainst(endpointName, traffic, mirror, deploymentNames);
  }

  /**
   * Whether {@code deployment} may be created on an endpoint that holds {@code existing}: updating
   * one is always fine, adding a 21st is not.
   */
  public static Optional<String> checkDeploymentLimit(
      String endpointName, Set<String> existing, String deployment) {
    if (existing.contains(deployment) || existing.size() < MAX_DEPLOYMENTS) {
      return Optional.empty();
    }
    return Optional.of(
        "endpoint '"
            + endpointName
            + "' has "
            + existing.size()
            + " deployments, the most an"
            + " endpoint may have ("
            + MAX_DEPLOYMENTS
            + "); delete one before creating "
            + deployment);
  }

  /**
   * Whether {@code deployment} may be deleted: not while it has live traffic (the message says how
   * to move it) or receives mirrored traffic. Empty when it may.
   */
  public static Optional<String> checkDeletable(
      String endpointName, String deployment, Map<String, Integer> traffic, boolean mirrored) {
    int live = traffic.getOrDefault(deployment, 0);
    if (live > 0) {
      Map<String, Integer> rest = new LinkedHashMap<>(traffic);
      rest.remove(deployment);
      String suggestion =
          rest.isEmpty()
              ? "\"" + deployment + "=0\""
              : "\""
                  + String.join(
                      " ",
                      rest.keySet().stream()
                          .map(k -> k + "=" + (rest.size() == 1 ? 100 : rest.get(k)))
                          .toList())
                  + "\"";
      return Optional.of(
          "deployment '"
              + deployment
              + "' still has "
              + live
              + " % of endpoint '"
              + endpointName
              + "' traffic; move it first: knoe online-endpoint update -n "
              + endpointName
              + " --traffic "
              + suggestion);
    }
    if (mirrored) {
      return Optional.of(
          "deployment '"
              + deployment
              + "' receives mirrored traffic of endpoint '"
              + endpointName
              + "'; stop mirroring first: knoe online-endpoint update -n "
              + endpointName
              + " --mirror-traffic \""
              + deployment
              + "=0\"");
    }
    return Optional.empty();
  }

  /**
   * The CLI's {@code --traffic "blue=90 green=10"} (also {@code --mirror-traffic}): pairs separated
   * by spaces or commas, a trailing {@code %} allowed, in the order written. Only the syntax is
   * checked here; the ranges and the sum are the endpoint's rules.
   *
   * @throws SpecException naming each bad entry
   */
  public static Map<String, Integer> parseTraffic(String text) {
    return TrafficRules.parse(text);
  }

  // ---------------------------------------------------------------- helpers

  private static ObjectNode root(JsonNode tree, String what) {
    if (!tree.isObject()) {
      throw new SpecException(
          "the " + what + " must be a YAML mapping or JSON object, got " + Report.describe(tree));
    }
    return ((ObjectNode) tree).deepCopy();
  }

  /** Catches {@code online-endpoint create -f blue-deployment.yml} with a message that says so. */
  private static void looksLike(
      ObjectNode root, String other, String expected, List<String> its, List<String> mine) {
    if (mine.stream().anyMatch(root::has)) {
      return;
    }
    for (String key : its) {
      if (root.has(key)) {
        throw new SpecException(
            "this looks like " + other + " (it has " + key + "), not " + expected);
      }
    }
  }

  // ---------------------------------------------------------------- files

  private static byte[] readFile(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new SpecException("file " + file + " does not exist");
    } catch (IOException e) {
      throw new SpecException("cannot read " + file + ": " + e.getMessage());
    }
  }

  private static Path folder(Path file) {
    return file.toAbsolutePath().getParent();
  }

  private static Map<String, String> with(Map<String, String> a, Map<String, String> b) {
    var all = new LinkedHashMap<String, String>(a);
    all.putAll(b);
    return all;
  }
}
