package dev.knoe.autoscaler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScalingPolicyTest {

  private static final ScalingPolicy BASE = ScalingPolicy.builder().build();

  @Test
  void defaultsAreKnativeConfigAutoscaler() {
    assertEquals(Duration.ofSeconds(60), BASE.stableWindow());
    assertEquals(Duration.ofSeconds(6), BASE.panicWindow());
    assertEquals(200, BASE.panicThresholdPercentage());
    assertEquals(1000, BASE.maxScaleUpRate());
    assertEquals(2, BASE.maxScaleDownRate());
    assertEquals(Duration.ofSeconds(30), BASE.scaleToZeroGracePeriod());
    assertEquals(100, BASE.target(), "no containerConcurrency: Knative's default target");
    assertEquals(70, BASE.effectiveTarget(), 1e-9);
  }

  @Test
  void targetUtilizationDeploymentBecomesAnnotations() {
    // scale_settings: {type: target_utilization, min_instances: 0, max_instances: 5,
    // target_utilization_percentage: 60}, instance_count: 2, max_concurrent_requests_per_instance:
    // 8
    ScalingPolicy p = ScalingPolicy.forDeployment(BASE, true, 2, 0, 5, 60, 8);
    assertEquals(8 * 0.6, p.effectiveTarget(), 1e-9);
    assertFalse(p.fixed());
    Map<String, String> a = p.annotations();
    assertEquals("kpa.autoscaling.knative.dev", a.get("autoscaling.knative.dev/class"));
    assertEquals("concurrency", a.get("autoscaling.knative.dev/metric"));
    assertEquals("8", a.get("autoscaling.knative.dev/target"));
    assertEquals("60", a.get("autoscaling.knative.dev/target-utilization-percentage"));
    assertEquals("0", a.get("autoscaling.knative.dev/min-scale"));
    assertEquals("5", a.get("autoscaling.knative.dev/max-scale"));
    assertEquals("2", a.get("autoscaling.knative.dev/initial-scale"));
    assertFalse(
        a.containsKey("autoscaling.knative.dev/activation-scale"),
        "1 is Knative's default, and refused if written");
    assertEquals("60s", a.get("autoscaling.knative.dev/window"));
    assertEquals("0s", a.get("autoscaling.knative.dev/scale-down-delay"));
    assertEquals(8, p.containerConcurrency());
    assertEquals("30s", p.clusterSettings().get("scale-to-zero-grace-period"));
  }

  @Test
  void defaultScalingIsAFixedSize() {
    ScalingPolicy p = ScalingPolicy.forDeployment(BASE, false, 3, 0, 10, 70, 32);
    assertTrue(p.fixed());
    assertEquals("3", p.annotations().get("autoscaling.knative.dev/min-scale"));
    assertEquals("3", p.annotations().get("autoscaling.knative.dev/max-scale"));
    Autoscaler a = new Autoscaler(p);
    for (int s = 0; s < 300; s++) {
      a.record(s * 1000L, s < 100 ? 500 : 0);
      assertEquals(
          3, a.decide(s * 1000L + 999, 3).desired(), "a fixed deployment never changes size");
    }
  }

  @Test
  void windowsAndDelaysAreWholeSecondsAsKnativeTakesThem() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                BASE.toBuilder()
                    .scaleDownDelay(Duration.ofMillis(1500))
                    .stableWindow(Duration.ofMillis(6500))
                    .build());
    assertTrue(e.getMessage().contains("window = 6500ms, must be whole seconds"), e.getMessage());
    assertTrue(
        e.getMessage().contains("scale_down_delay = 1500ms, must be whole seconds"),
        e.getMessage());
    assertEquals(
        "90s",
        BASE.toBuilder()
            .stableWindow(Duration.ofSeconds(90))
            .build()
            .annotations()
            .get("autoscaling.knative.dev/window"));
  }

  /** activation-scale: Knative wants min-scale <= it <= max-scale, and at least 2 when written. */
  @org.junit.jupiter.params.ParameterizedTest(name = "min {0}, max {1}, activation {2} -> {3}")
  @org.junit.jupiter.params.provider.CsvSource({
    "0, 5, 1, -", // Knative's default: not written
    "0, 5, 3, 3",
    "0, 5, 8, 5", // capped at max-scale, as the decision caps it
    "0, 0, 8, 8", // max 0: no limit
    "3, 10, 2, -", // min-scale already keeps 3
    "3, 10, 3, -",
    "3, 10, 4, 4",
    "1, 1, 4, -", // a fixed size of 1
  })
  void activationScaleIsWrittenOnlyWhenKnativeWouldTakeItAndItAddsSomething(
      int min, int max, int activation, String expected) {
    ScalingPolicy p =
        BASE.toBuilder().minScale(min).maxScale(max).activationScale(activation).build();
    assertEquals(
        expected.equals("-") ? null : expected,
        p.annotations().get("autoscaling.knative.dev/activation-scale"));
  }

  @Test
  void invalidKnobsAreNamed() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                BASE.toBuilder()
                    .minScale(3)
                    .maxScale(2)
                    .stableWindow(Duration.ofSeconds(2))
                    .maxScaleDownRate(1)
                    .build());
    assertTrue(
        e.getMessage().contains("max_scale = 2, must be at least min_scale = 3"), e.getMessage());
    assertTrue(e.getMessage().contains("window = PT2S, must be between 6s and 1h"), e.getMessage());
    assertTrue(
        e.getMessage().contains("max_scale_down_rate = 1.0, must be above 1"), e.getMessage());
  }
}
