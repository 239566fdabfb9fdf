package dev.knoe.spi;

/**
 * Custom scoring code for a deployment, loaded by class name from {@code KNOE_HANDLER_PATH} (a jar
 * or a class folder). One instance serves all requests, so {@link #run} must be thread-safe.
 */
public interface ScoringHandler {

  /** Called once before the instance reports ready; load what {@link #run} needs here. */
  void init(HandlerContext context) throws Exception;

  /**
   * Scores one request. The returned value is written as JSON (maps, lists, arrays, records,
   * strings and numbers); a {@code byte[]} is sent as it is, as already-encoded JSON. An exception
   * becomes HTTP 424 with its message; the process keeps serving.
   */
  Object run(ScoringRequest request) throws Exception;
}
