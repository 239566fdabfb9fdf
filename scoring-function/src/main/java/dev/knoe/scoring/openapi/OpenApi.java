package dev.knoe.scoring.openapi;

import dev.knoe.scoring.model.Signature;
import dev.knoe.scoring.model.TensorSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds an OpenAPI 3.0 document for {@code POST /score} from the model's inputs and outputs. */
public final class OpenApi {

  private OpenApi() {}

  public static Map<String, Object> document(String modelName, Signature signature) {
    Map<String, Object> request = new LinkedHashMap<>();
    if (signature.inputs().size() == 1) {
      TensorSpec only = signature.inputs().get(0);
      request.put(
          "oneOf",
          List.of(
              object(Map.of("data", tensor(only)), List.of("data")),
              object(
                  Map.of("inputs", object(Map.of(only.name(), tensor(only)), List.of(only.name()))),
                  List.of("inputs"))));
    } else {
      Map<String, Object> named = new LinkedHashMap<>();
      signature.inputs().forEach(s -> named.put(s.name(), tensor(s)));
      request.putAll(
          object(Map.of("inputs", object(named, List.copyOf(named.keySet()))), List.of("inputs")));
    }
    Object response;
    if (signature.outputs().size() == 1) {
      response = output(signature.outputs().get(0));
    } else {
      Map<String, Object> named = new LinkedHashMap<>();
      signature.outputs().forEach(s -> named.put(s.name(), output(s)));
      response = object(named, List.copyOf(named.keySet()));
    }
    Map<String, Object> error = object(Map.of("error", Map.of("type", "string")), List.of("error"));
    Map<String, Object> responses = new LinkedHashMap<>();
    responses.put("200", json("The model's output", response));
    responses.put("400", json("Malformed input, naming what is wrong", error));
    responses.put("401", json("Missing or invalid key or token", error));
    responses.put("413", json("Body larger than the limit", error));
    responses.put("424", json("The scoring handler failed", error));

    Map<String, Object> post = new LinkedHashMap<>();
    post.put("summary", "Score " + modelName);
    post.put("operationId", "score");
    post.put(
        "requestBody",
        Map.of("required", true, "content", Map.of("application/json", Map.of("schema", request))));
    post.put("responses", responses);

    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("openapi", "3.0.3");
    doc.put(
        "info",
        Map.of(
            "title",
            modelName,
            "version",
            "1",
            "description",
            "Scoring API of model " + modelName + ", generated from its ONNX signature"));
    doc.put("paths", Map.of("/score", Map.of("post", post)));
    doc.put(
        "components",
        Map.of("securitySchemes", Map.of("bearer", Map.of("type", "http", "scheme", "bearer"))));
    doc.put("security", List.of(Map.of("bearer", List.of())));
    return doc;
  }

  private static Map<String, Object> json(String description, Object schema) {
    return Map.of(
        "description",
        description,
        "content",
        Map.of("application/json", Map.of("schema", schema)));
  }

  private static Map<String, Object> object(Map<String, Object> properties, List<String> required) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("type", "object");
    o.put("properties", properties);
    o.put("required", required);
    o.put("additionalProperties", false);
    return o;
  }

  /** An input: nested arrays, one level per dimension, fixed lengths where the model fixes them. */
  static Map<String, Object> tensor(TensorSpec spec) {
    return nested(spec, scalar(spec));
  }

  /**
   * An output, as {@link #tensor}, except that a floating-point value may be {@code "NaN"}, {@code
   * "Infinity"} or {@code "-Infinity"}: JSON has no such numbers, and a model can answer them from
   * finite inputs (an overflow, a log of 0), so the answer writes them as strings.
   */
  static Map<String, Object> output(TensorSpec spec) {
    Map<String, Object> scalar = scalar(spec);
    if (switch (spec.type()) {
      case FP16, BF16, FP32, FP64 -> true;
      default -> false;
    }) {
      Map<String, Object> nonFinite = new LinkedHashMap<>();
      nonFinite.put("type", "string");
      nonFinite.put("enum", List.of("NaN", "Infinity", "-Infinity"));
      scalar = new LinkedHashMap<>(Map.of("oneOf", List.of(scalar, nonFinite)));
    }
    return nested(spec, scalar);
  }

  private static Map<String, Object> nested(TensorSpec spec, Map<String, Object> scalar) {
    Map<String, Object> schema = scalar;
    long[] shape = spec.shape();
    for (int i = shape.length - 1; i >= 0; i--) {
      Map<String, Object> array = new LinkedHashMap<>();
      array.put("type", "array");
      if (shape[i] >= 0) {
        array.put("minItems", shape[i]);
        array.put("maxItems", shape[i]);
      }
      array.put("items", schema);
      schema = array;
    }
    schema.put(
        "description",
        spec.name() + ": " + spec.type() + " " + java.util.Arrays.toString(shape) + " (-1 = any)");
    return schema;
  }

  private static Map<String, Object> scalar(TensorSpec spec) {
    Map<String, Object> s = new LinkedHashMap<>();
    switch (spec.type()) {
      case FP32 -> {
        s.put("type", "number");
        s.put("format", "float");
      }
      case FP64 -> {
        s.put("type", "number");
        s.put("format", "double");
      }
      case FP16, BF16 -> s.put("type", "number");
      case BOOL -> s.put("type", "boolean");
      case BYTES -> s.put("type", "string");
      case INT64, UINT64 -> {
        s.put("type", "integer");
        s.put("format", "int64");
      }
      default -> {
        s.put("type", "integer");
        s.put("format", "int32");
      }
    }
    return s;
  }
}
