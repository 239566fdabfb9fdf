package dev.knoe.control.router;

import io.vertx.core.http.HttpServerResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The router's refusals, written as a gRPC client reads them: HTTP 200 with the status in the
 * headers of an answer that has no body (a "trailers-only" answer), since a gRPC client takes any
 * other HTTP status for a broken server and reports its own guess.
 */
final class GrpcRefusal {

  private GrpcRefusal() {}

  /** The gRPC status code for one of the router's HTTP refusals. */
  static int code(int httpStatus) {
    return switch (httpStatus) {
      case 400 -> 3; // INVALID_ARGUMENT
      case 401 -> 16; // UNAUTHENTICATED
      case 403 -> 7; // PERMISSION_DENIED
      case 404 -> 5; // NOT_FOUND: no such endpoint or deployment, or no deployment has traffic
      case 408, 504 -> 4; // DEADLINE_EXCEEDED: request_timeout_ms, a stalled answer
      case 429 -> 8; // RESOURCE_EXHAUSTED: the deployment's queue is full
      case 502, 503 -> 14; // UNAVAILABLE: no instance reachable, or none became ready in time
      default -> 13; // INTERNAL
    };
  }

  static void answer(HttpServerResponse response, int httpStatus, String message) {
    response
        .setStatusCode(200)
        .putHeader("content-type", "application/grpc")
        .putHeader("grpc-status", Integer.toString(code(httpStatus)))
        // grpc-message is percent-encoded UTF-8 (the gRPC over HTTP/2 spec), where '+' is no
        // space: URLEncoder's '+' for a space would be shown as '+'.
        .putHeader(
            "grpc-message", URLEncoder.encode(message, StandardCharsets.UTF_8).replace("+", "%20"))
        .end();
  }
}
