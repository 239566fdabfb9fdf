package dev.knoe.spi;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One request to {@code /score}: the raw body (as Azure hands {@code run(raw_data)} the raw JSON),
 * its content type and the request headers with lower-case names.
 */
public record ScoringRequest(byte[] body, String contentType, Map<String, String> headers) {

  /** The body decoded as UTF-8. */
  public String bodyAsString() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
