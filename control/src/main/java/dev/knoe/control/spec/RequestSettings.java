package dev.knoe.control.spec;

/**
 * Limits on each scoring request.
 *
 * @param requestTimeoutMs the whole request, queueing included, in milliseconds: 1..180000 (Azure's
 *     maximum), default 5000; past it the client gets 408
 * @param maxConcurrentRequestsPerInstance requests one instance works on at once: 1..1000
 *     (Knative's containerConcurrency limit), default 32. Azure's default is 1; Knoe's is 32
 *     because dynamic batching can only merge requests that are in flight together. The router
 *     answers 429 past 2 x this x instances pending requests.
 * @param maxQueueWaitMs how long a request may wait for a free slot before 429, in milliseconds: at
 *     least 0, default 500
 */
public record RequestSettings(
    int requestTimeoutMs, int maxConcurrentRequestsPerInstance, int maxQueueWaitMs) {

  public static final int MAX_REQUEST_TIMEOUT_MS = 180_000;
  public static final int MAX_CONCURRENT_REQUESTS = 1000;
  public static final RequestSettings DEFAULTS = new RequestSettings(5000, 32, 500);

  public RequestSettings {
    var check = new Check();
    check.range("request_settings.request_timeout_ms", requestTimeoutMs, 1, MAX_REQUEST_TIMEOUT_MS);
    check.range(
        "request_settings.max_concurrent_requests_per_instance",
        maxConcurrentRequestsPerInstance,
        1,
        MAX_CONCURRENT_REQUESTS);
    check.atLeast("request_settings.max_queue_wait_ms", maxQueueWaitMs, 0);
    check.throwIfAny();
  }
}
