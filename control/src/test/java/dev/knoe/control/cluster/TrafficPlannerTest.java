package dev.knoe.control.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.knoe.control.knative.KnativeRenderer;
import dev.knoe.control.knative.RenderSettings;
import dev.knoe.control.spec.EndpointSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The split the Service gets, from the endpoint's traffic, what is Ready, and what routes now. */
class TrafficPlannerTest {

  static final KnativeRenderer RENDERER = new KnativeRenderer(RenderSettings.defaults("knoe"));

  /** "k=v,k=v" → ordered map. */
  static Map<String, String> m(String s) {
    Map<String, String> m = new LinkedHashMap<>();
    if (!s.isEmpty()) {
      for (String kv : s.split(",")) {
        String[] p = kv.split("=");
        m.put(p[0], p[1]);
      }
    }
    return m;
  }

  static Map<String, Integer> ints(String s) {
    Map<String, Integer> m = new LinkedHashMap<>();
    m(s).forEach((k, v) -> m.put(k, Integer.parseInt(v)));
    return m;
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // asked, serving (deployment=revision), current shares, expected targets, waiting
        Arguments.of(
            "everything Ready: the endpoint's split",
            "blue=90,green=10",
            "blue=ep1-blue-1,green=ep1-green-1",
            "blue=100",
            "ep1-blue-1:90:blue ep1-green-1:10:green",
            ""),
        Arguments.of(
            "order: the endpoint's first, then the rest",
            "green=100",
            "blue=ep1-blue-1,green=ep1-green-2",
            "blue=100",
            "ep1-green-2:100:green ep1-blue-1:0:blue",
            ""),
        Arguments.of(
            "nothing asked: 404 revision takes 100 %",
            "", "blue=ep1-blue-1", "", "ep1-blue-1:0:blue ep1-no-traffic:100:null", ""),
        Arguments.of(
            "nothing Ready yet: 404 revision",
            "blue=100",
            "",
            "",
            "ep1-no-traffic:100:null",
            "blue"),
        Arguments.of(
            "green not Ready: shares stay as they are",
            "blue=50,green=50",
            "blue=ep1-blue-1",
            "blue=100",
            "ep1-blue-1:100:blue",
            "green"),
        Arguments.of(
            "a rolled deployment keeps its share on its new revision",
            "blue=50,green=50",
            "blue=ep1-blue-2",
            "blue=100",
            "ep1-blue-2:100:blue",
            "green"),
        Arguments.of(
            "a deployment gone: its share goes to the 404 revision",
            "blue=90,gone=10",
            "blue=ep1-blue-1",
            "blue=90",
            "ep1-blue-1:90:blue ep1-no-traffic:10:null",
            "gone"),
        Arguments.of(
            "0 % asked of something not Ready changes nothing",
            "blue=100,green=0", "blue=ep1-blue-1", "blue=100", "ep1-blue-1:100:blue", ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void plan(
      String name, String asked, String serving, String current, String expected, String waiting) {
    EndpointSpec e = EndpointSpec.of("ep1").withTraffic(ints(asked));
    TrafficPlanner.Plan p = TrafficPlanner.plan(RENDERER, e, m(serving), ints(current));
    assertEquals(
        expected,
        String.join(
            " ",
            p.targets().stream()
                .map(t -> t.getRevisionName() + ":" + t.getPercent() + ":" + t.getTag())
                .toList()));
    assertEquals(waiting.isEmpty() ? List.of() : List.of(waiting.split(",")), p.waitingFor());
    assertEquals(expected.contains("no-traffic"), p.usesPlaceholder());
    assertEquals(100L, p.targets().stream().mapToLong(t -> t.getPercent()).sum());
  }
}
