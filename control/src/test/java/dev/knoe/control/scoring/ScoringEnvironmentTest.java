package dev.knoe.control.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.knoe.control.spec.AuthMode;
import dev.knoe.control.spec.CodeConfiguration;
import dev.knoe.control.spec.DeploymentSpec;
import dev.knoe.control.spec.ModelRef;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScoringEnvironmentTest {

  static final DeploymentSpec BLUE =
      DeploymentSpec.of("blue", "my-endpoint", ModelRef.registered("fraud", "3"))
          .withEnvironmentVariables(ordered("LOG_LEVEL", "debug", "KNOE_MODEL_NAME", "mine"));

  static final ScoringEnvironment.Pod POD =
      new ScoringEnvironment.Pod(
          AuthMode.KEY, "ep", "/auth/keys", "/auth/token-key.pem", "/auth/events", "/r/m", true);

  @Test
  void aPodListsTheUsersVariablesThenKnoesInTheFirstRenderersOrder() {
    DeploymentSpec spec = BLUE.withCodeConfiguration(new CodeConfiguration("h.jar", "a.B"));

    Map<String, String> env =
        ScoringEnvironment.variables(spec, "ep", "/m/model.onnx", "fraud", "/c/h.jar", POD);

    assertEquals(
        List.of(
            "LOG_LEVEL=debug",
            // The user's KNOE_MODEL_NAME keeps its place and gets Knoe's value.
            "KNOE_MODEL_NAME=fraud",
            "KNOE_MODEL_DIR=/m/model.onnx",
            "KNOE_ENDPOINT_NAME=ep",
            "KNOE_DEPLOYMENT_NAME=blue",
            "KNOE_BATCH_MAX_SIZE=32",
            "KNOE_BATCH_MAX_DELAY_MS=2",
            "KNOE_AUTH=required",
            "KNOE_JWT_AUDIENCE=ep",
            "KNOE_MIRROR_FILE=/r/m",
            "KNOE_EVENTS_TOKEN_FILE=/auth/events",
            "KNOE_KEYS_FILE=/auth/keys",
            "KNOE_DEVICE=cuda",
            "KNOE_HANDLER_PATH=/c/h.jar",
            "KNOE_HANDLER_CLASS=a.B"),
        env.entrySet().stream().map(Object::toString).toList());
  }

  @Test
  void aTokenEndpointIsToldOnlyAboutTheTokenKey() {
    var pod =
        new ScoringEnvironment.Pod(
            AuthMode.AML_TOKEN, "ep", "/auth/keys", "/auth/token-key.pem", "/e", "/r", false);

    Map<String, String> env = ScoringEnvironment.ofInstance("ep", "blue", "/m", pod);

    assertEquals("/auth/token-key.pem", env.get("KNOE_JWT_PUBLIC_KEY_FILE"));
    assertEquals(false, env.containsKey("KNOE_KEYS_FILE"));
    assertEquals(false, env.containsKey("KNOE_DEVICE"));
  }

  @Test
  void aLocalInstanceChecksNothingItself() {
    assertEquals(
        Map.of(
            "KNOE_MODEL_DIR", "/m",
            "KNOE_ENDPOINT_NAME", "ep",
            "KNOE_DEPLOYMENT_NAME", "blue",
            "KNOE_AUTH", "none"),
        ScoringEnvironment.ofInstance("ep", "blue", "/m", new ScoringEnvironment.Loopback()));
    assertEquals(
        Map.of("KNOE_BATCH_MAX_SIZE", "32", "KNOE_BATCH_MAX_DELAY_MS", "2", "KNOE_MODEL_NAME", "f"),
        ScoringEnvironment.ofDeployment(BLUE, "f", null));
  }

  private static Map<String, String> ordered(String... keysAndValues) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }
}
