package dev.knoe.scoring.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.knoe.scoring.ScoringException;
import dev.knoe.scoring.model.Signature;
import dev.knoe.scoring.model.TensorSpec;
import dev.knoe.scoring.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Azure ML {@code /score} format: {@code {"data": [[...]]}} for a model with one input, or
 * {@code {"inputs": {"name": [[...]], ...}}}; the answer is the single output as a nested list, or
 * an object keyed by output name.
 */
public final class ScoreCodec {

  private ScoreCodec() {}

  /** Parses and checks a request against the model's signature. */
  public static Map<String, Tensor> decode(byte[] body, Signature signature) {
    try (JsonParser p = Json.objectParser(body)) {
      Map<String, Tensor> inputs = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "data" -> inputs = data(p, signature);
          case "inputs" -> inputs = named(p, signature);
          default ->
              throw ScoringException.badInput(
                  "unknown field '%s': send {\"data\": [...]} or {\"inputs\": {\"<name>\": [...]}}",
                  field);
        }
      }
      if (inputs == null) {
        throw ScoringException.badInput(
            "the body has neither \"data\" nor \"inputs\"; the model's inputs are %s",
            signature.inputNames());
      }
      signature.check(inputs);
      return inputs;
    } catch (IOException e) {
      throw Json.malformed(e);
    }
  }

  private static Map<String, Tensor> data(JsonParser p, Signature signature) throws IOException {
    if (signature.inputs().size() != 1) {
      throw ScoringException.badInput(
          "\"data\" works for a model with one input; this model has %s: send {\"inputs\": {\"<name>\": [...]}}",
          signature.inputNames());
    }
    TensorSpec spec = signature.inputs().get(0);
    Map<String, Tensor> inputs = new LinkedHashMap<>(2);
    inputs.put(spec.name(), read(p, spec));
    return inputs;
  }

  private static Map<String, Tensor> named(JsonParser p, Signature signature) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw ScoringException.badInput(
          "\"inputs\" must be an object keyed by input name, like {\"%s\": [...]}",
          signature.inputs().isEmpty() ? "input" : signature.inputs().get(0).name());
    }
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      TensorSpec spec = signature.input(p.currentName());
      p.nextToken();
      if (inputs.put(spec.name(), read(p, spec)) != null) {
        throw ScoringException.badInput("input '%s' is given twice", spec.name());
      }
    }
    return inputs;
  }

  static Tensor read(JsonParser p, TensorSpec spec) throws IOException {
    return NestedArrays.read(
        p, ValueSink.of(spec.name(), spec.type(), NestedArrays.expectedElements(spec.shape())));
  }

  /** The answer: the only output as nested lists, several as an object keyed by name. */
  public static byte[] encode(Map<String, Tensor> outputs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
      if (outputs.size() == 1) {
        TensorWriter.nested(g, outputs.values().iterator().next());
      } else {
        g.writeStartObject();
        for (var e : outputs.entrySet()) {
          g.writeFieldName(e.getKey());
          TensorWriter.nested(g, e.getValue());
        }
        g.writeEndObject();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
