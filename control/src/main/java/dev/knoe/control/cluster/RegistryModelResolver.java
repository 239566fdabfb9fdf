package dev.knoe.control.cluster;

import dev.knoe.control.knative.ArtifactSource;
import dev.knoe.control.model.ModelRegistry;
import dev.knoe.control.model.ModelVersion;
import dev.knoe.control.spec.DeploymentSpec;
import dev.knoe.control.spec.ModelRef;

/**
 * Models from the control plane's own registry: a pod downloads {@code name:version} from {@code
 * <control URL>/api/v1/models/<name>/versions/<version>/content} and checks the sha256 the registry
 * recorded. A local path means nothing on a cluster, and handler jars have no cluster delivery yet:
 * both are refused with what to do instead.
 */
public final class RegistryModelResolver implements ModelResolver {

  private final ModelRegistry registry;
  private final String controlUrl;

  /**
   * @param controlUrl the control plane as pods reach it, e.g. {@code http://knoe.knoe.svc:8500}
   */
  public RegistryModelResolver(ModelRegistry registry, String controlUrl) {
    this.registry = registry;
    this.controlUrl = controlUrl.replaceAll("/+$", "");
  }

  @Override
  public Resolved resolve(String namespace, DeploymentSpec spec) throws Unresolved {
    ModelRef ref = spec.model();
    if (ref.isInline()) {
      throw new Unresolved(
          "model.path "
              + ref.path()
              + " means nothing on a cluster: register the file with"
              + " 'knoe model create --name "
              + spec.endpointName()
              + "-"
              + spec.name()
              + " --path <file>' and write"
              + " model: "
              + spec.endpointName()
              + "-"
              + spec.name()
              + ":1");
    }
    if (spec.codeConfiguration() != null) {
      throw new Unresolved(
          "code_configuration: custom handlers cannot be delivered to a cluster yet;"
              + " build an image with the handler and set environment.image");
    }
    int version;
    try {
      version = Integer.parseInt(ref.version());
    } catch (NumberFormatException e) {
      throw new Unresolved(
          "model version '" + ref.version() + "' is not a registry version (1, 2, ...)");
    }
    ModelVersion v =
        registry
            .find(ref.name(), version)
            .orElseThrow(
                () ->
                    new Unresolved(
                        "model "
                            + ref.name()
                            + ":"
                            + version
                            + " is not registered; register it with 'knoe model create --name "
                            + ref.name()
                            + " --path <file>'"));
    String url =
        controlUrl + "/api/v1/models/" + v.name() + "/versions/" + v.version() + "/content";
    return new Resolved(
        v.name(),
        Integer.toString(v.version()),
        new ArtifactSource(url, v.sha256(), "model.onnx"),
        null);
  }
}
