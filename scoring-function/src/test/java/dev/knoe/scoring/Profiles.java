package dev.knoe.scoring;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** One Quarkus test profile per model the tests serve. */
public final class Profiles {

  private Profiles() {}

  /** model-1 with a small body limit so 413 is cheap to provoke. */
  public static class Model1 implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "knoe.model-dir",
          TestModels.sample("model-1").toString(),
          "knoe.max-body-bytes",
          "65536",
          "knoe.deployment-name",
          "blue");
    }
  }

  /**
   * No model: the revision behind 100 % of a Knative endpoint whose deployments have no traffic.
   */
  public static class NoTraffic implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("knoe.no-traffic-endpoint", "my-endpoint");
    }
  }

  /** model-1 as deployment blue with a mirror rule file the test rewrites ({@code {}} at start). */
  public static class Mirrored implements QuarkusTestProfile {
    public static final java.nio.file.Path RULE =
        java.nio.file.Path.of("target/mirror-rule-test.json").toAbsolutePath();

    @Override
    public Map<String, String> getConfigOverrides() {
      try {
        java.nio.file.Files.createDirectories(RULE.getParent());
        java.nio.file.Files.writeString(RULE, "{}");
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return Map.of(
          "knoe.model-dir",
          TestModels.sample("model-1").toString(),
          "knoe.deployment-name",
          "blue",
          "knoe.mirror-file",
          RULE.toString());
    }
  }

  /** The classifier with dynamic batching at its defaults. */
  public static class Mlp implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("knoe.model-dir", TestModels.sample("mlp").toString());
    }
  }

  /** Every datatype ONNX Runtime's Java API carries. */
  public static class Types implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("knoe.model-dir", TestModels.test("types").toString());
    }
  }

  /** Two inputs, two outputs; given by file rather than folder, with an explicit name. */
  public static class Multi implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "knoe.model-dir",
          TestModels.test("multi").resolve("model.onnx").toString(),
          "knoe.model-name",
          "adder");
    }
  }

  /** A fixed batch dimension: batching must stay off. */
  public static class Fixed implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("knoe.model-dir", TestModels.test("fixed").toString());
    }
  }
}
