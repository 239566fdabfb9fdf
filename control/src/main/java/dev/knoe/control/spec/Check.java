package dev.knoe.control.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the problems of one record's compact constructor so that all of them are reported
 * together, in one shape: {@code "<key> = <value>, must be at least <min>"}.
 */
final class Check {

  private final List<String> problems = new ArrayList<>();

  void add(String problem) {
    problems.add(problem);
  }

  void atLeast(String key, long value, long min) {
    if (value < min) {
      add(key + " = " + value + ", must be at least " + min);
    }
  }

  void range(String key, long value, long min, long max) {
    atLeast(key, value, min);
    if (value > max) {
      add(key + " = " + value + ", must be at most " + max);
    }
  }

  boolean ok() {
    return problems.isEmpty();
  }

  void throwIfAny() {
    if (!problems.isEmpty()) {
      throw new SpecException(problems);
    }
  }

  /**
   * An unmodifiable copy that keeps the author's order (traffic is shown as written); null is an
   * empty map, and null keys or values are problems.
   */
  <V> Map<String, V> copy(String key, Map<String, V> map) {
    if (map == null) {
      return Map.of();
    }
    var copy = new LinkedHashMap<String, V>();
    map.forEach(
        (k, v) -> {
          if (k == null || v == null) {
            add(key + "." + k + " has no value");
          } else {
            copy.put(k, v);
          }
        });
    return Collections.unmodifiableMap(copy);
  }

  static String nonBlank(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
