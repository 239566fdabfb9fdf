package dev.knoe.control.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.control.runtime.local.InstanceSpec;
import dev.knoe.control.runtime.local.Probe;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * When a deployment change restarts its instances (a new generation) and when it only rescales
 * them.
 */
class RollDecisionTest {

  static final Probe PROBE = new Probe(0, 1, 2, 1, 30);

  static InstanceSpec spec(long generation, Map<String, String> env) {
    return new InstanceSpec("ep1", "blue", generation, Path.of("/models/m1"), env, PROBE, PROBE);
  }

  @Test
  void theFastStartThatFollowsMinInstancesDoesNotRoll() {
    // min_instances 0 -> 1: Knoe's derived KNOE_FAST_START goes away; the instances stay.
    assertTrue(
        LocalBackend.sameExceptGeneration(
            spec(1, Map.of("KNOE_FAST_START", "1")), Map.of(), spec(2, Map.of()), Map.of()));
  }

  @Test
  void aFastStartTheUserSetIsTheirsAndRolls() {
    assertFalse(
        LocalBackend.sameExceptGeneration(
            spec(1, Map.of("KNOE_FAST_START", "0")),
            Map.of("KNOE_FAST_START", "0"),
            spec(2, Map.of("KNOE_FAST_START", "1")),
            Map.of("KNOE_FAST_START", "1")));
  }

  @Test
  void otherEnvironmentChangesRoll() {
    assertFalse(
        LocalBackend.sameExceptGeneration(
            spec(1, Map.of("A", "1")),
            Map.of("A", "1"),
            spec(2, Map.of("A", "2")),
            Map.of("A", "2")));
  }

  @Test
  void anotherInstanceTypeRollsItsMemoryBoundIn() {
    InstanceSpec small =
        new InstanceSpec(
            "ep1",
            "blue",
            1,
            Path.of("/models/m1"),
            Map.of(),
            PROBE,
            PROBE,
            List.of("-XX:MaxRAM=2147483648", "-XX:MaxRAMPercentage=50.0"));
    InstanceSpec medium =
        new InstanceSpec(
            "ep1",
            "blue",
            2,
            Path.of("/models/m1"),
            Map.of(),
            PROBE,
            PROBE,
            List.of("-XX:MaxRAM=4294967296", "-XX:MaxRAMPercentage=50.0"));
    assertFalse(LocalBackend.sameExceptGeneration(small, Map.of(), medium, Map.of()));
  }
}
