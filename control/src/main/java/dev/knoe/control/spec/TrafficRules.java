package dev.knoe.control.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The traffic rules, in one place for {@link EndpointSpec} and {@link SpecParser}. */
final class TrafficRules {

  static final int MAX_MIRROR_PERCENT = 50;

  private TrafficRules() {}

  /**
   * Rules the endpoint can check alone: ranges, the sum, and mirror targets without live traffic.
   */
  static void checkShape(Check check, Map<String, Integer> traffic, Map<String, Integer> mirror) {
    boolean inRange = true;
    for (var e : traffic.entrySet()) {
      inRange &= percent(check, "traffic", e.getKey(), e.getValue(), 100);
    }
    int sum = traffic.values().stream().mapToInt(Integer::intValue).sum();
    if (inRange && sum != 0 && sum != 100) {
      check.add(
          "traffic sums to "
              + sum
              + " ("
              + pairs(traffic)
              + "); it must sum to 100, or 0 to send"
              + " no traffic");
    }
    if (mirror.size() > 1) {
      check.add(
          "mirror_traffic names "
              + mirror.size()
              + " deployments ("
              + pairs(mirror)
              + "); mirror_traffic may name one deployment");
    }
    for (var e : mirror.entrySet()) {
      percent(check, "mirror_traffic", e.getKey(), e.getValue(), MAX_MIRROR_PERCENT);
      int live = traffic.getOrDefault(e.getKey(), 0);
      if (live > 0 && e.getValue() > 0) { // mirroring 0 % is no mirror: the way to switch it off
        check.add(
            e.getKey()
                + " has live traffic ("
                + live
                + "); a mirror target must have 0 % live"
                + " traffic");
      }
    }
  }

  private static boolean percent(Check check, String key, String name, int value, int max) {
    if (value < 0) {
      check.add(key + " " + name + "=" + value + " is less than 0");
      return false;
    }
    if (value > max) {
      check.add(key + " " + name + "=" + value + " is more than " + max);
      return false;
    }
    return true;
  }

  static List<String> checkAgainst(
      String endpointName,
      Map<String, Integer> traffic,
      Map<String, Integer> mirror,
      Set<String> deploymentNames) {
    var problems = new ArrayList<String>();
    String known =
        deploymentNames.isEmpty() ? "none" : String.join(", ", new TreeSet<>(deploymentNames));
    addMissing(problems, "traffic", traffic, endpointName, deploymentNames, known);
    addMissing(problems, "mirror_traffic", mirror, endpointName, deploymentNames, known);
    return problems;
  }

  private static void addMissing(
      List<String> problems,
      String key,
      Map<String, Integer> map,
      String endpointName,
      Set<String> deploymentNames,
      String known) {
    for (String name : map.keySet()) {
      if (!deploymentNames.contains(name)) {
        problems.add(
            key
                + " names deployment '"
                + name
                + "', which does not exist on endpoint '"
                + endpointName
                + "' (deployments: "
                + known
                + ")");
      }
    }
  }

  static Map<String, Integer> parse(String text) {
    var problems = new ArrayList<String>();
    var result = new LinkedHashMap<String, Integer>();
    String trimmed = text == null ? "" : text.trim();
    if (trimmed.isEmpty()) {
      throw new SpecException(
          "traffic is empty; give name=percent pairs, e.g. \"blue=90 green=10\"");
    }
    for (String entry : trimmed.split("[\\s,]+")) {
      int eq = entry.indexOf('=');
      if (eq <= 0 || eq == entry.length() - 1) {
        problems.add("traffic entry '" + entry + "' is not name=percent, e.g. blue=90");
        continue;
      }
      String name = entry.substring(0, eq);
      String number = entry.substring(eq + 1);
      if (number.endsWith("%")) {
        number = number.substring(0, number.length() - 1);
      }
      int percent;
      try {
        percent = Integer.parseInt(number);
      } catch (NumberFormatException e) {
        problems.add(
            "traffic entry '" + entry + "': '" + number + "' is not a whole number of percent");
        continue;
      }
      if (result.put(name, percent) != null) {
        problems.add("traffic names '" + name + "' twice");
      }
    }
    if (!problems.isEmpty()) {
      throw new SpecException(problems);
    }
    return result;
  }

  static String pairs(Map<String, Integer> map) {
    return map.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(", "));
  }
}
