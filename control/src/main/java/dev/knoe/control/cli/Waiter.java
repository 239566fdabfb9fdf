package dev.knoe.control.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Waits for a long operation (a deployment's instances starting or rolling): re-reads the resource
 * every {@link #POLL} and shows its {@code provisioning_state}, {@code ready_instances /
 * instance_count} and the elapsed seconds, until {@code Succeeded}, {@code Failed} or the timeout.
 */
final class Waiter {

  static final Duration POLL = Duration.ofMillis(500);

  private final CliContext ctx;

  Waiter(CliContext ctx) {
    this.ctx = ctx;
  }

  /**
   * @param what the resource in words, e.g. {@code deployment 'blue' of endpoint 'my-endpoint'}
   * @param first the resource as the create or update answered it
   * @param fetch reads it again
   * @param hint the command that follows it after a timeout
   * @return the resource once {@code Succeeded}
   * @throws CliException when it fails (with the server's message) or the timeout passes
   */
  JsonNode await(
      String what, JsonNode first, Supplier<JsonNode> fetch, Duration timeout, String hint) {
    var progress = new Progress(ctx);
    Instant start = ctx.clock().instant();
    JsonNode view = first;
    while (true) {
      Duration elapsed = Duration.between(start, ctx.clock().instant());
      String state = String.valueOf(Json.text(view, "provisioning_state"));
      String message = Json.text(view, "message");
      String ready = Tables.ready(view);
      String key =
          what
              + ": "
              + state
              + (ready == null ? "" : ", " + ready + " instances ready")
              + (message == null || state.equals("Succeeded") ? "" : " (" + message + ")");
      progress.show(key, key + ", " + elapsed.toSeconds() + " s");
      switch (state) {
        case "Succeeded":
          progress.done();
          return view;
        case "Failed":
        case "Canceled":
          progress.done();
          throw CliException.failed(
              what + " " + state.toLowerCase() + ": " + (message == null ? "no message" : message));
        default:
          break;
      }
      if (elapsed.compareTo(timeout) >= 0) {
        progress.done();
        throw CliException.failed(
            what
                + " is still "
                + state
                + " after "
                + timeout.toSeconds()
                + " s; follow it with '"
                + hint
                + "'");
      }
      try {
        ctx.sleeper().sleep(POLL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        progress.done();
        throw CliException.failed("interrupted while waiting for " + what, e);
      }
      view = fetch.get();
    }
  }
}
