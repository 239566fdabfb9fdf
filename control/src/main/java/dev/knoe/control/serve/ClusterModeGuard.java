package dev.knoe.control.serve;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * In cluster mode the endpoint and deployment API is not served yet: it would start local
 * processes inside the control plane's pod. It answers 501 saying how to do the same with custom
 * resources; the model API works as everywhere.
 */
public class ClusterModeGuard {

  @Inject ClusterMode cluster;

  @ServerRequestFilter
  public Response check(ContainerRequestContext ctx) {
    if (!cluster.enabled() || !ctx.getUriInfo().getPath().startsWith("/api/v1/endpoints")) {
      return null;
    }
    return Response.status(501).type(MediaType.APPLICATION_JSON).entity(Map.of("error",
        "endpoints and deployments are Kubernetes resources in cluster mode: 'knoe render --resources-only"
            + " -f endpoint.yml -f deployment.yml | kubectl apply -f -', then 'kubectl get onlineendpoints,onlinedeployments';"
            + " register models here first with 'knoe model create'")).build();
  }
}
