package dev.knoe.control.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WorkQueueTest {

  @Test
  void aKeyIsQueuedOnceAndNeverHandedOutTwiceAtATime() throws Exception {
    WorkQueue q = new WorkQueue();
    q.add("a");
    q.add("a");
    q.add("b");
    assertEquals(2, q.size());
    String first = q.take();
    q.add(first); // an event while it is being worked on
    String second = q.take();
    assertEquals(0, q.size(), "the first key waits for done()");
    q.done(first);
    assertEquals(1, q.size());
    assertEquals(first, q.take());
    q.done(first);
    q.done(second);
    assertEquals(0, q.size());
  }

  @Test
  void delayedKeysComeWhenDueAndTheEarlierDueTimeWins() throws Exception {
    AtomicLong now = new AtomicLong();
    WorkQueue q = new WorkQueue(now::get);
    q.addAfter("a", Duration.ofSeconds(5));
    q.addAfter("b", Duration.ofSeconds(2));
    q.addAfter("a", Duration.ofSeconds(1));
    now.set(Duration.ofMillis(1500).toNanos());
    assertEquals("a", q.take());
    now.set(Duration.ofSeconds(3).toNanos());
    assertEquals("b", q.take());
  }

  @Test
  void closeWakesATakerWithNull() throws Exception {
    WorkQueue q = new WorkQueue();
    CompletableFuture<String> taken =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return q.take();
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    Thread.sleep(50);
    q.close();
    assertNull(taken.get(5, TimeUnit.SECONDS));
  }

  @Test
  void backoffDoublesUpToAMinute() {
    assertEquals(Duration.ofSeconds(1), ClusterController.backoff(1));
    assertEquals(Duration.ofSeconds(8), ClusterController.backoff(4));
    assertEquals(Duration.ofMinutes(1), ClusterController.backoff(30));
  }
}
