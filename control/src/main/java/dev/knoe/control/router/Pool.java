package dev.knoe.control.router;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The ready instances of one deployment, the requests it holds, and the requests waiting for an
 * instance. Picks the least busy instance; a request that finds none waits (bounded by its timeout)
 * until an instance becomes ready. Measures the requests held over time (waiting or in flight) for
 * the autoscaler, as Knative's queue-proxy and activator report concurrency.
 */
public final class Pool {

  private volatile List<Target> ready = List.of();
  private final Object meter = new Object();
  // Guarded by meter: requests held now, and their integral over time since the last sample.
  private int pending;
  private long changedAt = Long.MIN_VALUE; // set by the first call: nanoTime has no fixed origin
  private long sampledAt = Long.MIN_VALUE;
  private double heldNanos;
  private volatile int capacityInstances;
  private final ConcurrentLinkedQueue<Consumer<Target>> waiters = new ConcurrentLinkedQueue<>();
  private volatile Runnable onDemand = () -> {};

  /**
   * Set by the first request that finds no ready instance, cleared when one is ready: one cold
   * start.
   */
  private final AtomicBoolean waking = new AtomicBoolean();

  private final AtomicLong coldStarts = new AtomicLong();

  /** Replaces the ready set, keeping in-flight counts of instances that stay; wakes waiters. */
  public void update(List<Target> targets) {
    List<Target> old = ready;
    List<Target> next = new ArrayList<>();
    for (Target t : targets) {
      next.add(
          old.stream()
              .filter(o -> o.id().equals(t.id()) && o.port() == t.port())
              .findFirst()
              .orElse(t));
    }
    ready = List.copyOf(next);
    if (!next.isEmpty()) {
      waking.set(false);
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

  /**
   * The ready instance with the fewest requests in flight, not among {@code tried}; null if none.
   */
  public Target pick(Set<String> tried) {
    Target best = null;
    for (Target t : ready) {
      if (!tried.contains(t.id()) && (best == null || t.inFlight().get() < best.inFlight().get())) {
        best = t;
      }
    }
    return best;
  }

  /**
   * Calls {@code then} with an instance as soon as one is ready; tells the scaler there is demand.
   */
  public void await(Consumer<Target> then) {
    waiters.add(then);
    Target t = pick(Set.of());
    if (t != null && waiters.remove(then)) {
      then.accept(t);
      return;
    }
    if (ready.isEmpty() && waking.compareAndSet(false, true)) {
      coldStarts.incrementAndGet();
    }
    onDemand.run();
  }

  /**
   * Times requests found no ready instance and waited for one to start (once per start, however
   * many waited).
   */
  public long coldStarts() {
    return coldStarts.get();
  }

  /** Gives up waiting (timeout): true if the waiter was still queued. */
  public boolean cancel(Consumer<Target> waiter) {
    return waiters.remove(waiter);
  }

  /**
   * Takes in a request unless {@code limitPerInstance} x the instances (ready, or starting when
   * more are wanted; at least 1) are already held; false means the caller answers 429.
   */
  public boolean admit(int limitPerInstance, long nanos) {
    synchronized (meter) {
      if (pending >= limit(limitPerInstance)) {
        return false;
      }
      advance(nanos);
      pending++;
      return true;
    }
  }

  /** The bound {@link #admit} applies: {@code limitPerInstance x max(1, ready, wanted)}. */
  public int limit(int limitPerInstance) {
    return limitPerInstance * capacityInstances();
  }

  /** The instances the admission limit counts: ready ones, or more when more are starting. */
  public int capacityInstances() {
    return Math.max(1, Math.max(ready.size(), capacityInstances));
  }

  /** A request taken in by {@link #admit} is answered. */
  public void release(long nanos) {
    synchronized (meter) {
      advance(nanos);
      pending--;
    }
  }

  /** Requests held now, waiting or in flight. */
  public int pending() {
    synchronized (meter) {
      return pending;
    }
  }

  /**
   * The average number of requests held since the previous sample (time-weighted, so a request of
   * 100 ms in a 1 s sample counts 0.1), and starts the next sample.
   */
  public double sampleConcurrency(long nanos) {
    synchronized (meter) {
      advance(nanos);
      long span = nanos - sampledAt;
      double average = span > 0 ? heldNanos / span : pending;
      heldNanos = 0;
      sampledAt = nanos;
      return average;
    }
  }

  private void advance(long nanos) {
    if (changedAt == Long.MIN_VALUE) {
      changedAt = nanos;
      sampledAt = nanos;
    } else if (nanos > changedAt) {
      heldNanos += (double) pending * (nanos - changedAt);
      changedAt = nanos;
    }
  }

  /**
   * How many instances the scaler is bringing up: lets {@link #admit} hold more during a scale-out.
   */
  public void wanted(int instances) {
    capacityInstances = instances;
  }

  /** What {@link #wanted} last said (0 at zero, before any request). */
  public int wantedInstances() {
    return capacityInstances;
  }

  public int waiting() {
    return waiters.size();
  }

  /** Who to tell when a request arrives and no instance is ready (scale from zero). */
  public void onDemand(Runnable r) {
    onDemand = r;
  }
}
