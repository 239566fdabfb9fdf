package dev.knoe.control.serve;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * In cluster mode the endpoint and deployment API reads from the custom resources ({@link
 * ClusterApi}: show, list, keys, token, logs); its writes are not served yet (they would start local
 * processes inside the control plane's pod) and answer 501 saying how to do the same with custom
 * resources. The model API works as everywhere.
 */
public class ClusterModeGuard {

  @Inject ClusterMode cluster;

  @ServerRequestFilter
  public Response check(ContainerRequestContext ctx) {
    String path = ctx.getUriInfo().getPath();
    if (!cluster.enabled() || !path.startsWith("/api/v1/endpoints")) {
      return null;
    }
    java.util.Map<String, String> query = new java.util.HashMap<>();
    ctx.getUriInfo().getQueryParameters().forEach((k, v) -> query.put(k, v.isEmpty() ? "" : v.get(0)));
    var read = cluster.api().flatMap(api -> api.handle(ctx.getMethod(), path, query));
    if (read.isPresent()) {
      return read.get();
    }
    return Response.status(501).type(MediaType.APPLICATION_JSON).entity(Map.of("error",
        "endpoints and deployments are Kubernetes resources in cluster mode: 'knoe render --resources-only"
            + " -f endpoint.yml -f deployment.yml | kubectl apply -f -', then 'kubectl get onlineendpoints,onlinedeployments';"
            + " register models here first with 'knoe model create'")).build();
  }
}
