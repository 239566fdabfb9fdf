package dev.knoe.scoring.batch;

import dev.knoe.scoring.tensor.Tensor;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs the model for one request, off the caller's thread. */
public interface Inference extends AutoCloseable {

  /** Completes with every output, or with a {@code ScoringException}. */
  CompletableFuture<Map<String, Tensor>> submit(Map<String, Tensor> inputs);

  /** Requests received and being parsed, which a forming batch may wait for. */
  default AtomicInteger arriving() {
    return NONE_ARRIVING;
  }

  AtomicInteger NONE_ARRIVING = new AtomicInteger();

  /** Requests waiting for a run. */
  int queueDepth();

  @Override
  void close();
}
