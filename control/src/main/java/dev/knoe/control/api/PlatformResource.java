package dev.knoe.control.api;

import dev.knoe.control.serve.ClusterMode;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /api/v1/platform}: what this control plane runs on. The CLI reads it to know whether the
 * server can read the files a spec names ({@code local}) or whether it uploads them first
 * ({@code knative}: the pods download registered models).
 */
@Path("/api/v1/platform")
@Produces(MediaType.APPLICATION_JSON)
public class PlatformResource {

  @Inject ClusterMode cluster;

  @GET
  public Map<String, Object> platform() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("backend", cluster.enabled() ? "knative" : "local");
    if (cluster.enabled()) {
      p.put("namespace", cluster.namespace());
    }
    String version = PlatformResource.class.getPackage().getImplementationVersion();
    p.put("version", version == null ? "dev" : version);
    return p;
  }
}
