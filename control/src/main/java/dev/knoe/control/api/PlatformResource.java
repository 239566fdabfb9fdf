package dev.knoe.control.api;

import dev.knoe.control.endpoint.Endpoints;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /api/v1/platform}: what this control plane runs on. The CLI reads it to know whether the
 * server can read the files a spec names ({@code local}) or whether it uploads them first ({@code
 * knative}: the pods download registered models).
 */
@Path("/api/v1/platform")
@Produces(MediaType.APPLICATION_JSON)
public class PlatformResource {

  @Inject Endpoints endpoints;

  @GET
  public Map<String, Object> platform() {
    Map<String, Object> p = new LinkedHashMap<>();
    Endpoints.Platform platform = endpoints.platform();
    p.put("backend", platform.backend());
    if (platform.namespace() != null) {
      p.put("namespace", platform.namespace());
    }
    String version = PlatformResource.class.getPackage().getImplementationVersion();
    p.put("version", version == null ? "dev" : version);
    return p;
  }
}
