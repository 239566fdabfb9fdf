package dev.knoe.control.api;

import dev.knoe.control.endpoint.EndpointException;
import dev.knoe.control.files.DiskFullException;
import dev.knoe.control.model.ModelException;
import dev.knoe.control.spec.SpecException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error as JSON {@code {"error": "...", "problems": [...]}} with the status it deserves. */
public class Errors {

  private static final Logger LOG = Logger.getLogger(Errors.class);

  @ServerExceptionMapper
  public Response api(ApiException e) {
    return json(e.status(), Map.of("error", e.getMessage()));
  }

  /** The endpoint service's refusals: the one place their kinds become HTTP statuses. */
  @ServerExceptionMapper
  public Response endpoint(EndpointException e) {
    int status =
        e instanceof EndpointException.NotFound
            ? 404
            : e instanceof EndpointException.Conflict
                ? 409
                : e instanceof EndpointException.PreconditionFailed ? 412 : 400; // Invalid

    return json(status, Map.of("error", e.getMessage()));
  }

  @ServerExceptionMapper
  public Response spec(SpecException e) {
    return json(400, Map.of("error", e.getMessage(), "problems", e.problems()));
  }

  @ServerExceptionMapper
  public Response model(ModelException e) {
    return json(e.status(), Map.of("error", e.getMessage()));
  }

  /**
   * The data directory is full: 507 Insufficient Storage (RFC 4918), the write refused whole; the
   * same request succeeds once space is freed.
   */
  @ServerExceptionMapper
  public Response diskFull(DiskFullException e) {
    LOG.errorf("%s", e.getMessage());
    return json(507, Map.of("error", e.getMessage() + "; free space and retry"));
  }

  /**
   * Cluster mode: what the Kubernetes API server refused, with the status that says whose problem
   * it is.
   */
  @ServerExceptionMapper
  public Response kubernetes(KubernetesClientException e) {
    String reason =
        e.getStatus() != null && e.getStatus().getMessage() != null
            ? e.getStatus().getMessage()
            : e.getMessage();
    return switch (e.getCode()) {
      case 404 ->
          json(404, Map.of("error", "not found on the cluster (deleted meanwhile?): " + reason));
      case 409 ->
          json(
              409,
              Map.of(
                  "error",
                  "the cluster refused a conflicting change; read again and retry: " + reason));
      case 400, 422 -> json(400, Map.of("error", "the Kubernetes API refused it: " + reason));
      case 401, 403 -> {
        LOG.errorf("the Kubernetes API refused the control plane's credentials: %s", reason);
        yield json(
            500,
            Map.of(
                "error",
                "the control plane may not do this on the cluster (check the chart's RBAC): "
                    + reason));
      }
      default -> {
        LOG.errorf("the Kubernetes API failed (%d): %s", e.getCode(), reason);
        yield json(
            502,
            Map.of("error", "the Kubernetes API server failed (" + e.getCode() + "): " + reason));
      }
    };
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e) {
    int status = e.getResponse().getStatus();
    return json(
        status,
        Map.of(
            "error",
            status == 413 ? "the request body is too large" : String.valueOf(e.getMessage())));
  }

  @ServerExceptionMapper
  public Response other(RuntimeException e) {
    LOG.error("unexpected failure", e);
    return json(500, Map.of("error", "internal error: " + e));
  }

  private static Response json(int status, Object body) {
    return Response.status(status).type(MediaType.APPLICATION_JSON).entity(body).build();
  }
}
