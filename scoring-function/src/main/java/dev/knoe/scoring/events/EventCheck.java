package dev.knoe.scoring.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * What is wrong with an HTTP request as a CloudEvent carrying a scoring request, judged by the
 * CloudEvents 1.0 HTTP binding before Funqy reads it (Funqy scores an event without {@code ce-id}
 * or with {@code ce-specversion: 9.9}, and turns a body it cannot read into a 500): structured mode
 * ({@code application/cloudevents+json}) carries the attributes in the JSON body, binary mode in
 * {@code ce-*} headers with the data as the body. Either way the data must be a {@code /score} or
 * V2 body, a JSON object with {@code "data"} or {@code "inputs"}. The values inside are the codec's
 * to judge.
 */
public final class EventCheck {

  /** The attributes every CloudEvent carries (the spec's REQUIRED ones). */
  static final List<String> REQUIRED = List.of("specversion", "id", "source", "type");

  static final String STRUCTURED = "application/cloudevents+json";
  static final String BATCH = "application/cloudevents-batch+json";

  private EventCheck() {}

  /**
   * An event judged: what is wrong with it, else its data as JSON bytes, numbers as they were sent
   * (a tree Funqy parses holds 1e400 as infinity, which the codec could no longer name).
   */
  public record Result(Optional<String> problem, byte[] data) {
    static Result refused(String problem) {
      return new Result(Optional.of(problem), null);
    }
  }

  /**
   * @param header the request's header of that name, or null
   * @param body the request body
   */
  public static Result check(UnaryOperator<String> header, byte[] body, ObjectMapper mapper) {
    Optional<String> problem = problem(header, body, mapper);
    if (problem.isPresent()) {
      return new Result(problem, null);
    }
    if (!isStructured(header)) {
      return new Result(Optional.empty(), body);
    }
    try {
      JsonNode event =
          mapper.reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).readTree(body);
      return new Result(
          Optional.empty(), event.has("data") ? mapper.writeValueAsBytes(event.get("data")) : null);
    } catch (IOException e) {
      return Result.refused("unreadable event: " + e.getMessage());
    }
  }

  private static boolean isStructured(UnaryOperator<String> header) {
    String contentType = header.apply("content-type");
    return contentType != null
        && contentType.split(";", 2)[0].trim().toLowerCase().equals(STRUCTURED);
  }

  /**
   * @return the problem, named for the caller; empty for a well-formed event
   */
  static Optional<String> problem(UnaryOperator<String> header, byte[] body, ObjectMapper mapper) {
    String contentType = header.apply("content-type");
    String media = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase();
    if (media.equals(BATCH)) {
      return Optional.of("batched CloudEvents (" + BATCH + ") are not accepted: send one event");
    }
    boolean structured = media.equals(STRUCTURED);
    JsonNode json;
    try {
      json = body.length == 0 ? null : mapper.readTree(body);
    } catch (JsonProcessingException e) {
      return Optional.of(
          (structured
                  ? "the structured CloudEvent is not JSON: "
                  : "the event's data is not JSON: ")
              + e.getOriginalMessage());
    } catch (IOException e) {
      return Optional.of("unreadable event: " + e.getMessage());
    }
    if (structured) {
      if (json == null || !json.isObject()) {
        return Optional.of("a structured CloudEvent must be a JSON object");
      }
      for (String name : REQUIRED) {
        Optional<String> wrong =
            attribute(name, json.get(name) == null ? null : text(json.get(name)));
        if (wrong.isPresent()) {
          return wrong;
        }
      }
      return json.has("data_base64") ? Optional.empty() : data(json.get("data"));
    }
    for (String name : REQUIRED) {
      Optional<String> wrong = attribute("ce-" + name, header.apply("ce-" + name));
      if (wrong.isPresent()) {
        return wrong;
      }
    }
    return data(json);
  }

  private static String text(JsonNode node) {
    return node.isTextual() ? node.asText() : "";
  }

  private static Optional<String> attribute(String name, String value) {
    if (value == null) {
      return Optional.of(
          "the CloudEvent has no '"
              + name
              + "' attribute; every event needs specversion, id, source and type"
              + (name.startsWith("ce-") ? " (ce-* headers in binary mode)" : ""));
    }
    if (value.isBlank()) {
      return Optional.of("the CloudEvent's '" + name + "' attribute must be a non-empty string");
    }
    if (name.endsWith("specversion") && !value.equals("1.0")) {
      return Optional.of(
          "the CloudEvent's '" + name + "' is '" + abbreviate(value) + "'; only 1.0 is accepted");
    }
    return Optional.empty();
  }

  private static Optional<String> data(JsonNode data) {
    if (data == null || data.isNull() || data.isMissingNode()) {
      return Optional.of(
          "the CloudEvent has no data; its data must be a /score or V2 infer body (a JSON object"
              + " with \"data\" or \"inputs\")");
    }
    if (!data.isObject() || !(data.has("data") || data.has("inputs"))) {
      return Optional.of(
          "the CloudEvent's data is not a scoring request: expected a /score or V2 infer body (a"
              + " JSON object with \"data\" or \"inputs\"), found "
              + (data.isObject()
                  ? "an object without either"
                  : "a JSON " + data.getNodeType().name().toLowerCase()));
    }
    return Optional.empty();
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
