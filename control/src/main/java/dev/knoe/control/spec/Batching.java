package dev.knoe.control.spec;

/**
 * Server-side dynamic batching (a Knoe extension): concurrent requests to one instance are merged
 * into one model run.
 *
 * @param maxBatchSize largest merged batch in rows, at least 1 (1 turns batching off); default 32
 * @param maxDelayMs how long a forming batch waits for more requests once there is concurrent load,
 *     in milliseconds: at least 0, less than the request timeout; default 2
 */
public record Batching(int maxBatchSize, int maxDelayMs) {

  public static final Batching DEFAULTS = new Batching(32, 2);

  public Batching {
    var check = new Check();
    check.atLeast("batching.max_batch_size", maxBatchSize, 1);
    check.atLeast("batching.max_delay_ms", maxDelayMs, 0);
    check.throwIfAny();
  }
}
