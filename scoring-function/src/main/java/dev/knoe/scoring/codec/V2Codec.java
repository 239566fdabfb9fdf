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
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Open Inference Protocol (KServe V2) infer request and response: JSON, and the binary tensor
 * data extension ({@link BinaryData}) in both directions.
 */
public final class V2Codec {

  private V2Codec() {}

  /**
   * An infer request body: its JSON part, bytes {@code [offset, offset + length)} of {@code array},
   * and the binary tensor data after it.
   *
   * @param binary the bytes after the JSON part, a native-order direct buffer; null when the
   *     request has no {@value BinaryData#HEADER} header
   */
  public record Body(byte[] array, int offset, int length, ByteBuffer binary) {

    /** A body that is all JSON. */
    public static Body json(byte[] body) {
      return new Body(body, 0, body.length, null);
    }
  }

  /**
   * A parsed infer request.
   *
   * @param outputs output names the client asked for; empty means all
   * @param binaryOutputs whether all outputs go back as binary data ({@code
   *     parameters.binary_data_output})
   * @param binaryOutput per output, its own {@code parameters.binary_data}, which overrides
   *     binaryOutputs
   */
  public record Request(
      String id,
      Map<String, Tensor> inputs,
      List<String> outputs,
      boolean binaryOutputs,
      Map<String, Boolean> binaryOutput) {

    public Request {
      binaryOutput = Map.copyOf(binaryOutput);
    }

    boolean binary(String output) {
      return binaryOutput.getOrDefault(output, binaryOutputs);
    }

    /** The same request answered all in JSON (for a caller that cannot take binary data). */
    public Request asJson() {
      return new Request(id, inputs, outputs, false, Map.of());
    }
  }

  /**
   * An infer response: the JSON part, and the binary data of the outputs sent that way, in the
   * order the JSON names them (empty when the whole answer is JSON).
   */
  public record Response(byte[] json, List<ByteBuffer> binary) {

    public boolean hasBinary() {
      return !binary.isEmpty();
    }
  }

  public static Request decode(byte[] body, Signature signature) {
    return decode(Body.json(body), signature);
  }

