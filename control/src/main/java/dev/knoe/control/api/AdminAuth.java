package dev.knoe.control.api;

import dev.knoe.control.credentials.ApiCredentials;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every {@code /api} call needs the admin credential: nothing is open by default. The one exception
 * is a model file download, which the model-reader credential may also make (the storage
 * initializers of a cluster's pods), and nothing else.
 */
public class AdminAuth {

  private static final java.util.regex.Pattern MODEL_CONTENT =
      java.util.regex.Pattern.compile("/api/v1/models/[^/]+/versions/[0-9]+/content");

  @Inject ApiCredentials credentials;

  @ServerRequestFilter(preMatching = true)
  public Response check(ContainerRequestContext ctx) {
    String path = ctx.getUriInfo().getPath();
    if (!path.startsWith("/api")) {
      return null;
    }
    String header = ctx.getHeaderString("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String credential = header.substring(7).trim();
      if (credentials.isAdmin(credential)) {
        return null;
      }
      if ("GET".equals(ctx.getMethod())
          && MODEL_CONTENT.matcher(path).matches()
          && credentials.isModelReader(credential)) {
        return null;
      }
    }
    return Response.status(401)
        .type(MediaType.APPLICATION_JSON)
        .header("WWW-Authenticate", "Bearer")
        .entity(
            Map.of(
                "error",
                "the control API needs the admin credential: 'Authorization: Bearer <admin key>' "
                    + "(printed by the first 'knoe serve', kept in <data dir>/admin-key and in the CLI config)"))
        .build();
  }
}
