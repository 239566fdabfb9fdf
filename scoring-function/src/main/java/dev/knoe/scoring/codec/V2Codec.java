package dev.knoe.scoring.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.knoe.scoring.ScoringException;
import dev.knoe.scoring.model.Signature;
import dev.knoe.scoring.model.TensorSpec;
import dev.knoe.scoring.tensor.DType;
import dev.knoe.scoring.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Open Inference Protocol (KServe V2) JSON infer request and response. */
public final class V2Codec {

  private V2Codec() {}

  /**
   * A parsed infer request.
   *
   * @param outputs output names the client asked for; empty means all
   */
  public record Request(String id, Map<String, Tensor> inputs, List<String> outputs) {}

  public static Request decode(byte[] body, Signature signature) {
    try (JsonParser p = Json.objectParser(body)) {
      String id = null;
      Map<String, Tensor> inputs = null;
      List<String> outputs = List.of();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        switch (field) {
          case "id" -> id = t == JsonToken.VALUE_NULL ? null : p.getValueAsString();
          case "inputs" -> inputs = inputs(p, signature);
          case "outputs" -> outputs = outputs(p, signature);
          default -> Json.skip(p); // "parameters" and extensions
        }
      }
      if (inputs == null) {
        throw ScoringException.badInput(
            "the infer request has no \"inputs\" list; the model's inputs are %s",
            signature.inputNames());
      }
      signature.check(inputs);
      return new Request(id, inputs, outputs);
    } catch (IOException e) {
      throw Json.malformed(e);
    }
  }

  private static Map<String, Tensor> inputs(JsonParser p, Signature signature) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw ScoringException.badInput(
          "\"inputs\" must be a list of tensors {\"name\", \"shape\", \"datatype\", \"data\"}");
    }
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        throw ScoringException.badInput(
            "each entry of \"inputs\" must be an object with name, shape, datatype and data");
      }
      input(p, signature, inputs);
    }
    return inputs;
  }

  /** Reads one input object into {@code into}; fields may come in any order. */
  private static void input(JsonParser p, Signature signature, Map<String, Tensor> into)
      throws IOException {
    String name = null;
    long[] shape = null;
    DType declared = null;
    Tensor values = null;
    byte[] early = null; // "data" seen before "name": kept as JSON and read once the name is known
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      switch (field) {
        case "name" -> name = p.getValueAsString();
        case "datatype" -> {
          String text = p.getValueAsString();
          declared =
              DType.ofName(text == null ? "" : text)
                  .orElseThrow(
                      () ->
                          ScoringException.badInput(
                              "unknown datatype '%s'; V2 datatypes are %s",
                              text, Arrays.toString(DType.values())));
        }
        case "shape" -> shape = shape(p);
        case "data" -> {
          if (name == null) {
            early = copy(p);
          } else {
            values = ScoreCodec.read(p, signature.input(name));
          }
        }
        default -> Json.skip(p);
      }
    }
    if (name == null) {
      throw ScoringException.badInput(
          "an entry of \"inputs\" has no \"name\"; the model's inputs are %s",
          signature.inputNames());
    }
    TensorSpec spec = signature.input(name);
    if (declared != null && declared != spec.type()) {
      throw ScoringException.badInput(
          "input '%s' has datatype %s in the model, the request declares %s",
          name, spec.type(), declared);
    }
    if (early != null) {
      try (JsonParser q = Json.FACTORY.createParser(early)) {
        q.nextToken();
        values = ScoreCodec.read(q, spec);
      }
    }
    if (values == null) {
      throw ScoringException.badInput("input '%s' has no \"data\"", name);
    }
    if (shape != null) {
      if (Tensor.elements(shape) != values.elements()) {
        throw ScoringException.badInput(
            "input '%s' declares shape %s (%d values) but its data holds %d values",
            name, Arrays.toString(shape), Tensor.elements(shape), values.elements());
      }
      values = new Tensor(values.type(), shape, values.data(), values.strings());
    }
    if (into.put(name, values) != null) {
      throw ScoringException.badInput("input '%s' is given twice", name);
    }
  }

  private static long[] shape(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw ScoringException.badInput("\"shape\" must be a list of integers");
    }
    List<Long> dims = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 0) {
        throw ScoringException.badInput(
            "\"shape\" must be a list of non-negative integers, found %s", ValueSink.describe(p));
      }
      dims.add(p.getLongValue());
    }
    return dims.stream().mapToLong(Long::longValue).toArray();
  }

  private static List<String> outputs(JsonParser p, Signature signature) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw ScoringException.badInput("\"outputs\" must be a list of {\"name\": ...}");
    }
    List<String> names = new ArrayList<>();
    while (p.nextToken() == JsonToken.START_OBJECT) {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if (field.equals("name")) {
          String name = p.getValueAsString();
          if (signature.outputs().stream().noneMatch(o -> o.name().equals(name))) {
            throw ScoringException.badInput(
                "unknown output '%s': the model's outputs are %s", name, signature.outputNames());
          }
          names.add(name);
        } else {
          Json.skip(p);
        }
      }
    }
    return names;
  }

  private static byte[] copy(JsonParser p) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
      g.copyCurrentStructure(p);
    }
    return out.toByteArray();
  }

  /** The infer response with the requested outputs (all when none were named), flat data. */
  public static byte[] encode(
      String modelName, String id, Map<String, Tensor> outputs, List<String> wanted) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("model_name", modelName);
      g.writeStringField("model_version", "1");
      if (id != null) {
        g.writeStringField("id", id);
      }
      g.writeArrayFieldStart("outputs");
      for (var e : outputs.entrySet()) {
        if (!wanted.isEmpty() && !wanted.contains(e.getKey())) {
          continue;
        }
        Tensor t = e.getValue();
        g.writeStartObject();
        g.writeStringField("name", e.getKey());
        g.writeStringField("datatype", t.type().name());
        g.writeFieldName("shape");
        g.writeArray(t.shape(), 0, t.shape().length);
        g.writeFieldName("data");
        TensorWriter.flat(g, t);
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
