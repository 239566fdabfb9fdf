package dev.knoe.control.api;

import dev.knoe.control.endpoint.DeploymentView;
import dev.knoe.control.endpoint.Endpoints;
import dev.knoe.control.spec.DeploymentSpec;
import dev.knoe.control.spec.Format;
import dev.knoe.control.spec.Names;
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
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * {@code /api/v1/endpoints/{endpoint}/deployments}: create, update, show, list, delete, logs. The
 * names in the path are checked ({@link Names#ENDPOINT}, {@link Names#DEPLOYMENT}) before anything
 * else: a bad one is a 400.
 */
@Path("/api/v1/endpoints/{endpoint}/deployments")
@Produces(MediaType.APPLICATION_JSON)
public class DeploymentResource {

  @Inject Endpoints endpoints;
  @Context UriInfo uri;

  @GET
  public List<Map<String, Object>> list(@PathParam("endpoint") String endpoint) {
    Names.ENDPOINT.require(endpoint);
    return endpoints.deployments(endpoint).stream()
        .map(d -> Views.deployment(d, uri.getBaseUri()))
        .toList();
  }

  @GET
  @Path("{name}")
  public Response show(@PathParam("endpoint") String endpoint, @PathParam("name") String name) {
    Names.ENDPOINT.require(endpoint);
    Names.DEPLOYMENT.require(name);
    DeploymentView d = endpoints.deployment(endpoint, name);
    return Response.ok(Views.deployment(d, uri.getBaseUri())).tag(new EntityTag(d.etag())).build();
  }

  /** Create only: 409 when it exists. Answers 202: instances start in the background. */
  @RequestBody(
      required = true,
      content = {
        @Content(mediaType = "application/yaml", schema = @Schema(ref = "DeploymentSpec")),
        @Content(mediaType = "application/json", schema = @Schema(ref = "DeploymentSpec"))
      })
  @POST
  @Consumes(MediaType.WILDCARD)
  @APIResponse(
      responseCode = "202",
      description =
          "accepted: instances start in the background; Location is the deployment, whose provisioning_state says where it is")
  public Response create(
      @PathParam("endpoint") String endpoint,
      byte[] body,
      @HeaderParam("Content-Type") String type) {
    Names.ENDPOINT.require(endpoint);
    Parsed<DeploymentSpec> parsed = parse(endpoint, null, body, type);
    return accepted(endpoints.putDeployment(parsed.spec(), null, true), parsed.warnings());
  }

  @PUT
  @Path("{name}")
  @Consumes(MediaType.WILDCARD)
  @RequestBody(
      required = true,
      content = {
        @Content(mediaType = "application/yaml", schema = @Schema(ref = "DeploymentSpec")),
        @Content(mediaType = "application/json", schema = @Schema(ref = "DeploymentSpec"))
      })
  @APIResponse(
      responseCode = "202",
      description =
          "accepted: instances start (or roll) in the background; Location is the deployment, whose provisioning_state says where it is")
  public Response put(
      @PathParam("endpoint") String endpoint,
      @PathParam("name") String name,
      byte[] body,
      @HeaderParam("Content-Type") String type,
      @HeaderParam("If-Match") String ifMatch) {
    Names.ENDPOINT.require(endpoint);
    Names.DEPLOYMENT.require(name);
    Parsed<DeploymentSpec> parsed = parse(endpoint, name, body, type);
    return accepted(endpoints.putDeployment(parsed.spec(), ifMatch, false), parsed.warnings());
  }

  /** {@code If-Match} guards against deleting what changed since it was read. */
  @DELETE
  @Path("{name}")
  @APIResponse(responseCode = "204", description = "deleted")
  public Response delete(
      @PathParam("endpoint") String endpoint,
      @PathParam("name") String name,
      @HeaderParam("If-Match") String ifMatch) {
    Names.ENDPOINT.require(endpoint);
    Names.DEPLOYMENT.require(name);
    endpoints.deleteDeployment(endpoint, name, ifMatch);
    return Response.noContent().build();
  }

  @GET
  @Path("{name}/logs")
  @Produces(MediaType.TEXT_PLAIN)
  public String logs(
      @PathParam("endpoint") String endpoint,
      @PathParam("name") String name,
      @QueryParam("lines") @DefaultValue("100") int lines,
      @QueryParam("container") @DefaultValue("inference-server") String container) {
    Names.ENDPOINT.require(endpoint);
    Names.DEPLOYMENT.require(name);
    if (lines < 1 || lines > 100_000) {
      throw ApiException.badRequest("lines = " + lines + ", must be 1 to 100000");
    }
    if (!container.equals("inference-server") && !container.equals("storage-initializer")) {
      throw ApiException.badRequest(
          "container '" + container + "' is unknown: use inference-server or storage-initializer");
    }
    List<String> out = endpoints.logs(endpoint, name, lines, container);
    return out.isEmpty() ? "" : String.join("\n", out) + "\n";
  }

  private Parsed<DeploymentSpec> parse(String endpoint, String name, byte[] body, String type) {
    Parsed<DeploymentSpec> parsed =
        SpecParser.deployment(body, Format.of(type, body), null, List.of());
    if (!parsed.spec().endpointName().equals(endpoint)) {
      throw ApiException.badRequest(
          "the body names endpoint '"
              + parsed.spec().endpointName()
              + "' but the path names '"
              + endpoint
              + "'");
    }
    if (name != null && !parsed.spec().name().equals(name)) {
      throw ApiException.badRequest(
          "the body names deployment '"
              + parsed.spec().name()
              + "' but the path names '"
              + name
              + "'");
    }
    return parsed;
  }

  private Response accepted(DeploymentView d, List<String> warnings) {
    return Response.status(202)
        .entity(Views.withWarnings(Views.deployment(d, uri.getBaseUri()), warnings))
        .tag(new EntityTag(d.etag()))
        .header(
            "Location",
            uri.getBaseUri() + "api/v1/endpoints/" + d.endpoint() + "/deployments/" + d.name())
        .build();
  }
}
