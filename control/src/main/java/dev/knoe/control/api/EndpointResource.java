package dev.knoe.control.api;

import dev.knoe.control.endpoint.EndpointView;
import dev.knoe.control.endpoint.Endpoints;
import dev.knoe.control.spec.EndpointSpec;
import dev.knoe.control.spec.Format;
import dev.knoe.control.spec.Names;
import dev.knoe.control.spec.Parsed;
import dev.knoe.control.spec.SpecParser;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
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
 * {@code /api/v1/endpoints}: create, update, show, list, delete, keys and tokens. The name in the
 * path is checked ({@link Names#ENDPOINT}) before anything else: a bad one is a 400.
 */
@Path("/api/v1/endpoints")
@Produces(MediaType.APPLICATION_JSON)
public class EndpointResource {

  @Inject Endpoints endpoints;
  @Context UriInfo uri;

  @GET
  public List<Map<String, Object>> list() {
    return endpoints.endpoints().stream().map(e -> Views.endpoint(e, uri.getBaseUri())).toList();
  }

  @GET
  @Path("{name}")
  public Response show(@PathParam("name") String name) {
    Names.ENDPOINT.require(name);
    EndpointView e = endpoints.endpoint(name);
    return Response.ok(Views.endpoint(e, uri.getBaseUri())).tag(new EntityTag(e.etag())).build();
  }

  /** Create only: 409 when the endpoint exists. */
  @RequestBody(
      required = true,
      content = {
        @Content(mediaType = "application/yaml", schema = @Schema(ref = "EndpointSpec")),
        @Content(mediaType = "application/json", schema = @Schema(ref = "EndpointSpec"))
      })
  @POST
  @Consumes(MediaType.WILDCARD)
  @APIResponse(responseCode = "201", description = "created: the endpoint, with an ETag")
  public Response create(byte[] body, @HeaderParam("Content-Type") String type) {
    Parsed<EndpointSpec> parsed = parse(body, type);
    EndpointView e = endpoints.putEndpoint(parsed.spec(), null, true);
    return Response.status(201)
        .entity(Views.withWarnings(Views.endpoint(e, uri.getBaseUri()), parsed.warnings()))
        .tag(new EntityTag(e.etag()))
        .build();
  }

  /** Create or replace; {@code If-Match} guards against lost updates. */
  @PUT
  @Path("{name}")
  @Consumes(MediaType.WILDCARD)
  @RequestBody(
      required = true,
      content = {
        @Content(mediaType = "application/yaml", schema = @Schema(ref = "EndpointSpec")),
        @Content(mediaType = "application/json", schema = @Schema(ref = "EndpointSpec"))
      })
  public Response put(
      @PathParam("name") String name,
      byte[] body,
      @HeaderParam("Content-Type") String type,
      @HeaderParam("If-Match") String ifMatch) {
    Names.ENDPOINT.require(name);
    Parsed<EndpointSpec> parsed = parse(body, type);
    if (!parsed.spec().name().equals(name)) {
      throw ApiException.badRequest(
          "the body names endpoint '"
              + parsed.spec().name()
              + "' but the path names '"
              + name
              + "'");
    }
    EndpointView e = endpoints.putEndpoint(parsed.spec(), ifMatch, false);
    return Response.ok(Views.withWarnings(Views.endpoint(e, uri.getBaseUri()), parsed.warnings()))
        .tag(new EntityTag(e.etag()))
        .build();
  }

  /** {@code If-Match} guards against deleting what changed since it was read. */
  @DELETE
  @Path("{name}")
  @APIResponse(responseCode = "204", description = "deleted, with its deployments")
  public Response delete(@PathParam("name") String name, @HeaderParam("If-Match") String ifMatch) {
    Names.ENDPOINT.require(name);
    endpoints.deleteEndpoint(name, ifMatch);
    return Response.noContent().build();
  }

  /** {@code get-credentials} for a key endpoint: both keys, with Azure's field names. */
  @GET
  @Path("{name}/keys")
  public Map<String, String> keys(@PathParam("name") String name) {
    Names.ENDPOINT.require(name);
    var k = endpoints.keys(name);
    return Map.of("primaryKey", k.primaryKey(), "secondaryKey", k.secondaryKey());
  }

  /** {@code If-Match} is the endpoint's ETag. */
  @POST
  @Path("{name}/keys/regenerate")
  @Consumes(MediaType.WILDCARD)
  public Map<String, String> regenerate(
      @PathParam("name") String name,
      Map<String, String> body,
      @HeaderParam("If-Match") String ifMatch) {
    Names.ENDPOINT.require(name);
    String type = body == null ? null : body.getOrDefault("key_type", body.get("keyType"));
    var k = endpoints.regenerateKey(name, type, ifMatch);
    return Map.of("primaryKey", k.primaryKey(), "secondaryKey", k.secondaryKey());
  }

  /** {@code get-credentials} for an aml_token endpoint. */
  @POST
  @Path("{name}/token")
  public Map<String, String> token(@PathParam("name") String name) {
    Names.ENDPOINT.require(name);
    var t = endpoints.token(name);
    return Map.of(
        "accessToken",
        t.accessToken(),
        "tokenType",
        "Bearer",
        "expiryTimeUtc",
        t.expiryTimeUtc().toString(),
        "refreshAfterTimeUtc",
        t.refreshAfterTimeUtc().toString());
  }

  private Parsed<EndpointSpec> parse(byte[] body, String type) {
    return SpecParser.endpoint(body, Format.of(type, body), null, List.of());
  }
}
