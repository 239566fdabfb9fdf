package dev.knoe.control.knative;

import dev.knoe.control.spec.DeploymentSpec;

/**
 * One generation of a deployment as a cluster runs it: the spec, its generation (part of the fixed
 * revision name) and where its files come from.
 *
 * @param uid the OnlineDeployment's uid, which tells this life of the deployment from an earlier
 *     one of the same name (part of the revision name, {@link KnativeNames#revision}); null for a
 *     preview
 * @param modelName the registered model's name (the V2 model name)
 * @param modelVersion its version in the registry
 * @param model the model file
 * @param code the handler jar, or null without {@code code_configuration}
 */
public record DeploymentRevision(
    DeploymentSpec spec,
    String uid,
    long generation,
    String modelName,
    String modelVersion,
    ArtifactSource model,
    ArtifactSource code) {

  public String name() {
    return spec.name();
  }

  public String revisionName() {
    return KnativeNames.revision(spec.endpointName(), spec.name(), uid, generation);
  }
}
