package dev.knoe.scoring.handler;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.knoe.spi.ScoringRequest;
import java.io.IOException;
import java.util.Map;

/** A {@code /score} request as a handler sees it; the JSON is parsed only if the handler asks. */
public record HandlerRequest(
    byte[] body, String contentType, Map<String, String> headers, ObjectMapper mapper)
    implements ScoringRequest {

  @Override
  public Object json() {
    try {
      return mapper.readValue(body, Object.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "the request body is not JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("the request body cannot be read: " + e.getMessage(), e);
    }
  }
}
