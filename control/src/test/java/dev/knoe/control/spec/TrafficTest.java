package dev.knoe.control.spec;

import static dev.knoe.control.spec.Yaml.assertProblems;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The CLI's --traffic flag and the rules that need the endpoint's deployments. */
class TrafficTest {

  record Flag(String name, String text, Map<String, Integer> expected, List<String> problems) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Map<String, Integer> ordered(Object... pairs) {
    var map = new LinkedHashMap<String, Integer>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put((String) pairs[i], (Integer) pairs[i + 1]);
    }
    return map;
  }

  static Stream<Flag> flags() {
    return Stream.of(
        new Flag("spaces", "blue=90 green=10", ordered("blue", 90, "green", 10), null),
        new Flag("commas", "green=10,blue=90", ordered("green", 10, "blue", 90), null),
        new Flag(
            "commas and spaces, a % sign",
            " blue=90%, green=10 ", ordered("blue", 90, "green", 10), null),
        new Flag("one deployment", "blue=100", ordered("blue", 100), null),
        new Flag(
            "nothing",
            "  ",
            null,
            List.of("traffic is empty; give name=percent pairs, e.g. \"blue=90 green=10\"")),
        new Flag(
            "a name alone",
            "blue green=10",
            null,
            List.of("traffic entry 'blue' is not name=percent, e.g. blue=90")),
        new Flag(
            "a word for a number",
            "blue=ninety",
            null,
            List.of("traffic entry 'blue=ninety': 'ninety' is not a whole number of percent")),
        new Flag(
            "a name twice, a value missing",
            "blue=50 blue=50 green=",
            null,
            List.of(
                "traffic names 'blue' twice",
                "traffic entry 'green=' is not name=percent, e.g. blue=90")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("flags")
  void parsesTheFlag(Flag c) {
    if (c.problems() == null) {
      Map<String, Integer> parsed = SpecParser.parseTraffic(c.text());
      assertEquals(c.expected(), parsed);
      assertEquals(List.copyOf(c.expected().keySet()), List.copyOf(parsed.keySet()));
    } else {
      assertProblems(c.problems(), () -> SpecParser.parseTraffic(c.text()));
    }
  }

  record Existing(
      String name,
      Map<String, Integer> traffic,
      Map<String, Integer> mirror,
      Set<String> deployments,
      List<String> problems) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Existing> existing() {
    return Stream.of(
        new Existing(
            "all exist",
            Map.of("blue", 90, "green", 10),
            Map.of(),
            Set.of("blue", "green"),
            List.of()),
        new Existing(
            "a misspelt deployment",
            ordered("blue", 90, "gren", 10),
            Map.of(),
            Set.of("green", "blue"),
            List.of(
                "traffic names deployment 'gren', which does not exist on endpoint 'x'"
                    + " (deployments: blue, green)")),
        new Existing(
            "a mirror to a deployment that is gone",
            Map.of("blue", 100),
            Map.of("red", 10),
            Set.of("blue"),
            List.of(
                "mirror_traffic names deployment 'red', which does not exist on endpoint 'x'"
                    + " (deployments: blue)")),
        new Existing(
            "an endpoint without deployments",
            Map.of("blue", 100),
            Map.of(),
            Set.of(),
            List.of(
                "traffic names deployment 'blue', which does not exist on endpoint 'x'"
                    + " (deployments: none)")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("existing")
  void checksNamesAgainstTheDeployments(Existing c) {
    assertEquals(
        c.problems(), SpecParser.checkTraffic("x", c.traffic(), c.mirror(), c.deployments()));
  }

  @Test
  void allowsTwentyDeployments() {
    Set<String> nineteen =
        IntStream.range(0, 19).mapToObj(i -> "d-" + i + "x").collect(Collectors.toSet());
    Set<String> twenty =
        IntStream.range(0, 20).mapToObj(i -> "d-" + i + "x").collect(Collectors.toSet());

    assertEquals(Optional.empty(), SpecParser.checkDeploymentLimit("x", nineteen, "new"));
    assertEquals(Optional.empty(), SpecParser.checkDeploymentLimit("x", twenty, "d-3x"));
    assertEquals(
        Optional.of(
            "endpoint 'x' has 20 deployments, the most an endpoint may have (20); delete one"
                + " before creating new"),
        SpecParser.checkDeploymentLimit("x", twenty, "new"));
  }
}
