package dev.knoe.control.router;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Relays an instance's answer to the client, by hand rather than with {@code resp.send(up)}:
 * Vert.x's pipe ends the response when the body ends even if the client has gone meanwhile, which
 * throws "Response has already been written". Guards against an instance that stalls mid-answer.
 */
final class Relay {

  /** Answers up to this size, with a Content-Length, are relayed whole; larger ones streamed. */
  static final int BUFFERED_ANSWER_MAX = 256 * 1024;

  // The router's log lines keep the category they always had.
  private static final Logger LOG = Logger.getLogger(DataPlane.class);

  /** Relays {@code up}, the instance's answer, unless the exchange has already ended. */
  void relay(Exchange ex, HttpClientResponse up) {
    if (!ex.done.compareAndSet(false, true)) {
      up.request().reset();
      return;
    }
    HttpServerResponse resp = ex.ctx.response();
    resp.setStatusCode(up.statusCode());
    for (Map.Entry<String, String> e : up.headers()) {
      String k = e.getKey();
      if (ex.grpc && isGrpcStatus(k)) {
        // A gRPC error may come "trailers-only": its status in the one header frame, which also
        // ends the stream. Relayed as trailers it stays a status (as headers, followed by the
        // end of the body, a client would read it as a stream cut short: UNKNOWN).
        resp.trailers().add(k, e.getValue());
      } else if (!Proxy.hopByHop(k)
          && !k.equalsIgnoreCase("content-length")
          && !k.equalsIgnoreCase("x-request-id")) {
        resp.putHeader(k, e.getValue());
      }
    }
    String length = up.getHeader("content-length");
    if (length != null) {
      resp.putHeader("content-length", length);
    }
    ex.answer = up;
    int status = up.statusCode();
    long declared = declaredLength(length);
    // A usual answer goes out in one write, and its place is freed in the same step: streamed, the
    // client could have the whole body (and send its next request) before the end is seen here.
    Buffer whole =
        declared >= 0 && declared <= BUFFERED_ANSWER_MAX ? Buffer.buffer((int) declared) : null;
    if (whole == null && length == null) {
      resp.setChunked(true);
    }
    // The request's timer, still running, becomes the stall check: it finds the answer set and
    // counts request_timeout_ms of silence from here.
    ex.progress = System.nanoTime();
    ex.gathered = whole != null;
    up.handler(
        chunk -> {
          ex.progress = System.nanoTime();
          if (resp.closed()) {
            return;
          }
          if (whole != null) {
            whole.appendBuffer(chunk);
            return;
          }
          resp.write(chunk);
          if (resp.writeQueueFull()) {
            up.pause();
            ex.waitingForClient = true;
            resp.drainHandler(
                v -> {
                  ex.waitingForClient = false;
                  ex.progress = System.nanoTime();
                  up.resume();
                });
          }
        });
    up.exceptionHandler(
        e -> {
          if (!resp.closed() && !resp.ended()) {
            resp.reset(); // the client must not take a cut-off body for a whole one
          }
          ex.relayEnded(status);
        });
    up.endHandler(
        v -> {
          if (!resp.closed() && !resp.ended()) {
            // gRPC's status comes in the trailers; a plain HTTP answer has none.
            if (!up.trailers().isEmpty()) {
              resp.trailers().addAll(up.trailers());
            }
            if (whole != null) {
              resp.end(whole);
            } else {
              resp.end();
            }
          }
          ex.relayEnded(status);
        });
  }

  /**
   * Past its headers an answer has no deadline (a long stream is fine), but an instance that sends
   * nothing for request_timeout_ms would hold the client and the slot for ever. A gathered answer
   * has sent the client nothing yet, so it gets a 504; a streamed one is reset, so the client
   * cannot take a cut-off body for a whole one. A slow reader is left alone (its connection closing
   * frees the slot).
   */
  static void checkStall(Exchange ex) {
    if (ex.relayed.get()) {
      return;
    }
    int timeoutMs = ex.route.requestTimeoutMs();
    long idleMs = (System.nanoTime() - ex.progress) / 1_000_000;
    if (ex.waitingForClient || idleMs < timeoutMs) {
      ex.checkAgainIn(ex.waitingForClient ? timeoutMs : timeoutMs - idleMs);
      return;
    }
    String message =
        "deployment '"
            + ex.deployment
            + "' sent nothing of its answer for request_timeout_ms = "
            + timeoutMs
            + " after its headers";
    LOG.infof(
        "%s %s: %s; cut off [request %s]",
        ex.ctx.request().method(), ex.ctx.request().path(), message, ex.id);
    HttpServerResponse resp = ex.ctx.response();
    if (ex.gathered && !resp.headWritten() && !resp.closed()) {
      for (String h :
          List.of("content-length", "content-type", "content-encoding", "transfer-encoding")) {
        resp.headers().remove(h);
      }
      ex.error(504, message);
    } else if (!resp.closed() && !resp.ended()) {
      resp.reset();
    }
    ex.relayEnded(504);
    ex.answer.request().reset(); // last: its exception handler then finds the exchange ended
  }

  /**
   * The headers that carry a gRPC call's status (grpc-encoding and the like describe the messages
   * and stay headers).
   */
  private static boolean isGrpcStatus(String name) {
    return name.equalsIgnoreCase("grpc-status")
        || name.equalsIgnoreCase("grpc-message")
        || name.equalsIgnoreCase("grpc-status-details-bin");
  }

  private static long declaredLength(String header) {
    try {
      return header == null ? -1 : Long.parseLong(header.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
