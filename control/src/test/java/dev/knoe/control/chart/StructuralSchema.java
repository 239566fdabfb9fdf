package dev.knoe.control.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A CustomResourceDefinition's {@code openAPIV3Schema}, to check a custom resource against it
 * without a cluster: the subset of the API server's validation that Knoe's CRDs use ({@code type},
 * {@code properties}, {@code required}, {@code additionalProperties}, {@code items}, {@code enum},
 * {@code minimum}/{@code maximum}, lengths and counts, {@code pattern}, {@code nullable}, {@code
 * x-kubernetes-preserve-unknown-fields}, {@code x-kubernetes-int-or-string}).
 *
 * <p>Fields the schema does not declare are reported as errors, as {@code kubectl apply} does with
 * its default strict field validation (without it the API server would drop them silently: {@link
 * #prune} is what it would keep). A null where the schema declares a field that is not {@code
 * nullable} is no error: the API server drops it, as Knoe's parser takes it for absent. Errors name
 * the path the way the API server does: {@code spec.triggers[0].filter.type}.
 *
 * <p>{@link #structuralProblems()} checks the schema itself against the apiextensions v1 rules for
 * structural schemas, and rejects keywords this class does not evaluate, so that a schema it passes
 * is never checked only in part.
 */
public final class StructuralSchema {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Keywords {@link #validate} evaluates, or that carry no constraint on values. */
  private static final Set<String> KNOWN =
      Set.of(
          "type",
          "description",
          "properties",
          "required",
          "additionalProperties",
          "items",
          "enum",
          "minimum",
          "maximum",
          "exclusiveMinimum",
          "exclusiveMaximum",
          "minLength",
          "maxLength",
          "pattern",
          "minItems",
          "maxItems",
          "minProperties",
          "maxProperties",
          "format",
          "nullable",
          "default",
          "example",
          "title",
          "x-kubernetes-preserve-unknown-fields",
          "x-kubernetes-int-or-string",
          "x-kubernetes-list-type",
          "x-kubernetes-list-map-keys",
          "x-kubernetes-map-type");

  private static final Set<String> TYPES =
      Set.of("object", "array", "string", "integer", "number", "boolean");

  private final JsonNode root;

  private StructuralSchema(JsonNode root) {
    this.root = root;
  }

  /** The schema {@code openAPIV3Schema} itself. */
  public static StructuralSchema of(JsonNode openApiV3Schema) {
    if (openApiV3Schema == null || !openApiV3Schema.isObject()) {
      throw new IllegalArgumentException("an openAPIV3Schema must be an object");
    }
    return new StructuralSchema(openApiV3Schema);
  }

  /** The schema of {@code version} in a CRD (a parsed CustomResourceDefinition). */
  public static StructuralSchema ofCrd(JsonNode crd, String version) {
    for (JsonNode v : crd.path("spec").path("versions")) {
      if (version.equals(v.path("name").asText())) {
        return of(v.path("schema").path("openAPIV3Schema"));
      }
    }
    throw new IllegalArgumentException(
        crd.path("metadata").path("name").asText() + " has no version " + version);
  }

  /** The schema of {@code version} in a CRD YAML file. */
  public static StructuralSchema ofCrd(Path file, String version) throws IOException {
    return ofCrd(YAML.readTree(file.toFile()), version);
  }

  /** Reads one YAML document (a custom resource, say) as a tree. */
  public static JsonNode readYaml(Path file) throws IOException {
    return YAML.readTree(file.toFile());
  }

  /**
   * What is wrong with {@code resource} (a whole custom resource: apiVersion, kind, metadata, spec,
   * status), one message per problem, each starting with the path; empty when it is valid. {@code
   * metadata} is left to the API server, as the CRD schema may not constrain it.
   */
  public List<String> validate(JsonNode resource) {
    List<String> errors = new ArrayList<>();
    check(root, resource, "", errors);
    return errors;
  }

  /**
   * Where this schema breaks the apiextensions v1 structural rules; empty when it is structural.
   */
  public List<String> structuralProblems() {
    List<String> problems = new ArrayList<>();
    if (!"object".equals(root.path("type").asText())) {
      problems.add("<root>: type must be object");
    }
    structural(root, "", true, problems);
    return problems;
  }

  /**
   * {@code resource} as the API server stores it: without the fields the schema does not declare
   * (kept only under {@code x-kubernetes-preserve-unknown-fields}) and without nulls of fields that
   * are neither {@code nullable} nor defaulted. {@code metadata} is left as it is.
   */
  public JsonNode prune(JsonNode resource) {
    JsonNode copy = resource.deepCopy();
    prune(root, copy, "");
    return copy;
  }

  /**
   * Where the schema keeps unknown fields ({@code x-kubernetes-preserve-unknown-fields}), as paths:
   * {@code spec.model}, {@code spec.labels[*]} for a map's values, {@code spec.list[]} for items.
   */
  public List<String> preservedPaths() {
    List<String> paths = new ArrayList<>();
    preserved(root, "", paths);
    return paths;
  }

  /**
   * The schema of the field at a printer column's JSON path such as {@code .status.traffic}, or
   * null when the schema does not declare it ({@code metadata}'s fields never are).
   */
  public JsonNode at(String jsonPath) {
    if (!jsonPath.startsWith(".")) {
      throw new IllegalArgumentException("a JSON path starts with '.': " + jsonPath);
    }
    JsonNode schema = root;
    for (String part : jsonPath.substring(1).split("\\.")) {
      schema = schema.path("properties").get(part);
      if (schema == null) {
        return null;
      }
    }
    return schema;
  }

  // ---------------------------------------------------------------- values

  private void check(JsonNode schema, JsonNode value, String path, List<String> errors) {
    if (value == null || value.isMissingNode()) {
      return;
    }
    String at = path.isEmpty() ? "<root>" : path;
    if (value.isNull()) {
      if (!schema.path("nullable").asBoolean(false)) {
        errors.add(at + ": must not be null");
      }
      return;
    }
    if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
      if (!value.isIntegralNumber() && !value.isTextual()) {
        errors.add(at + ": must be an integer or a string, is " + describe(value));
      }
      return;
    }
    String type = schema.path("type").asText("");
    if (!type.isEmpty() && !hasType(value, type)) {
      errors.add(at + ": must be of type " + type + ", is " + describe(value));
      return;
    }
    JsonNode allowed = schema.get("enum");
    if (allowed != null && !contains(allowed, value)) {
      errors.add(at + ": Unsupported value " + value + ", must be one of " + allowed);
    }
    if (value.isNumber()) {
      numberBounds(schema, value, at, errors);
    } else if (value.isTextual()) {
      stringBounds(schema, value.asText(), at, errors);
    } else if (value.isArray()) {
      count(schema, "minItems", "maxItems", value.size(), "items", at, errors);
      JsonNode items = schema.get("items");
      for (int i = 0; i < value.size(); i++) {
        if (items != null) {
          check(items, value.get(i), path + "[" + i + "]", errors);
        }
      }
    } else if (value.isObject()) {
      object(schema, value, path, at, errors);
    }
  }

  private void object(
      JsonNode schema, JsonNode value, String path, String at, List<String> errors) {
    count(schema, "minProperties", "maxProperties", value.size(), "properties", at, errors);
    for (JsonNode name : schema.path("required")) {
      JsonNode v = value.get(name.asText());
      JsonNode fieldSchema = fieldSchema(schema, name.asText());
      if (v == null || (v.isNull() && fieldSchema != null && droppedWhenNull(fieldSchema))) {
        errors.add(join(path, name.asText()) + ": Required value");
      }
    }
    if (path.equals("metadata")) {
      return; // the API server's own rules, not the CRD's
    }
    JsonNode additional = schema.get("additionalProperties");
    boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String child = join(path, field.getKey());
      JsonNode fieldSchema = fieldSchema(schema, field.getKey());
      if (fieldSchema != null) {
        if (!(field.getValue().isNull() && droppedWhenNull(fieldSchema))) {
          check(fieldSchema, field.getValue(), child, errors);
        }
      } else if (!preserve && !(additional != null && additional.asBoolean(false))) {
        errors.add(child + ": unknown field (not in the schema)");
      }
    }
  }

  private static void numberBounds(
      JsonNode schema, JsonNode value, String at, List<String> errors) {
    double v = value.asDouble();
    JsonNode min = schema.get("minimum");
    if (min != null) {
      boolean exclusive = schema.path("exclusiveMinimum").asBoolean(false);
      if (exclusive ? v <= min.asDouble() : v < min.asDouble()) {
        errors.add(
            at + ": " + value + " must be greater than " + (exclusive ? "" : "or equal to ") + min);
      }
    }
    JsonNode max = schema.get("maximum");
    if (max != null) {
      boolean exclusive = schema.path("exclusiveMaximum").asBoolean(false);
      if (exclusive ? v >= max.asDouble() : v > max.asDouble()) {
        errors.add(
            at + ": " + value + " must be less than " + (exclusive ? "" : "or equal to ") + max);
      }
    }
  }

  private static void stringBounds(JsonNode schema, String value, String at, List<String> errors) {
    count(schema, "minLength", "maxLength", value.length(), "characters", at, errors);
    JsonNode pattern = schema.get("pattern");
    if (pattern != null && !Pattern.compile(pattern.asText()).matcher(value).find()) {
      errors.add(at + ": \"" + value + "\" does not match " + pattern.asText());
    }
  }

  private static void count(
      JsonNode schema,
      String minKey,
      String maxKey,
      int n,
      String what,
      String at,
      List<String> errors) {
    if (schema.has(minKey) && n < schema.get(minKey).asInt()) {
      errors.add(
          at + ": has " + n + " " + what + ", must have at least " + schema.get(minKey).asInt());
    }
    if (schema.has(maxKey) && n > schema.get(maxKey).asInt()) {
      errors.add(
          at + ": has " + n + " " + what + ", must have at most " + schema.get(maxKey).asInt());
    }
  }

  private static boolean hasType(JsonNode value, String type) {
    return switch (type) {
      case "object" -> value.isObject();
      case "array" -> value.isArray();
      case "string" -> value.isTextual();
      case "integer" -> value.isIntegralNumber();
      case "number" -> value.isNumber();
      case "boolean" -> value.isBoolean();
      default -> false;
    };
  }

  private static boolean contains(JsonNode allowed, JsonNode value) {
    for (JsonNode a : allowed) {
      if (a.equals(value)
          || (a.isNumber()
              && value.isNumber()
              && a.decimalValue().compareTo(value.decimalValue()) == 0)) {
        return true;
      }
    }
    return false;
  }

  private static String describe(JsonNode value) {
    String kind =
        value.isObject()
            ? "object"
            : value.isArray()
                ? "array"
                : value.isTextual()
                    ? "string"
                    : value.isIntegralNumber()
                        ? "integer"
                        : value.isNumber()
                            ? "number"
                            : value.isBoolean()
                                ? "boolean"
                                : value.getNodeType().name().toLowerCase();
    return value.isContainerNode() ? kind : kind + " " + value;
  }

  private static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  /**
   * The schema of an object's field: a declared property's, else additionalProperties', else null.
   */
  private static JsonNode fieldSchema(JsonNode objectSchema, String name) {
    JsonNode property = objectSchema.path("properties").get(name);
    if (property != null) {
      return property;
    }
    JsonNode additional = objectSchema.get("additionalProperties");
    return additional != null && additional.isObject() ? additional : null;
  }

  /** The API server drops a null of a field that is neither nullable nor defaulted. */
  private static boolean droppedWhenNull(JsonNode fieldSchema) {
    return !fieldSchema.path("nullable").asBoolean(false) && !fieldSchema.has("default");
  }

  private static void prune(JsonNode schema, JsonNode value, String path) {
    if (value instanceof ObjectNode object) {
      if (path.equals("metadata")) {
        return;
      }
      JsonNode additional = schema.get("additionalProperties");
      boolean keepUnknown =
          schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)
              || (additional != null && additional.asBoolean(false));
      List<String> drop = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        JsonNode fieldSchema = fieldSchema(schema, field.getKey());
        if (path.isEmpty()
            && Set.of("apiVersion", "kind", "metadata").contains(field.getKey())
            && fieldSchema == null) {
          continue; // the API server keeps these at the root whatever the schema says
        }
        if (fieldSchema == null
            ? !keepUnknown
            : field.getValue().isNull() && droppedWhenNull(fieldSchema)) {
          drop.add(field.getKey());
        } else if (fieldSchema != null) {
          prune(fieldSchema, field.getValue(), join(path, field.getKey()));
        }
      }
      object.remove(drop);
    } else if (value instanceof ArrayNode array && schema.has("items")) {
      for (JsonNode item : array) {
        prune(schema.get("items"), item, path + "[]");
      }
    }
  }

  private static void preserved(JsonNode schema, String path, List<String> paths) {
    if (schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
      paths.add(path.isEmpty() ? "<root>" : path);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      preserved(p.getValue(), join(path, p.getKey()), paths);
    }
    JsonNode additional = schema.get("additionalProperties");
    if (additional != null && additional.isObject()) {
      preserved(additional, path + "[*]", paths);
    }
    if (schema.has("items")) {
      preserved(schema.get("items"), path + "[]", paths);
    }
  }

  // ---------------------------------------------------------------- the schema itself

  private static void structural(
      JsonNode schema, String path, boolean root, List<String> problems) {
    String at = path.isEmpty() ? "<root>" : path;
    if (!schema.isObject()) {
      problems.add(at + ": a schema must be an object");
      return;
    }
    schema
        .fieldNames()
        .forEachRemaining(
            k -> {
              if (!KNOWN.contains(k)) {
                problems.add(at + ": keyword " + k + " is not supported by this check");
              }
            });
    boolean preserve = schema.has("x-kubernetes-preserve-unknown-fields");
    if (preserve && !schema.get("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
      problems.add(at + ": x-kubernetes-preserve-unknown-fields must be true or absent");
    }
    boolean intOrString = schema.path("x-kubernetes-int-or-string").asBoolean(false);
    if (intOrString && preserve) {
      problems.add(
          at
              + ": x-kubernetes-preserve-unknown-fields must be false if x-kubernetes-int-or-string is true");
    }
    if (root && schema.has("additionalProperties")) {
      problems.add(at + ": additionalProperties must not be used at the root");
    }
    String type = schema.path("type").asText("");
    if (type.isEmpty() && !preserve && !intOrString) {
      problems.add(
          at
              + ": no type (needed unless x-kubernetes-preserve-unknown-fields or x-kubernetes-int-or-string)");
    } else if (!type.isEmpty() && !TYPES.contains(type)) {
      problems.add(at + ": unknown type " + type);
    }
    if (schema.has("properties") && schema.has("additionalProperties")) {
      problems.add(at + ": properties and additionalProperties are mutually exclusive");
    }
    if ((schema.has("properties") || schema.has("additionalProperties"))
        && !type.equals("object")) {
      problems.add(at + ": properties need type object");
    }
    if (type.equals("array") && !schema.has("items")) {
      problems.add(at + ": an array needs items");
    }
    if (schema.has("items") && !type.equals("array")) {
      problems.add(at + ": items need type array");
    }
    JsonNode additional = schema.get("additionalProperties");
    if (additional != null && additional.isBoolean() && !additional.asBoolean()) {
      problems.add(at + ": additionalProperties: false is not allowed in a structural schema");
    }
    for (JsonNode required : schema.path("required")) {
      if (!schema.path("properties").has(required.asText()) && !preserve) {
        problems.add(at + ": required " + required.asText() + " is not a declared property");
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      if (root && p.getKey().equals("metadata")) {
        continue; // may only constrain name and generateName; ours says type: object
      }
      structural(p.getValue(), join(path, p.getKey()), false, problems);
    }
    if (additional != null && additional.isObject()) {
      structural(additional, path + "[*]", false, problems);
    }
    if (schema.has("items")) {
      structural(schema.get("items"), path + "[]", false, problems);
    }
  }
}
