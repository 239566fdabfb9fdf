package dev.knoe.control.knative;

import dev.knoe.control.spec.DeploymentSpec;
import dev.knoe.control.spec.EndpointSpec;
import io.fabric8.knative.serving.v1.RevisionTemplateSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything an endpoint becomes on a cluster, for {@code knoe render}: its custom resources (what
 * {@code kubectl apply} or GitOps keeps), and the routing ConfigMap, Knative Service and Triggers
 * the reconciler makes of them once every deployment's revision is Ready. The reconciler writes one
 * template at a time (a revision per deployment generation), so the Service shown has the last
 * deployment's template and the endpoint's traffic over all of them.
 */
public final class KnativeManifests {

  private KnativeManifests() {}

  public static List<HasMetadata> render(
      KnativeRenderer renderer, EndpointSpec endpoint, List<DeploymentRevision> deployments) {
    for (DeploymentRevision d : deployments) {
      if (!d.spec().endpointName().equals(endpoint.name())) {
        throw new IllegalArgumentException(
            "deployment '"
                + d.name()
                + "' belongs to endpoint '"
                + d.spec().endpointName()
                + "', not '"
                + endpoint.name()
                + "'");
      }
    }
    for (String named : endpoint.traffic().keySet()) {
      if (deployments.stream().noneMatch(d -> d.name().equals(named))
          && endpoint.traffic().get(named) > 0) {
        throw new IllegalArgumentException(
            "endpoint '"
                + endpoint.name()
                + "' sends traffic to deployment '"
                + named
                + "', which is not among the files given");
      }
    }
    List<HasMetadata> out = new ArrayList<>();
    out.add(renderer.endpointResource(endpoint));
    deployments.forEach(d -> out.add(renderer.deploymentResource(d)));
    Map<String, String> revisions = new LinkedHashMap<>();
    deployments.forEach(d -> revisions.put(d.name(), d.revisionName()));
    RevisionTemplateSpec template =
        deployments.isEmpty()
            ? renderer.noTrafficTemplate(endpoint)
            : renderer.template(endpoint, deployments.get(deployments.size() - 1));
    out.add(renderer.routing(endpoint));
    out.add(renderer.service(endpoint, template, renderer.traffic(endpoint, revisions)));
    // The events token is made by the reconciler in the endpoint's auth Secret: a placeholder here.
    endpoint
        .triggers()
        .forEach(t -> out.add(renderer.trigger(endpoint, t, KnativeRenderer.PREVIEW_EVENTS_TOKEN)));
    return out;
  }

  /**
   * Deployments of the endpoint as generation 1 each, for a first render: a preview, named without
   * the life part the reconciler adds from each OnlineDeployment's uid (none exists yet).
   */
  public static DeploymentRevision first(
      DeploymentSpec spec,
      String modelName,
      String modelVersion,
      ArtifactSource model,
      ArtifactSource code) {
    return new DeploymentRevision(spec, null, 1, modelName, modelVersion, model, code);
  }
}
