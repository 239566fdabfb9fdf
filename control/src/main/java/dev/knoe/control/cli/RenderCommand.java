package dev.knoe.control.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.knoe.control.knative.ArtifactSource;
import dev.knoe.control.knative.DeploymentRevision;
import dev.knoe.control.knative.InstanceTypeCatalog;
import dev.knoe.control.knative.KnativeManifests;
import dev.knoe.control.knative.KnativeRenderer;
import dev.knoe.control.knative.KnativeRules;
import dev.knoe.control.knative.RenderSettings;
import dev.knoe.control.spec.DeploymentSpec;
import dev.knoe.control.spec.EndpointSpec;
import dev.knoe.control.spec.ModelRef;
import dev.knoe.spi.ModelFolder;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code knoe render -f endpoint.yml -f blue.yml -f green.yml}: the Kubernetes manifests of an
 * endpoint on a cluster with Knative, without a cluster: the custom resources to apply, then the
 * Knative Service and Triggers the reconciler makes of them. Checked against Knative's own rules
 * before printing.
 */
@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    description = {
      "Print the Kubernetes manifests of an endpoint and its deployments, without a cluster:",
      "the OnlineEndpoint and OnlineDeployment resources to apply (kubectl apply, GitOps), then the",
      "Knative Service (one per endpoint, a revision per deployment, traffic by revision) and Triggers",
      "that the reconciler makes of them once every revision is Ready."
    })
final class RenderCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = {"-f", "--file"},
      required = true,
      description = "An endpoint or deployment YAML file (repeatable; one endpoint).")
  List<Path> files = new ArrayList<>();

  @Option(
      names = "--namespace",
      defaultValue = "default",
      description = "Namespace of the endpoint (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(
      names = "--resources-only",
      description =
          "Print only the OnlineEndpoint and OnlineDeployment resources (what to kubectl apply; the reconciler makes the rest).")
  boolean resourcesOnly;

  @Option(
      names = "--scoring-image",
      description =
          "Scoring-function image (default: " + RenderSettings.DEFAULT_SCORING_IMAGE + ").")
  String scoringImage;

  @Option(
      names = "--gpu-scoring-image",
      description =
          "Scoring-function image with CUDA, for GPU instance types (default: --scoring-image when"
              + " given, else "
              + RenderSettings.DEFAULT_GPU_SCORING_IMAGE
              + ").")
  String gpuScoringImage;

  @Option(
      names = "--control-url",
      defaultValue = "http://knoe.knoe.svc.cluster.local:8500",
      description =
          "The control plane as pods reach it, for model downloads (default: ${DEFAULT-VALUE}).")
  String controlUrl;

  @Option(
      names = "--instance-types",
      description = "Instance-type catalog YAML (the chart's instanceTypes and azureSkus).")
  Path instanceTypes;

  @Override
  public Integer call() throws IOException {
    CliContext context = KnoeCommand.context(spec);
    EndpointSpec endpoint = null;
    List<DeploymentSpec> deployments = new ArrayList<>();
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    for (Path file : files) {
      JsonNode tree;
      try {
        tree = yaml.readTree(file.toFile());
      } catch (IOException e) {
        throw CliException.failed(file + ": " + e.getMessage(), e);
      }
      if (tree != null && tree.has("endpoint_name")) {
        var parsed = Specs.deployment(file, List.of());
        Specs.warn(context.err(), file.toString(), parsed.warnings());
        deployments.add(parsed.spec());
      } else {
        if (endpoint != null) {
          throw CliException.usage(
              file + " is a second endpoint; render one endpoint (and its deployments) at a time");
        }
        var parsed = Specs.endpoint(file, List.of());
        Specs.warn(context.err(), file.toString(), parsed.warnings());
        endpoint = parsed.spec();
      }
    }
    if (endpoint == null) {
      throw CliException.usage("no endpoint file among -f: give the endpoint YAML too");
    }
    RenderSettings defaults = RenderSettings.defaults(namespace);
    InstanceTypeCatalog catalog =
        instanceTypes == null ? defaults.catalog() : InstanceTypeCatalog.read(instanceTypes);
    KnativeRenderer renderer =
        new KnativeRenderer(
            new RenderSettings(
                namespace,
                scoringImage != null ? scoringImage : defaults.scoringImage(),
                RenderSettings.gpuScoringImage(gpuScoringImage, scoringImage),
                defaults.storageInitializerImage(),
                defaults.modelReaderSecret(),
                catalog,
                defaults.autoscaling()));
    List<DeploymentRevision> revisions = new ArrayList<>();
    for (DeploymentSpec d : deployments) {
      revisions.add(revision(d));
    }
    List<HasMetadata> manifests;
    try {
      manifests = KnativeManifests.render(renderer, endpoint, revisions);
    } catch (IllegalArgumentException e) {
      throw CliException.failed(e.getMessage(), e);
    }
    for (HasMetadata m : manifests) {
      if (resourcesOnly && !m.getApiVersion().startsWith(KnativeRenderer.API_GROUP + "/")) {
        continue;
      }
      if (m instanceof Service s) {
        List<String> problems = KnativeRules.problems(s);
        if (!problems.isEmpty()) {
          throw CliException.failed(
              "the Knative Service would be refused: " + String.join("; ", problems));
        }
      }
      String doc = Serialization.asYaml(m);
      context.out().print(doc.startsWith("---") ? doc : "---\n" + doc);
    }
    context.out().flush();
    return 0;
  }

  /**
   * Generation 1 of a deployment, its model from the file the spec names: a registered model's
   * digest is only known to the control plane, so render asks for a path.
   */
  private DeploymentRevision revision(DeploymentSpec d) {
    ModelRef ref = d.model();
    if (!ref.isInline()) {
      throw CliException.failed(
          "deployment '"
              + d.name()
              + "': model "
              + ref.reference()
              + " is registered; render"
              + " needs the model file to pin its sha256: write model: {path: ...}");
    }
    Path file;
    try {
      file = ModelFolder.checkedOnnxFile(Path.of(ref.path()), "model.path");
    } catch (IllegalArgumentException e) {
      throw CliException.failed("deployment '" + d.name() + "': " + e.getMessage(), e);
    }
    // Inline models are registered as <endpoint>-<deployment>; the registry numbers versions from 1
    // ('knoe model create --name <endpoint>-<deployment> --path <file>' against the cluster makes
    // it).
    String name = d.endpointName() + "-" + d.name();
    String url = controlUrl.replaceAll("/$", "") + "/api/v1/models/" + name + "/versions/1/content";
    ArtifactSource model = new ArtifactSource(url, ModelCommands.Create.sha256(file), "model.onnx");
    ArtifactSource code = null;
    if (d.codeConfiguration() != null) {
      Path codePath = Path.of(d.codeConfiguration().code());
      if (!Files.isRegularFile(codePath)) {
        throw CliException.failed(
            "deployment '"
                + d.name()
                + "': on a cluster the handler must be a jar file, not "
                + codePath);
      }
      code =
          new ArtifactSource(
              controlUrl.replaceAll("/$", "")
                  + "/api/v1/endpoints/"
                  + d.endpointName()
                  + "/deployments/"
                  + d.name()
                  + "/code",
              ModelCommands.Create.sha256(codePath),
              "handler.jar");
    }
    return KnativeManifests.first(d, name, "1", model, code);
  }
}
