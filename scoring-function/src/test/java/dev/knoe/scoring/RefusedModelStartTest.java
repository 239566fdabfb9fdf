package dev.knoe.scoring;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.spi.onnx.Onnx.GraphProto;
import dev.knoe.spi.onnx.Onnx.ModelProto;
import dev.knoe.spi.onnx.Onnx.OperatorSetIdProto;
import dev.knoe.spi.onnx.Onnx.StringStringEntryProto;
import dev.knoe.spi.onnx.Onnx.TensorProto;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A model the registry would refuse is refused at start too, before ONNX Runtime opens it: here one
 * whose weights are read from /etc/passwd, which ONNX Runtime would have loaded.
 */
@QuarkusMainTest
@TestProfile(RefusedModelStartTest.OutsideItsFolder.class)
class RefusedModelStartTest {

  public static class OutsideItsFolder implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      try {
        Path dir = Files.createDirectories(Path.of("target/refused-model-" + System.nanoTime()));
        ModelProto model =
            ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17))
                .setGraph(
                    GraphProto.newBuilder()
                        .setName("g")
                        .addInitializer(
                            TensorProto.newBuilder()
                                .setName("w")
                                .addExternalData(
                                    StringStringEntryProto.newBuilder()
                                        .setKey("location")
                                        .setValue("/etc/passwd"))))
                .build();
        Files.write(dir.resolve("model.onnx"), model.toByteArray());
        return Map.of("knoe.model-dir", dir.toAbsolutePath().toString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Test
  @Launch(
      value = {},
      exitCode = 1)
  void startFailsNamingTheFileAndTheProblem(LaunchResult result) {
    String out = result.getOutput() + result.getErrorOutput();
    assertTrue(
        out.contains("cannot load ONNX model ")
            && out.contains(
                "/model.onnx: graph 'g' initializer 'w' keeps its data at '/etc/passwd', an"
                    + " absolute path; external data must be a relative path inside the model's"
                    + " folder"),
        out);
  }
}
