package dev.knoe.control.router;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The ready instances of one deployment, the requests it holds, and the requests waiting for an
 * instance. Picks the least busy instance; a request that finds none waits (bounded by its
 * timeout) until an instance becomes ready.
 */
public final class Pool {

  private volatile List<Target> ready = List.of();
  private final AtomicInteger pending = new AtomicInteger();
  private final ConcurrentLinkedQueue<Consumer<Target>> waiters = new ConcurrentLinkedQueue<>();
  private volatile Runnable onDemand = () -> {};

  /** Replaces the ready set, keeping in-flight counts of instances that stay; wakes waiters. */
  public void update(List<Target> targets) {
    List<Target> old = ready;
    List<Target> next = new ArrayList<>();
    for (Target t : targets) {
      next.add(old.stream().filter(o -> o.id().equals(t.id()) && o.port() == t.port()).findFirst().orElse(t));
    }
    ready = List.copyOf(next);
    if (!next.isEmpty()) {
      for (Consumer<Target> w; (w = waiters.poll()) != null; ) {
        Target t = pick(Set.of());
        if (t == null) {
          waiters.add(w);
          break;
        }
        w.accept(t);
      }
    }
  }

  public List<Target> ready() {
    return ready;
  }

  /** The ready instance with the fewest requests in flight, not among {@code tried}; null if none. */
  public Target pick(Set<String> tried) {
    Target best = null;
    for (Target t : ready) {
      if (!tried.contains(t.id()) && (best == null || t.inFlight().get() < best.inFlight().get())) {
        best = t;
      }
    }
    return best;
  }

  /** Calls {@code then} with an instance as soon as one is ready; tells the scaler there is demand. */
  public void await(Consumer<Target> then) {
    waiters.add(then);
    Target t = pick(Set.of());
    if (t != null && waiters.remove(then)) {
      then.accept(t);
      return;
    }
    onDemand.run();
  }

  /** Gives up waiting (timeout): true if the waiter was still queued. */
  public boolean cancel(Consumer<Target> waiter) {
    return waiters.remove(waiter);
  }

  public AtomicInteger pending() {
    return pending;
  }

  public int waiting() {
    return waiters.size();
  }

  /** Who to tell when a request arrives and no instance is ready (scale from zero). */
  public void onDemand(Runnable r) {
    onDemand = r;
  }
}
