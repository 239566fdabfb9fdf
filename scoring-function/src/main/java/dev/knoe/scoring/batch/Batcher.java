package dev.knoe.scoring.batch;

import dev.knoe.scoring.tensor.Tensor;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Merges concurrent requests into one run. A dispatcher thread waits for a free runner, then takes
 * every queued request that fits (same input names, types and trailing dimensions; at most {@code
 * maxRows} rows), so batches form exactly while the runners are busy. It waits up to {@code
 * maxDelay} for more only while requests are arriving ({@link #arriving}: received, still being
 * parsed): a free runner is never kept idle for requests that do not exist, and a lone client at
 * concurrency 1 never waits.
 *
 * <p>Results are the rows of the merged run, which ONNX Runtime computes independently per row for
 * models whose every input and output has a dynamic first dimension ({@code Signature#batchable}).
 * If a merged run fails, or an output does not keep the batch dimension, each request is run alone
 * so one bad request cannot fail its neighbours.
 */
public final class Batcher implements Inference {

  private static final Logger LOG = Logger.getLogger(Batcher.class);

  private record Pending(
      Map<String, Tensor> inputs,
      long rows,
      String key,
      CompletableFuture<Map<String, Tensor>> result) {}

  private final Function<Map<String, Tensor>, Map<String, Tensor>> model;
  private final int maxRows;
  private final long maxDelayNanos;
  private final ExecutorService runners;
  private final Semaphore free;
  private final Observer observer;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final ArrayDeque<Pending> deferred = new ArrayDeque<>(); // dispatcher thread only
  private final Thread dispatcher;
  private volatile boolean running = true;
  private volatile int deferredCount;
  private volatile boolean warnedUnsplittable;
  private final AtomicInteger arriving = new AtomicInteger();

  public Batcher(
      Function<Map<String, Tensor>, Map<String, Tensor>> model,
      int maxRows,
      long maxDelayMillis,
      int workers,
      ExecutorService runners,
      Observer observer) {
    this.model = model;
    this.maxRows = maxRows;
    this.maxDelayNanos = TimeUnit.MILLISECONDS.toNanos(maxDelayMillis);
    this.runners = runners;
    this.free = new Semaphore(workers);
    this.observer = observer;
    this.dispatcher = new Thread(this::dispatch, "knoe-batcher");
    this.dispatcher.setDaemon(true);
    this.dispatcher.start();
  }

  @Override
  public CompletableFuture<Map<String, Tensor>> submit(Map<String, Tensor> inputs) {
    CompletableFuture<Map<String, Tensor>> result = new CompletableFuture<>();
    queue.add(new Pending(inputs, inputs.values().iterator().next().rows(), key(inputs), result));
    return result;
  }

  /**
   * Requests received but not yet submitted (their bodies are being parsed); the HTTP layer
   * increments before parsing and decrements once the request is submitted or refused.
   */
  @Override
  public AtomicInteger arriving() {
    return arriving;
  }

  @Override
  public int queueDepth() {
    return queue.size() + deferredCount;
  }

  /** Requests can share a run when they agree on names, types and every dimension but the first. */
  private static String key(Map<String, Tensor> inputs) {
    StringBuilder b = new StringBuilder();
    inputs.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              long[] s = e.getValue().shape();
              b.append(e.getKey())
                  .append(':')
                  .append(e.getValue().type())
                  .append(Arrays.toString(Arrays.copyOfRange(s, 1, s.length)))
                  .append(';');
            });
    return b.toString();
  }

  private void dispatch() {
    while (running) {
      try {
        free.acquire();
        Pending first = deferred.isEmpty() ? queue.take() : deferred.poll();
        List<Pending> batch = new ArrayList<>();
        batch.add(first);
        long rows = first.rows;
        // Deferred requests first, in arrival order, then whatever is queued now.
        for (Iterator<Pending> it = deferred.iterator(); it.hasNext() && rows < maxRows; ) {
          Pending p = it.next();
          if (p.key.equals(first.key) && rows + p.rows <= maxRows) {
            it.remove();
            batch.add(p);
            rows += p.rows;
          }
        }
        rows = take(batch, rows, first.key, 0);
        if (rows < maxRows && maxDelayNanos > 0 && arriving.get() > 0) {
          take(batch, rows, first.key, System.nanoTime() + maxDelayNanos);
        }
        deferredCount = deferred.size();
        runners.execute(
            () -> {
              try {
                run(batch);
              } finally {
                free.release();
              }
            });
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        free.release();
        LOG.error("batch dispatcher", e);
      }
    }
  }

  /**
   * Moves queued requests into the batch until it is full, the queue is empty or the deadline
   * passes.
   */
  private long take(List<Pending> batch, long rows, String key, long deadline)
      throws InterruptedException {
    while (rows < maxRows) {
      if (deadline != 0 && queue.isEmpty() && arriving.get() == 0) {
        break; // nothing on its way: waiting longer would only delay this batch
      }
      Pending p =
          deadline == 0
              ? queue.poll()
              : queue.poll(Math.min(deadline - System.nanoTime(), 100_000L), TimeUnit.NANOSECONDS);
      if (p == null && deadline != 0 && System.nanoTime() - deadline < 0) {
        continue;
      }
      if (p == null) {
        break;
      }
      if (p.key.equals(key) && rows + p.rows <= maxRows) {
        batch.add(p);
        rows += p.rows;
      } else {
        deferred.add(p);
      }
    }
    return rows;
  }

  private void run(List<Pending> batch) {
    if (batch.size() == 1) {
      runAlone(batch.get(0));
      return;
    }
    long total = 0;
    for (Pending p : batch) {
      total += p.rows;
    }
    Map<String, Tensor> outputs;
    long start = System.nanoTime();
    try {
      outputs = model.apply(merge(batch, total));
    } catch (RuntimeException e) {
      batch.forEach(this::runAlone);
      return;
    }
    observer.ran(batch.size(), total, System.nanoTime() - start);
    for (Tensor t : outputs.values()) {
      if (t.shape().length == 0 || t.rows() != total) {
        if (!warnedUnsplittable) {
          warnedUnsplittable = true;
          LOG.warnf(
              "an output of shape %s does not keep the batch of %d rows; running such requests one by one",
              Arrays.toString(t.shape()), total);
        }
        batch.forEach(this::runAlone);
        return;
      }
    }
    long from = 0;
    for (Pending p : batch) {
      Map<String, Tensor> mine = new LinkedHashMap<>();
      for (var e : outputs.entrySet()) {
        mine.put(e.getKey(), e.getValue().rows(from, from + p.rows));
      }
      from += p.rows;
      p.result.complete(mine);
    }
  }

  private void runAlone(Pending p) {
    long start = System.nanoTime();
    try {
      Map<String, Tensor> out = model.apply(p.inputs);
      observer.ran(1, p.rows, System.nanoTime() - start);
      p.result.complete(out);
    } catch (RuntimeException e) {
      p.result.completeExceptionally(e);
    }
  }

  /** Concatenates each input along the first dimension into one direct buffer. */
  static Map<String, Tensor> merge(List<Pending> batch, long total) {
    Map<String, Tensor> merged = new LinkedHashMap<>();
    for (String name : batch.get(0).inputs.keySet()) {
      Tensor head = batch.get(0).inputs.get(name);
      long[] shape = head.shape().clone();
      shape[0] = total;
      if (head.type().isString()) {
        List<String> all = new ArrayList<>();
        for (Pending p : batch) {
          all.addAll(Arrays.asList(p.inputs.get(name).strings()));
        }
        merged.put(name, new Tensor(head.type(), shape, null, all.toArray(String[]::new)));
      } else {
        ByteBuffer data = Tensor.allocate(Tensor.elements(shape) * head.type().size);
        for (Pending p : batch) {
          data.put(p.inputs.get(name).data().duplicate().clear());
        }
        merged.put(name, new Tensor(head.type(), shape, data.flip(), null));
      }
    }
    return merged;
  }

  @Override
  public void close() {
    running = false;
    dispatcher.interrupt();
    runners.shutdown();
  }
}
