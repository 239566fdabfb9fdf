package dev.knoe.control.api;

import dev.knoe.control.endpoint.Endpoints;
import dev.knoe.control.endpoint.Rules;
import dev.knoe.control.model.ModelRegistry;
import dev.knoe.control.spec.Names;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * {@code /api/v1/models}: register (upload) a version, list, show, delete. The name in the path is
 * checked ({@link Names#MODEL}) before anything else: a bad one is a 400.
 */
@Path("/api/v1/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelResource {

  @Inject ModelRegistry models;
  @Inject Endpoints endpoints;

  @GET
  public List<Map<String, Object>> list() {
    return models.names().stream()
        .flatMap(n -> models.latest(n).stream())
        .map(Views::model)
        .toList();
  }

  @GET
  @Path("{name}")
  public List<Map<String, Object>> versions(@PathParam("name") String name) {
    Names.MODEL.require(name);
    var all = models.versions(name);
    if (all.isEmpty()) {
      throw ApiException.notFound("no model '" + name + "'");
    }
    return all.stream().map(Views::model).toList();
  }

  @GET
  @Path("{name}/versions/{version}")
  public Response show(@PathParam("name") String name, @PathParam("version") int version) {
    Names.MODEL.require(name);
    var v =
        models
            .find(name, version)
            .orElseThrow(() -> ApiException.notFound("no model " + name + ":" + version));
    return Response.ok(Views.model(v)).tag(new EntityTag(v.etag())).build();
  }

  /**
   * The model file, checked against its sha256 before it is sent (a cluster's storage initializer
   * downloads it and checks it again); the digest is in {@code X-Checksum-Sha256}.
   */
  @GET
  @Path("{name}/versions/{version}/content")
  @Produces(MediaType.APPLICATION_OCTET_STREAM)
  public Response content(@PathParam("name") String name, @PathParam("version") int version) {
    Names.MODEL.require(name);
    var v =
        models
            .find(name, version)
            .orElseThrow(() -> ApiException.notFound("no model " + name + ":" + version));
    java.nio.file.Path file = models.verifiedFile(v);
    return Response.ok(file.toFile(), MediaType.APPLICATION_OCTET_STREAM)
        .header("X-Checksum-Sha256", v.sha256())
        .header("Content-Disposition", "attachment; filename=\"model.onnx\"")
        .build();
  }

  /** The body is the .onnx file; the registry assigns the next version. */
  @POST
  @Path("{name}/versions")
  @Consumes(MediaType.WILDCARD)
  @APIResponse(responseCode = "201", description = "registered: the new version, with an ETag")
  public Response register(
      @PathParam("name") String name,
      @QueryParam("description") String description,
      InputStream body) {
    Names.MODEL.require(name);
    var v = models.register(name, body, description, false);
    return Response.status(201).entity(Views.model(v)).tag(new EntityTag(v.etag())).build();
  }

  /** {@code If-Match} guards against deleting a version registered again under the same number. */
  @DELETE
  @Path("{name}/versions/{version}")
  @APIResponse(responseCode = "204", description = "deleted")
  public Response delete(
      @PathParam("name") String name,
      @PathParam("version") int version,
      @HeaderParam("If-Match") String ifMatch) {
    Names.MODEL.require(name);
    models.delete(
        name,
        version,
        v -> {
          // The registry passes the version it is about to delete, under its lock: the tag is
          // compared with that one, not with one read before.
          Rules.ifMatch("model " + v.reference(), v.etag(), ifMatch);
          return endpoints.modelInUse(v);
        });
    return Response.noContent().build();
  }
}
