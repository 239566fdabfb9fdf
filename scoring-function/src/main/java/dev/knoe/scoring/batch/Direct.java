package dev.knoe.scoring.batch;

import dev.knoe.scoring.tensor.Tensor;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** No batching: every request is its own run, on a worker pool (never the event loop). */
public final class Direct implements Inference {

  private final Function<Map<String, Tensor>, Map<String, Tensor>> model;
  private final ExecutorService pool;
  private final Observer observer;
  private final AtomicInteger waiting = new AtomicInteger();

  public Direct(
      Function<Map<String, Tensor>, Map<String, Tensor>> model,
      ExecutorService pool,
      Observer observer) {
    this.model = model;
    this.pool = pool;
    this.observer = observer;
  }

  @Override
  public CompletableFuture<Map<String, Tensor>> submit(Map<String, Tensor> inputs) {
    waiting.incrementAndGet();
    return CompletableFuture.supplyAsync(
        () -> {
          waiting.decrementAndGet();
          long start = System.nanoTime();
          Map<String, Tensor> out = model.apply(inputs);
          observer.ran(1, inputs.values().iterator().next().rows(), System.nanoTime() - start);
          return out;
        },
        pool);
  }

  @Override
  public int queueDepth() {
    return waiting.get();
  }

  @Override
  public void close() {
    pool.shutdown();
  }
}
