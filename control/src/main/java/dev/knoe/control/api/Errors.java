package dev.knoe.control.api;

import dev.knoe.control.model.ModelException;
import dev.knoe.control.spec.SpecException;
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

  @ServerExceptionMapper
  public Response spec(SpecException e) {
    return json(400, Map.of("error", e.getMessage(), "problems", e.problems()));
  }

  @ServerExceptionMapper
  public Response model(ModelException e) {
    return json(e.status(), Map.of("error", e.getMessage()));
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e) {
    int status = e.getResponse().getStatus();
    return json(status, Map.of("error", status == 413 ? "the request body is too large" : String.valueOf(e.getMessage())));
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
