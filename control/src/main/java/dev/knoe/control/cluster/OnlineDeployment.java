package dev.knoe.control.cluster;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * An online deployment as a custom resource ({@code knoe.dev/v1alpha1 OnlineDeployment}): {@code
 * spec} is deployment.yml, with {@code endpoint_name} required. Its Knoe name is {@code spec.name}
 * when given, else {@code metadata.name} minus the {@code <endpoint resource>-} prefix (as {@link
 * dev.knoe.control.knative.KnativeRenderer#deploymentResource} names it). Each {@code
 * metadata.generation} is one Knative revision.
 */
@Group("knoe.dev")
@Version("v1alpha1")
@Kind("OnlineDeployment")
@Plural("onlinedeployments")
@Singular("onlinedeployment")
public class OnlineDeployment extends CustomResource<AzureYamlSpec, OnlineDeploymentStatus>
    implements Namespaced {

  private static final long serialVersionUID = 1L;
}
