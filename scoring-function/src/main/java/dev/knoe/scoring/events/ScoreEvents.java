package dev.knoe.scoring.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.knoe.scoring.ScoringService;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEventMapping;
import io.smallrye.common.vertx.ContextLocals;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.util.Map;

/**
 * Scores an event whose data is a {@code /score} body ({@code {"data": ...}} or {@code {"inputs":
 * {...}}}) or a V2 infer body ({@code {"inputs": [...]}}); the answer goes back as a {@code
 * knoe.score.response} event. The function name is one no REST path uses, since Funqy owns {@code
 * /} and {@code /{function}}.
 */
public class ScoreEvents {

  public static final String REQUEST_TYPE = "knoe.score.request";
  public static final String RESPONSE_TYPE = "knoe.score.response";

  /** The request's data as sent, kept by the HTTP layer's event check for the function. */
  private static final String EXACT_DATA = "knoe.event-data";

  /**
   * Keeps the event's data as sent for {@link #score}, on the request's (duplicated) Vert.x
   * context: Funqy hands the function a tree in which a number beyond a double's range is already
   * infinity, and written back it would reach the codec as the string "Infinity" instead of the
   * value it names.
   */
  public static void exactData(byte[] data) {
    try {
      ContextLocals.put(EXACT_DATA, data);
    } catch (IllegalStateException | UnsupportedOperationException notOnARequestContext) {
      // scored from the tree Funqy parsed
    }
  }

  @Inject ScoringService service;
  @Inject ObjectMapper mapper;

  @Funq("knoe-score-event")
  @CloudEventMapping(
      trigger = REQUEST_TYPE,
      responseType = RESPONSE_TYPE,
      responseSource = "knoe/scoring-function")
  public Uni<JsonNode> score(JsonNode data) throws Exception {
    byte[] body;
    try {
      body = ContextLocals.<byte[]>get(EXACT_DATA).orElse(null);
    } catch (IllegalStateException | UnsupportedOperationException notOnARequestContext) {
      body = null;
    }
    if (body == null) {
      body = mapper.writeValueAsBytes(data);
    }
    boolean v2 = data != null && data.path("inputs").isArray();
    var answer = v2 ? service.infer(body) : service.score(body, "application/json", Map.of());
    return Uni.createFrom()
        .completionStage(answer)
        .map(
            bytes -> {
              try {
                return mapper.readTree(bytes);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
  }
}
