package dev.knoe.control.knative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import io.fabric8.knative.serving.v1.TrafficTargetBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Names Kubernetes and Knative accept, from Knoe names that may not be, and Knative's own rules.
 */
class KnativeNamesTest {

  @Test
  void revisionNameIsServicePrefixedDeploymentLifeAndGeneration() {
    assertEquals(
        "my-endpoint-blue-7f3a2-3",
        KnativeNames.revision("my-endpoint", "blue", "7F3A2c1e-0b6d-4c4e-9d2a-5e8f0a1b2c3d", 3));
    assertEquals(
        "my-endpoint-blue-3",
        KnativeNames.revision("my-endpoint", "blue", null, 3),
        "render's preview");
  }

  @Test
  void aDeploymentCreatedAgainNeverGetsARevisionNameOfItsEarlierLife() {
    String first =
        KnativeNames.revision("my-endpoint", "blue", "0c1e2d3f-0000-4000-8000-000000000001", 1);
    String again =
        KnativeNames.revision("my-endpoint", "blue", "9a8b7c6d-0000-4000-8000-000000000002", 1);
    assertNotEquals(first, again);
  }

  @Test
  void longestNamesStillFitOneDnsLabelAndKeepThePrefix() {
    String endpoint = "e".repeat(32);
    String deployment = "d".repeat(32);
    String r =
        KnativeNames.revision(endpoint, deployment, "7f3a2c1e-0b6d-4c4e-9d2a-5e8f0a1b2c3d", 123456);
    assertTrue(r.length() <= 63, r + " has " + r.length() + " characters");
    assertTrue(r.startsWith(endpoint + "-") && r.endsWith("-7f3a2-123456"), r);
    assertNotEquals(
        r,
        KnativeNames.revision(
            endpoint, "d".repeat(31) + "x", "7f3a2c1e-0b6d-4c4e-9d2a-5e8f0a1b2c3d", 123456),
        "two long deployments differing at the end keep distinct revisions");
  }

  @Test
  void oneRevisionPatternMatchesEveryLifeAndGenerationOfItsDeploymentAlone() {
    String blue = KnativeNames.revisionPattern("my-endpoint", "blue");

    assertEquals("my-endpoint-blue-[0-9a-f]{5}-[0-9]+", blue);
    for (long generation : new long[] {1, 12, 999_999}) {
      String name =
          KnativeNames.revision(
              "my-endpoint", "blue", "7f3a2c1e-0b6d-4c4e-9d2a-5e8f0a1b2c3d", generation);
      assertTrue(name.matches(blue), name);
      assertFalse(
          KnativeNames.revision("my-endpoint", "blue-2", "7f3a2c1e-0b6d", generation)
              .matches(blue));
    }
    String endpoint = "e".repeat(32);
    String deployment = "d".repeat(32);
    String longest = KnativeNames.revisionPattern(endpoint, deployment);
    for (long generation : new long[] {1, 10, 123_456}) {
      String name = KnativeNames.revision(endpoint, deployment, "abcdef12-0000", generation);
      assertTrue(name.matches(longest), name + " ~ " + longest);
    }
  }

  @Test
  void capitalsAreLoweredWithAHashSoNamesNeverCollide() {
    assertEquals("blue", KnativeNames.tag("my-endpoint", "blue"));
    String upper = KnativeNames.tag("my-endpoint", "Blue");
    assertTrue(upper.matches("blue-[0-9a-f]{4}"), upper);
    assertNotEquals(KnativeNames.service("My-Endpoint"), KnativeNames.service("my-endpoint"));
  }

  @Test
  void triggerNameIsStableForTheSameFilterAndDiffersForAnother() {
    String a = KnativeNames.trigger("ep", "default", Map.of("type", "a", "source", "s"));
    assertEquals(a, KnativeNames.trigger("ep", "default", Map.of("source", "s", "type", "a")));
    assertNotEquals(a, KnativeNames.trigger("ep", "default", Map.of("type", "b")));
  }

  @Test
  void knativeRulesTheSchemaDoesNotSay() {
    Service bad =
        new ServiceBuilder()
            .withNewMetadata()
            .withName("ep")
            .endMetadata()
            .withNewSpec()
            .withNewTemplate()
            .withNewMetadata()
            .withName("other-blue-1")
            .endMetadata()
            .endTemplate()
            .withTraffic(
                new TrafficTargetBuilder()
                    .withRevisionName("ep-blue-1")
                    .withPercent(50L)
                    .withTag("blue")
                    .build(),
                new TrafficTargetBuilder()
                    .withRevisionName("other-green-1")
                    .withPercent(30L)
                    .withTag("blue")
                    .build())
            .endSpec()
            .build();
    List<String> problems = KnativeRules.problems(bad);
    assertTrue(
        problems.contains("spec.template.metadata.name 'other-blue-1' must start with 'ep-'"),
        problems.toString());
    assertTrue(
        problems.contains("spec.traffic[1].revisionName 'other-green-1' must start with 'ep-'"),
        problems.toString());
    assertTrue(problems.contains("spec.traffic[1].tag 'blue' is used twice"), problems.toString());
    assertTrue(
        problems.contains("spec.traffic percentages sum to 80, must be 100"), problems.toString());
  }
}
