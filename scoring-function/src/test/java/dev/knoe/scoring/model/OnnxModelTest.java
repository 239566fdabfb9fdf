package dev.knoe.scoring.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.scoring.TestModels;
import dev.knoe.scoring.codec.ScoreCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Loading real models with real ONNX Runtime: a corrupt file, and CUDA asked for on a machine
 * without a GPU.
 */
class OnnxModelTest {

  static final Path NATIVE = NativeLibraries.defaultDir("1.29.0");

  @Test
  void corruptModelFailsWithAMessageNamingTheFile() {
    Path corrupt = TestModels.test("corrupt").resolve("model.onnx");
    var e =
        assertThrows(
            IllegalStateException.class,
            () -> OnnxModel.load(corrupt, new DevicePlan(false, "test"), 0, 1, NATIVE));
    assertTrue(e.getMessage().startsWith("cannot load ONNX model " + corrupt), e.getMessage());
  }

  /**
   * No GPU here (CI has none): asking for CUDA must unpack and try the CUDA provider, fail, say so,
   * and still serve on CPU with the same answers.
   */
  @Test
  void cudaRequestedWithoutAGpuFallsBackToCpu() throws Exception {
    try (OnnxModel model =
        OnnxModel.load(
            TestModels.sample("model-1").resolve("model.onnx"),
            new DevicePlan(true, "KNOE_DEVICE=cuda"),
            0,
            1,
            NATIVE)) {
      assertEquals("CPU", model.provider());
      byte[] request = Files.readAllBytes(TestModels.samples().resolve("requests/model-1.json"));
      byte[] answer = ScoreCodec.encode(model.run(ScoreCodec.decode(request, model.signature())));
      assertEquals("[[-3.625],[4.625]]", new String(answer, StandardCharsets.UTF_8));
    }
  }

  @Test
  void signatureMarksDynamicBatchDimensions() {
    try (OnnxModel mlp =
            OnnxModel.load(
                TestModels.sample("mlp").resolve("model.onnx"),
                new DevicePlan(false, "t"),
                0,
                1,
                NATIVE);
        OnnxModel fixed =
            OnnxModel.load(
                TestModels.test("fixed").resolve("model.onnx"),
                new DevicePlan(false, "t"),
                0,
                1,
                NATIVE)) {
      assertTrue(mlp.signature().batchable());
      assertEquals(false, fixed.signature().batchable());
    }
  }
}
