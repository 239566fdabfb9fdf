package dev.knoe.control.cluster;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * An online endpoint as a custom resource ({@code knoe.dev/v1alpha1 OnlineEndpoint}): {@code spec}
 * is endpoint.yml. The endpoint's Knoe name is {@code spec.name} when given, else {@code
 * metadata.name}; either way {@code metadata.name} must be {@link
 * dev.knoe.control.knative.KnativeNames#endpointResource} of it (the name itself for a lowercase
 * name), which is also the Knative Service's name.
 */
@Group("knoe.dev")
@Version("v1alpha1")
@Kind("OnlineEndpoint")
@Plural("onlineendpoints")
@Singular("onlineendpoint")
public class OnlineEndpoint extends CustomResource<AzureYamlSpec, OnlineEndpointStatus>
    implements Namespaced {

  private static final long serialVersionUID = 1L;
}
