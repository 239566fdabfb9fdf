package dev.knoe.scoring.grpc;

import dev.knoe.scoring.grpc.v2.GRPCInferenceServiceGrpc;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.impl.RoutingContextInternal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * gRPC calls on the HTTP port ({@code quarkus.grpc.server.use-separate-server=false}): Quarkus'
 * gRPC route on the main router reads each call's request stream itself.
 */
@ApplicationScoped
public class HttpPort {

  private static final String PREFIX = "/" + GRPCInferenceServiceGrpc.SERVICE_NAME + "/";

  /**
   * A call of this service's: HTTP/2 (h2c here) with an {@code application/grpc*} type, to a path
   * of the service as the router normalizes it (so {@code /inference.GRPCInferenceService/../score}
   * is judged as {@code /score}, and gets the HTTP routes' credential check).
   */
  public static boolean grpc(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
    return request.version() == HttpVersion.HTTP_2
        && type != null
        && type.regionMatches(true, 0, "application/grpc", 0, 16)
        && ctx.normalizedPath().startsWith(PREFIX);
  }

  /**
   * Funqy Knative Events makes Quarkus put a body handler before every route (order {@code
   * Integer.MIN_VALUE + 1}) that reads the whole body into memory; the gRPC server then finds the
   * request already read and fails every call ("Request has already been read"). A gRPC call is
   * marked as seen by the body handler, which then passes it on unread, as it does on a reroute.
   * (Vert.x Web's own marker: an internal API, checked by every gRPC test.)
   */
  void routes(@Observes Router router) {
    router
        .route()
        .order(Integer.MIN_VALUE)
        .handler(
            ctx -> {
              if (grpc(ctx)) {
                ((RoutingContextInternal) ctx).visitHandler(RoutingContextInternal.BODY_HANDLER);
              }
              ctx.next();
            });
  }
}
