package dev.knoe.control.cluster;

import dev.knoe.control.knative.ArtifactSource;
import dev.knoe.control.spec.DeploymentSpec;

/**
 * Where a deployment's files come from on a cluster: the registered model (and handler jar) a pod
 * downloads, with their digests. The reconciler asks only when it writes the revision template of a
 * deployment generation, so a registry is not called on every reconcile.
 */
@FunctionalInterface
public interface ModelResolver {

  /**
   * The model (and code) of {@code spec}.
   *
   * @throws Unresolved with a sentence for the deployment's status, e.g. the model is not
   *     registered
   */
  Resolved resolve(String namespace, DeploymentSpec spec) throws Unresolved;

  /**
   * @param modelName the registered model's name
   * @param modelVersion its version
   * @param model the model file
   * @param code the handler jar, or null without {@code code_configuration}
   */
  record Resolved(
      String modelName, String modelVersion, ArtifactSource model, ArtifactSource code) {}

  /** A deployment whose files cannot be found; its message goes to the deployment's status. */
  final class Unresolved extends Exception {
    private static final long serialVersionUID = 1L;

    public Unresolved(String message) {
      super(message);
    }
  }
}
