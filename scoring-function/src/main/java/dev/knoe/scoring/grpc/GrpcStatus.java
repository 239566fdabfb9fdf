package dev.knoe.scoring.grpc;

import dev.knoe.scoring.ScoringException;
import io.grpc.Status;

/**
 * The gRPC status of a failure: each {@link ScoringException.Kind} has one, as it has one HTTP
 * status.
 */
final class GrpcStatus {

  private GrpcStatus() {}

  static Status of(Throwable t) {
    if (!(t instanceof ScoringException e)) {
      return Status.INTERNAL.withDescription("internal error: " + t).withCause(t);
    }
    Status s =
        switch (e.kind()) {
          case BAD_INPUT -> Status.INVALID_ARGUMENT;
          case UNAUTHORIZED -> Status.UNAUTHENTICATED;
          case NOT_FOUND -> Status.NOT_FOUND;
          case TOO_LARGE -> Status.RESOURCE_EXHAUSTED;
          // Another deployment's request: retrying here cannot help, sending it elsewhere can.
          case MISDIRECTED, HANDLER_FAILED -> Status.FAILED_PRECONDITION;
          case NOT_READY -> Status.UNAVAILABLE;
        };
    return s.withDescription(e.getMessage());
  }

  /** The HTTP status the same failure has, for the request meters both protocols share. */
  static int http(Throwable t) {
    return t instanceof ScoringException e ? e.status() : 500;
  }
}
