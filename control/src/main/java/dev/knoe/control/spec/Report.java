package dev.knoe.control.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * What one parse found: problems (all of them, so the author fixes a file in one go) and warnings.
 * A key gets one problem: once {@code traffic.blue} has a type error, the record's own complaint
 * about {@code traffic} (a sum thrown off by the missing value) is left out.
 */
final class Report {

  private final List<String> problems = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private final List<String> paths = new ArrayList<>();

  void problem(String path, String message) {
    paths.add(path);
    problems.add(message);
  }

  void warning(String message) {
    warnings.add(message);
  }

  void typeError(String path, String expected, JsonNode got) {
    problem(path, path + ": expected " + expected + ", got " + describe(got));
  }

  /**
   * Builds a record, turning its {@link SpecException} into problems under {@code prefix} (for
   * records such as {@link Probe} that appear at several places); null when it failed.
   */
  <T> T build(String prefix, Supplier<T> make) {
    try {
      return make.get();
    } catch (SpecException e) {
      var keys = new ArrayList<String>();
      for (String p : e.problems()) {
        String full = prefix.isEmpty() ? p : prefix + "." + p;
        String key = leadingKey(full);
        if (paths.stream().noneMatch(q -> related(q, key))) {
          problems.add(full);
          keys.add(key);
        }
      }
      paths.addAll(keys);
      return null;
    }
  }

  List<String> warnings() {
    return List.copyOf(warnings);
  }

  void throwIfAny() {
    if (!problems.isEmpty()) {
      throw new SpecException(problems);
    }
  }

  static String describe(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return "nothing";
    }
    if (node.isTextual()) {
      return "'" + node.asText() + "'";
    }
    if (node.isArray()) {
      return "a list";
    }
    if (node.isObject()) {
      return "an object";
    }
    return node.asText();
  }

  private static String leadingKey(String message) {
    int i = 0;
    while (i < message.length() && " :=".indexOf(message.charAt(i)) < 0) {
      i++;
    }
    return message.substring(0, i);
  }

  private static boolean related(String a, String b) {
    return a.equals(b) || under(a, b) || under(b, a);
  }

  private static boolean under(String child, String parent) {
    return child.startsWith(parent + ".") || child.startsWith(parent + "[");
  }
}
