package dev.knoe.control.api;

import dev.knoe.control.endpoint.ControlPlane;
import dev.knoe.control.endpoint.DeploymentState;
import dev.knoe.control.runtime.Backend;
import dev.knoe.control.serve.ClusterEndpoints;
import dev.knoe.control.serve.ClusterMode;
import dev.knoe.control.spec.DeploymentSpec;
import dev.knoe.control.spec.Format;
import dev.knoe.control.spec.Parsed;
import dev.knoe.control.spec.SpecParser;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/endpoints/{endpoint}/deployments}: create, update, show, list, delete, logs; from
 * the local control plane, or in cluster mode from the custom resources ({@link ClusterEndpoints}).
 */
@Path("/api/v1/endpoints/{endpoint}/deployments")
@Produces(MediaType.APPLICATION_JSON)
public class DeploymentResource {

  @Inject ControlPlane control;
  @Inject Backend backend;
  @Inject ClusterMode cluster;
  @Context UriInfo uri;

  @GET
  public List<Map<String, Object>> list(@PathParam("endpoint") String endpoint) {
    if (cluster.enabled()) {
      return cluster.endpoints().deploymentViews(endpoint);
    }
    return control.deployments(endpoint).stream().map(this::view).toList();
  }

  @GET
  @Path("{name}")
  public Response show(@PathParam("endpoint") String endpoint, @PathParam("name") String name) {
    if (cluster.enabled()) {
      ClusterEndpoints.Viewed d = cluster.endpoints().deployment(endpoint, name);
      return Response.ok(d.view()).tag(new EntityTag(d.etag())).build();
    }
    DeploymentState d = control.deployment(endpoint, name);
    return Response.ok(view(d)).tag(new EntityTag(Long.toString(d.generation()))).build();
  }

  /** Create only: 409 when it exists. Answers 202: instances start in the background. */
  @POST
  @Consumes(MediaType.WILDCARD)
  public Response create(@PathParam("endpoint") String endpoint, byte[] body, @HeaderParam("Content-Type") String type) {
    Parsed<DeploymentSpec> parsed = parse(endpoint, null, body, type);
    if (cluster.enabled()) {
      return accepted(cluster.endpoints().putDeployment(parsed.spec(), null, true), parsed.spec(), parsed.warnings());
    }
    return accepted(control.putDeployment(parsed.spec(), null, true), parsed.warnings());
  }

  @PUT
  @Path("{name}")
  @Consumes(MediaType.WILDCARD)
  public Response put(@PathParam("endpoint") String endpoint, @PathParam("name") String name, byte[] body,
      @HeaderParam("Content-Type") String type, @HeaderParam("If-Match") String ifMatch) {
    Parsed<DeploymentSpec> parsed = parse(endpoint, name, body, type);
    if (cluster.enabled()) {
      return accepted(cluster.endpoints().putDeployment(parsed.spec(), ifMatch, false), parsed.spec(), parsed.warnings());
    }
    return accepted(control.putDeployment(parsed.spec(), ifMatch, false), parsed.warnings());
  }

  @DELETE
  @Path("{name}")
  public Response delete(@PathParam("endpoint") String endpoint, @PathParam("name") String name) {
    if (cluster.enabled()) {
      cluster.endpoints().deleteDeployment(endpoint, name);
    } else {
      control.deleteDeployment(endpoint, name);
    }
    return Response.noContent().build();
  }

  @GET
  @Path("{name}/logs")
  @Produces(MediaType.TEXT_PLAIN)
  public String logs(@PathParam("endpoint") String endpoint, @PathParam("name") String name,
      @QueryParam("lines") @DefaultValue("100") int lines, @QueryParam("container") @DefaultValue("inference-server") String container) {
    if (lines < 1 || lines > 100_000) {
      throw ApiException.badRequest("lines = " + lines + ", must be 1 to 100000");
    }
    if (!container.equals("inference-server") && !container.equals("storage-initializer")) {
      throw ApiException.badRequest("container '" + container + "' is unknown: use inference-server or storage-initializer");
    }
    List<String> out = cluster.enabled()
        ? cluster.endpoints().logs(endpoint, name, lines, container)
        : control.logs(endpoint, name, lines, container);
    return out.isEmpty() ? "" : String.join("\n", out) + "\n";
  }

  private Parsed<DeploymentSpec> parse(String endpoint, String name, byte[] body, String type) {
    Parsed<DeploymentSpec> parsed = SpecParser.deployment(body, Format.of(type, body), null, List.of());
    if (!parsed.spec().endpointName().equals(endpoint)) {
      throw ApiException.badRequest("the body names endpoint '" + parsed.spec().endpointName() + "' but the path names '" + endpoint + "'");
    }
    if (name != null && !parsed.spec().name().equals(name)) {
      throw ApiException.badRequest("the body names deployment '" + parsed.spec().name() + "' but the path names '" + name + "'");
    }
    return parsed;
  }

  private Response accepted(DeploymentState d, List<String> warnings) {
    return Response.status(202).entity(EndpointResource.withWarnings(view(d), warnings))
        .tag(new EntityTag(Long.toString(d.generation())))
        .header("Location", uri.getBaseUri() + "api/v1/endpoints/" + d.endpoint() + "/deployments/" + d.name())
        .build();
  }

  private Response accepted(ClusterEndpoints.Viewed d, DeploymentSpec spec, List<String> warnings) {
    return Response.status(202).entity(EndpointResource.withWarnings(d.view(), warnings))
        .tag(new EntityTag(d.etag()))
        .header("Location", uri.getBaseUri() + "api/v1/endpoints/" + spec.endpointName() + "/deployments/" + spec.name())
        .build();
  }

  private Map<String, Object> view(DeploymentState d) {
    return Views.deployment(d, backend.pool(d.endpoint(), d.name()),
        backend.scaleStatus(d.endpoint(), d.name()), uri.getBaseUri());
  }
}
