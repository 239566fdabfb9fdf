package dev.knoe.control.cluster;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Keys to work on, each at most once in the queue and never handed out twice at the same time
 * (client-go's workqueue): adding a key that is waiting keeps the earlier due time; adding one that
 * is being worked on queues it again once {@link #done} is called.
 */
final class WorkQueue {

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<String, Long> due = new HashMap<>();
  private final Map<String, Long> dirty = new HashMap<>();
  private final Set<String> active = new HashSet<>();
  private final LongSupplier nanoTime;
  private boolean closed;

  WorkQueue() {
    this(System::nanoTime);
  }

  WorkQueue(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  void add(String key) {
    addAfter(key, Duration.ZERO);
  }

  void addAfter(String key, Duration delay) {
    if (key == null) {
      return;
    }
    lock.lock();
    try {
      long at = nanoTime.getAsLong() + delay.toNanos();
      (active.contains(key) ? dirty : due).merge(key, at, Math::min);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next due key, waiting for one; null once closed. Call {@link #done} when finished with it.
   */
  String take() throws InterruptedException {
    lock.lock();
    try {
      while (!closed) {
        String next = null;
        long at = Long.MAX_VALUE;
        for (var e : due.entrySet()) {
          if (e.getValue() < at) {
            at = e.getValue();
            next = e.getKey();
          }
        }
        long wait = next == null ? Long.MAX_VALUE : at - nanoTime.getAsLong();
        if (next != null && wait <= 0) {
          due.remove(next);
          active.add(next);
          return next;
        }
        if (next == null) {
          changed.await();
        } else {
          changed.awaitNanos(Math.min(wait, TimeUnit.SECONDS.toNanos(1)));
        }
      }
      return null;
    } finally {
      lock.unlock();
    }
  }

  void done(String key) {
    lock.lock();
    try {
      active.remove(key);
      Long at = dirty.remove(key);
      if (at != null) {
        due.merge(key, at, Math::min);
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Keys waiting (not those being worked on). */
  int size() {
    lock.lock();
    try {
      return due.size();
    } finally {
      lock.unlock();
    }
  }

  void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