  public static Request decode(Body body, Signature signature) {
    BinaryData.Reader binary =
        body.binary() == null ? null : new BinaryData.Reader(body.binary(), body.length());
    try (JsonParser p = Json.objectParser(body.array(), body.offset(), body.length())) {
      String id = null;
      Map<String, Tensor> inputs = null;
      Outputs outputs = new Outputs(new ArrayList<>(), new HashMap<>());
      boolean binaryOutputs = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        switch (field) {
          case "id" -> id = t == JsonToken.VALUE_NULL ? null : p.getValueAsString();
          case "inputs" -> inputs = inputs(p, signature, binary);
          case "outputs" -> outputs = outputs(p, signature);
          case "parameters" -> binaryOutputs = binaryOutputs(p);
          default -> Json.skip(p); // extensions
        }
      }
      if (inputs == null) {
        throw ScoringException.badInput(
            "the infer request has no \"inputs\" list; the model's inputs are %s",
            signature.inputNames());
      }
      if (binary != null) {
        binary.checkAllRead();
      }
      signature.check(inputs);
      return new Request(id, inputs, outputs.names(), binaryOutputs, outputs.binary());
    } catch (IOException e) {
      throw Json.malformed(e);
    }
  }

  /** The request's {@code parameters}: whether every output goes back as binary data. */
  private static boolean binaryOutputs(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw ScoringException.badInput("\"parameters\" must be an object");
    }
    boolean binary = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      if (name.equals("binary_data_output")) {
        binary = bool(p, "parameters.binary_data_output");
      } else {
        Json.skip(p);
      }
    }
    return binary;
  }

  private static boolean bool(JsonParser p, String what) throws IOException {
    return switch (p.currentToken()) {
      case VALUE_TRUE -> true;
      case VALUE_FALSE -> false;
      default ->
          throw ScoringException.badInput(
              "%s must be true or false, not %s", what, ValueSink.describe(p));
    };
  }

  private static Map<String, Tensor> inputs(
      JsonParser p, Signature signature, BinaryData.Reader binary) throws IOException {
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
      input(p, signature, binary, inputs);
    }
    return inputs;
  }

  /**
   * Reads one input object into {@code into}; fields may come in any order. An input with {@code
   * parameters.binary_data_size} takes the next that many bytes of {@code binary}.
   */
  private static void input(
      JsonParser p, Signature signature, BinaryData.Reader binary, Map<String, Tensor> into)
      throws IOException {
    String name = null;
    long[] shape = null;
    DType declared = null;
    Tensor values = null;
    byte[] early = null; // "data" seen before "name": kept as JSON and read once the name is known
    boolean hasData = false;
    long binarySize = -1;
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
        case "parameters" -> binarySize = binaryDataSize(p);
        case "data" -> {
          hasData = true;
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
    if (binarySize >= 0) {
      values = binaryInput(spec, shape, hasData, binarySize, binary);
      shape = null; // the tensor has it already
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

  /** {@code parameters.binary_data_size} of an input, or -1 when it has none. */
  private static long binaryDataSize(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw ScoringException.badInput("the \"parameters\" of an input must be an object");
    }
    long size = -1;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      if (name.equals("binary_data_size")) {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT
            || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
            || p.getLongValue() < 0) {
          throw ScoringException.badInput(
              "binary_data_size must be a non-negative integer, not %s", ValueSink.describe(p));
        }
        size = p.getLongValue();
      } else {
        Json.skip(p);
      }
    }
    return size;
  }

  private static Tensor binaryInput(
      TensorSpec spec, long[] shape, boolean hasData, long size, BinaryData.Reader binary) {
    if (hasData) {
      throw ScoringException.badInput(
          "input '%s' has both \"data\" and parameters.binary_data_size: send one", spec.name());
    }
    if (binary == null) {
      throw ScoringException.badInput(
          "input '%s' has binary_data_size but the request has no %s header giving the length of"
              + " the JSON part of the body",
          spec.name(), BinaryData.HEADER);
    }
    if (shape == null) {
      throw ScoringException.badInput(
          "input '%s' is binary data and has no \"shape\": a binary input needs one", spec.name());
    }
    return binary.next(spec, shape, size);
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

  /** The outputs a request names, and the binary_data parameter of those that give one. */
  private record Outputs(List<String> names, Map<String, Boolean> binary) {}

  private static Outputs outputs(JsonParser p, Signature signature) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw ScoringException.badInput("\"outputs\" must be a list of {\"name\": ...}");
    }
    Outputs outputs = new Outputs(new ArrayList<>(), new HashMap<>());
    while (p.nextToken() == JsonToken.START_OBJECT) {
      String name = null;
      Boolean binary = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if (field.equals("name")) {
          name = p.getValueAsString();
        } else if (field.equals("parameters")) {
          binary = binaryData(p);
        } else {
          Json.skip(p);
        }
      }
      if (name == null) {
        throw ScoringException.badInput(
            "an entry of \"outputs\" has no \"name\"; the model's outputs are %s",
            signature.outputNames());
      }
      String named = name;
      if (signature.outputs().stream().noneMatch(o -> o.name().equals(named))) {
        throw ScoringException.badInput(
            "unknown output '%s': the model's outputs are %s", named, signature.outputNames());
      }
      outputs.names().add(named);
      if (binary != null) {
        outputs.binary().put(named, binary);
      }
    }
    return outputs;
  }

  /** {@code parameters.binary_data} of a requested output, or null when it has none. */
  private static Boolean binaryData(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw ScoringException.badInput("the \"parameters\" of an output must be an object");
    }
    Boolean binary = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      if (name.equals("binary_data")) {
        binary = bool(p, "parameters.binary_data of an output");
      } else {
        Json.skip(p);
      }
    }
    return binary;
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
    return encode(modelName, new Request(id, Map.of(), wanted, false, Map.of()), outputs).json();
  }

  /**
   * The infer response with the requested outputs (all when none were named): flat JSON data, or
   * for the outputs the request wants as binary data, {@code parameters.binary_data_size} in the
   * JSON and their bytes after it, straight from the result buffers.
   */
  public static Response encode(String modelName, Request request, Map<String, Tensor> outputs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    List<ByteBuffer> binary = new ArrayList<>(0);
    List<String> wanted = request.outputs();
    try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("model_name", modelName);
      g.writeStringField("model_version", "1");
      if (request.id() != null) {
        g.writeStringField("id", request.id());
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
        if (request.binary(e.getKey())) {
          ByteBuffer bytes = BinaryData.bytes(t);
          binary.add(bytes);
          g.writeObjectFieldStart("parameters");
          g.writeNumberField("binary_data_size", bytes.remaining());
          g.writeEndObject();
        } else {
          g.writeFieldName("data");
          TensorWriter.flat(g, t);
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Response(out.toByteArray(), binary);
  }
}
