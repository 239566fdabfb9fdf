package dev.knoe.scoring;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A corrupt model stops the start with a message naming the file, instead of serving errors. */
@QuarkusMainTest
@TestProfile(CorruptModelStartTest.Corrupt.class)
class CorruptModelStartTest {

  public static class Corrupt implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("knoe.model-dir", TestModels.test("corrupt").toString());
    }
  }

  @Test
  @Launch(
      value = {},
      exitCode = 1)
  void startFailsNamingTheModelFile(LaunchResult result) {
    String out = result.getOutput() + result.getErrorOutput();
    assertTrue(out.contains("cannot load ONNX model") && out.contains("corrupt/model.onnx"), out);
  }
}
