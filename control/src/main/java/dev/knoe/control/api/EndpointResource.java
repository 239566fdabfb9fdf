package dev.knoe.control.api;

import dev.knoe.control.endpoint.ControlPlane;
import dev.knoe.control.endpoint.EndpointState;
import dev.knoe.control.serve.ClusterEndpoints;
import dev.knoe.control.serve.ClusterMode;
import dev.knoe.control.spec.EndpointSpec;
import dev.knoe.control.spec.Format;
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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/endpoints}: create, update, show, list, delete, keys and tokens; from the local
 * control plane, or in cluster mode from the custom resources ({@link ClusterEndpoints}).
 */
@Path("/api/v1/endpoints")
@Produces(MediaType.APPLICATION_JSON)
public class EndpointResource {

  @Inject ControlPlane control;
  @Inject ClusterMode cluster;
  @Context UriInfo uri;

  @GET
  public List<Map<String, Object>> list() {
    if (cluster.enabled()) {
      return cluster.endpoints().endpoints();
    }
    return control.endpoints().stream().map(this::view).toList();
  }

  @GET
  @Path("{name}")
  public Response show(@PathParam("name") String name) {
    if (cluster.enabled()) {
      ClusterEndpoints.Viewed e = cluster.endpoints().endpoint(name);
      return Response.ok(e.view()).tag(e.etag()).build();
    }
    EndpointState e = control.endpoint(name);
    return Response.ok(view(e)).tag(etag(e)).build();
  }

  /** Create only: 409 when the endpoint exists. */
  @POST
  @Consumes(MediaType.WILDCARD)
  public Response create(byte[] body, @HeaderParam("Content-Type") String type) {
    Parsed<EndpointSpec> parsed = parse(body, type);
    if (cluster.enabled()) {
      ClusterEndpoints.Viewed e = cluster.endpoints().putEndpoint(parsed.spec(), null, true);
      return Response.status(201).entity(withWarnings(e.view(), parsed.warnings())).tag(e.etag()).build();
    }
    EndpointState e = control.putEndpoint(parsed.spec(), null, true);
    return Response.status(201).entity(withWarnings(view(e), parsed.warnings())).tag(etag(e)).build();
  }

  /** Create or replace; {@code If-Match} guards against lost updates. */
  @PUT
  @Path("{name}")
  @Consumes(MediaType.WILDCARD)
  public Response put(@PathParam("name") String name, byte[] body, @HeaderParam("Content-Type") String type,
      @HeaderParam("If-Match") String ifMatch) {
    Parsed<EndpointSpec> parsed = parse(body, type);
    if (!parsed.spec().name().equals(name)) {
      throw ApiException.badRequest("the body names endpoint '" + parsed.spec().name() + "' but the path names '" + name + "'");
    }
    if (cluster.enabled()) {
      ClusterEndpoints.Viewed e = cluster.endpoints().putEndpoint(parsed.spec(), ifMatch, false);
      return Response.ok(withWarnings(e.view(), parsed.warnings())).tag(e.etag()).build();
    }
    EndpointState e = control.putEndpoint(parsed.spec(), ifMatch, false);
    return Response.ok(withWarnings(view(e), parsed.warnings())).tag(etag(e)).build();
  }

  @DELETE
  @Path("{name}")
  public Response delete(@PathParam("name") String name) {
    if (cluster.enabled()) {
      cluster.endpoints().deleteEndpoint(name);
    } else {
      control.deleteEndpoint(name);
    }
    return Response.noContent().build();
  }

  /** {@code get-credentials} for a key endpoint: both keys, with Azure's field names. */
  @GET
  @Path("{name}/keys")
  public Map<String, String> keys(@PathParam("name") String name) {
    var k = cluster.enabled() ? cluster.endpoints().keys(name) : control.keys(name);
    return Map.of("primaryKey", k.primaryKey(), "secondaryKey", k.secondaryKey());
  }

  @POST
  @Path("{name}/keys/regenerate")
  @Consumes(MediaType.WILDCARD)
  public Map<String, String> regenerate(@PathParam("name") String name, Map<String, String> body) {
    String type = body == null ? null : body.getOrDefault("key_type", body.get("keyType"));
    var k = cluster.enabled() ? cluster.endpoints().regenerateKey(name, type) : control.regenerateKey(name, type);
    return Map.of("primaryKey", k.primaryKey(), "secondaryKey", k.secondaryKey());
  }

  /** {@code get-credentials} for an aml_token endpoint. */
  @POST
  @Path("{name}/token")
  public Map<String, String> token(@PathParam("name") String name) {
    var t = cluster.enabled() ? cluster.endpoints().token(name) : control.token(name);
    return Map.of("accessToken", t.accessToken(), "tokenType", "Bearer",
        "expiryTimeUtc", t.expiryTimeUtc().toString(), "refreshAfterTimeUtc", t.refreshAfterTimeUtc().toString());
  }

  private Parsed<EndpointSpec> parse(byte[] body, String type) {
    return SpecParser.endpoint(body, Format.of(type, body), null, List.of());
  }

  private Map<String, Object> view(EndpointState e) {
    return Views.endpoint(e, control.deployments(e.name()), uri.getBaseUri());
  }

  static Map<String, Object> withWarnings(Map<String, Object> view, List<String> warnings) {
    if (warnings.isEmpty()) {
      return view;
    }
    Map<String, Object> v = new LinkedHashMap<>(view);
    v.put("warnings", warnings);
    return v;
  }

  private static jakarta.ws.rs.core.EntityTag etag(EndpointState e) {
    return new jakarta.ws.rs.core.EntityTag(Long.toString(e.generation()));
  }
}
