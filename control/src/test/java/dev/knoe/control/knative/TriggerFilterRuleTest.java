package dev.knoe.control.knative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.control.spec.SpecException;
import dev.knoe.control.spec.Trigger;
import dev.knoe.control.upstream.KnativeJudge;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The API refuses the trigger filters Knative Eventing's Trigger webhook would refuse, with the
 * same rule in its message: each attribute name is given to both, Knoe's spec and Eventing's own
 * validation (v0.50.0), and their answers compared.
 */
class TriggerFilterRuleTest {

  @ParameterizedTest(name = "{0}: Knoe {1}, Eventing {2}")
  @CsvSource({
    "type, accepts, accepts",
    "source, accepts, accepts",
    "x1, accepts, accepts",
    "abcdefghijklmnopqrst, accepts, accepts",
    // Knoe keeps CloudEvents' 20 characters; Eventing has no length rule.
    "abcdefghijklmnopqrstu, refuses, accepts",
    "1abc, refuses, refuses",
    "Type, refuses, refuses",
    "my-attr, refuses, refuses",
    "my_attr, refuses, refuses",
    "ü, refuses, refuses",
  })
  void knoeRefusesWhatEventingRefuses(String attribute, String knoe, String eventing) {
    String knoeSays;
    try {
      new Trigger("default", Map.of(attribute, "x"));
      knoeSays = "accepts";
    } catch (SpecException e) {
      knoeSays = "refuses";
      assertTrue(
          e.getMessage()
              .contains(
                  "filter attribute '"
                      + attribute
                      + "' must start with a letter and can only"
                      + " contain lowercase alphanumeric"),
          e.getMessage());
    }
    String yaml =
        """
        apiVersion: eventing.knative.dev/v1
        kind: Trigger
        metadata: {name: t, namespace: ns}
        spec:
          broker: default
          filter: {attributes: {"%s": x}}
          subscriber: {ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: my-endpoint}}
        """
            .formatted(attribute);
    String eventingSays =
        KnativeJudge.judge(yaml).stream().anyMatch(v -> v.outcome().equals("refused"))
            ? "refuses"
            : "accepts";
    assertEquals(eventing, eventingSays, "Knative Eventing's validation");
    assertEquals(knoe, knoeSays, "Knoe's");
  }
}
