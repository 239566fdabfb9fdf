package dev.knoe.control.router;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.function.Consumer;

/**
 * Passes a request on to the least busy ready instance of its deployment, or, when none is ready
 * (scaled to zero, or starting), holds it until one is, as Knative's activator does: the pool tells
 * the scaler there is demand, and the request goes on when an instance becomes ready. A request
 * held for its whole request_timeout_ms gets 503 with {@code Retry-After}.
 */
final class HoldAtZero implements Step {

  private final Vertx vertx;
  private final Step next;

  HoldAtZero(Vertx vertx, Step next) {
    this.vertx = vertx;
    this.next = next;
  }

  @Override
  public void handle(Exchange ex) {
    Target t = ex.route.pool().pick(ex.tried);
    if (t != null) {
      ex.instance = t;
      next.handle(ex);
      return;
    }
    // The pool calls the waiter on whichever thread made an instance ready: back to the request's
    // event loop, where everything else about the exchange happens.
    Context context = vertx.getOrCreateContext();
    Consumer<Target> waiter =
        new Consumer<>() {
          @Override
          public void accept(Target target) {
            context.runOnContext(
                v -> {
                  if (!ex.done.get()) {
                    ex.instance = target;
                    next.handle(ex);
                  }
                });
          }
        };
    ex.waiting = waiter;
    ex.route.pool().await(waiter);
  }

  /** request_timeout_ms passed before any instance was tried: held (or read its body) all along. */
  static void expired(Exchange ex) {
    // Capacity, not this request, is the problem: the client may well succeed a moment later.
    ex.ctx.response().putHeader("Retry-After", "1");
    ex.finish(
        503,
        "no instance of deployment '"
            + ex.deployment
            + "' became ready within request_timeout_ms = "
            + ex.route.requestTimeoutMs()
            + " (it is scaled to zero or starting); retry, or keep an instance with "
            + "scale_settings.min_instances: 1");
  }
}
