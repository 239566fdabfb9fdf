package dev.knoe.control.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * Typed reads from one object of the tree, reporting wrong types with the key's full path, and, at
 * {@link #finish}, keys that are Azure-only (a warning) or unknown (a problem with a suggestion).
 */
final class Fields {

  private final ObjectNode node;
  private final String path;
  private final Report report;
  private final List<String> keys;
  private final Map<String, String> azureOnly;

  private Fields(
      ObjectNode node, String path, Report report, List<String> keys, Map<String, String> azure) {
    this.node = node;
    this.path = path;
    this.report = report;
    this.keys = keys;
    this.azureOnly = azure;
  }

  /**
   * The object at {@code path}, or null after reporting a type error.
   *
   * @param keys the keys Knoe reads, in the order the docs list them
   * @param azureOnly keys Knoe accepts from Azure files but ignores, with the reason
   */
  static Fields of(
      JsonNode node, String path, Report report, List<String> keys, Map<String, String> azureOnly) {
    if (!node.isObject()) {
      report.typeError(path, "an object", node);
      return null;
    }
    return new Fields((ObjectNode) node, path, report, keys, azureOnly);
  }

  String path(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** The value, or null when the key is absent or null (YAML {@code key:} with nothing after). */
  JsonNode value(String key) {
    if (!keys.contains(key)) {
      throw new IllegalArgumentException(key + " is not among the declared keys " + keys);
    }
    JsonNode v = node.get(key);
    return v == null || v.isNull() ? null : v;
  }

  boolean has(String key) {
    return value(key) != null;
  }

  /** A string; numbers and booleans are taken as written ({@code version: 3} is "3"). */
  String string(String key) {
    JsonNode v = value(key);
    if (v == null) {
      return null;
    }
    if (v.isValueNode()) {
      return v.asText();
    }
    report.typeError(path(key), "a string", v);
    return null;
  }

  int integer(String key, int otherwise) {
    JsonNode v = value(key);
    if (v == null) {
      return otherwise;
    }
    Integer i = integer(path(key), v);
    return i == null ? otherwise : i;
  }

  /** An object of strings, in the author's order; empty when absent. */
  Map<String, String> strings(String key) {
    var result = new LinkedHashMap<String, String>();
    forEachEntry(
        key,
        "an object of key: value",
        (k, v) -> {
          if (v.isValueNode() && !v.isNull()) {
            result.put(k, v.asText());
          } else {
            report.typeError(path(key) + "." + k, "a string", v);
          }
        });
    return result;
  }

  /** An object of integers, in the author's order; empty when absent. */
  Map<String, Integer> integers(String key) {
    var result = new LinkedHashMap<String, Integer>();
    forEachEntry(
        key,
        "an object of name: integer",
        (k, v) -> {
          Integer i = integer(path(key) + "." + k, v);
          if (i != null) {
            result.put(k, i);
          }
        });
    return result;
  }

  /** The object under {@code key}, or null when absent or not an object (reported). */
  Fields object(String key, List<String> keys, Map<String, String> azureOnly) {
    JsonNode v = value(key);
    return v == null ? null : of(v, path(key), report, keys, azureOnly);
  }

  /** Reports the keys this object holds that Knoe does not read; call once all reads are done. */
  void finish() {
    for (var entry : node.properties()) {
      String key = entry.getKey();
      if (keys.contains(key) || (path.isEmpty() && key.equals("$schema"))) {
        continue;
      }
      String reason = azureOnly.get(key);
      if (reason != null) {
        report.warning(path(key) + " is an Azure setting that Knoe ignores: " + reason);
        continue;
      }
      var candidates = new ArrayList<>(keys);
      candidates.addAll(new TreeSet<>(azureOnly.keySet()));
      String message =
          Suggest.closest(key, candidates)
              .map(s -> "unknown key '" + path(key) + "': did you mean '" + s + "'?")
              .orElse(
                  "unknown key '"
                      + path(key)
                      + "'; known keys"
                      + (path.isEmpty() ? "" : " there")
                      + ": "
                      + String.join(", ", keys));
      report.problem(path(key), message);
    }
  }

  private void forEachEntry(String key, String expected, BiConsumer<String, JsonNode> action) {
    JsonNode v = value(key);
    if (v == null) {
      return;
    }
    if (!v.isObject()) {
      report.typeError(path(key), expected, v);
      return;
    }
    v.properties().forEach(e -> action.accept(e.getKey(), e.getValue()));
  }

  /**
   * An integer from a number or from a string of digits (JSON clients often quote numbers); null
   * after reporting anything else, fractions included.
   */
  private Integer integer(String path, JsonNode v) {
    if (v.isIntegralNumber() && v.canConvertToInt()) {
      return v.intValue();
    }
    if (v.isTextual() && v.asText().trim().matches("[-+]?[0-9]{1,9}")) {
      return Integer.parseInt(v.asText().trim());
    }
    if (v.isIntegralNumber() || (v.isTextual() && v.asText().trim().matches("[-+]?[0-9]+"))) {
      report.problem(path, path + ": " + v.asText().trim() + " is too large");
      return null;
    }
    report.typeError(path, "an integer", v);
    return null;
  }
}
