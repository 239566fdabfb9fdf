package dev.knoe.spi;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One request to {@code /score}: the raw body (as Azure hands {@code run(raw_data)} the raw JSON),
 * its content type and headers, and the body parsed as JSON for handlers that want it.
 */
public interface ScoringRequest {

  byte[] body();

  /** The Content-Type header, or null. */
  String contentType();

  /** Request headers with lower-case names; the credential is not among them. */
  Map<String, String> headers();

  /** The body decoded as UTF-8. */
  default String bodyAsString() {
    return new String(body(), StandardCharsets.UTF_8);
  }

  /**
   * The body parsed as JSON into {@code Map<String, Object>}, {@code List<Object>}, {@code String},
   * {@code Number}, {@code Boolean} or null, as Python's {@code json.loads} would.
   *
   * @throws IllegalArgumentException when the body is not JSON
   */
  Object json();
}
