package dev.knoe.control.runtime.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InstanceSpecTest {

  private static InstanceSpec spec(String deployment, Map<String, String> env) {
    return new InstanceSpec(
        "my-endpoint", deployment, 1, Path.of("m"), env, Probe.AZURE_DEFAULT, Probe.AZURE_DEFAULT);
  }

  @Test
  void reservedVariablesAreRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> spec("blue", Map.of("QUARKUS_HTTP_PORT", "80")));
    assertEquals(
        "environment variable QUARKUS_HTTP_PORT is set by the local runtime, a deployment cannot set it",
        e.getMessage());
  }

  @Test
  void namesAreSafeFolderNames() {
    assertThrows(IllegalArgumentException.class, () -> spec("../etc", Map.of()));
    assertThrows(IllegalArgumentException.class, () -> spec("blue-", Map.of()));
    assertEquals("blue-2", spec("blue-2", Map.of("LOG_LEVEL", "debug")).deployment());
  }

  @Test
  void envIsCopied() {
    java.util.HashMap<String, String> env = new java.util.HashMap<>(Map.of("A", "1"));
    InstanceSpec s = spec("blue", env);
    env.put("B", "2");
    assertEquals(Map.of("A", "1"), s.env());
  }
}
