package dev.knoe.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ModelFolderTest {

  @TempDir Path dir;

  /**
   * Folders the scoring function, the control plane or the CLI accepted before they shared a rule.
   */
  static Stream<Arguments> accepted() {
    return Stream.of(
        Arguments.of("one file at the top", List.of("model.onnx"), "model.onnx"),
        Arguments.of("one file, any name", List.of("fraud.onnx", "README.md"), "fraud.onnx"),
        Arguments.of("upper-case extension", List.of("FRAUD.ONNX"), "FRAUD.ONNX"),
        Arguments.of("Azure's nesting", List.of("fraud/1/model/m.onnx"), "fraud/1/model/m.onnx"),
        Arguments.of("four levels deep", List.of("a/b/c/m.onnx"), "a/b/c/m.onnx"),
        Arguments.of(
            "several, model.onnx at the top wins",
            List.of("model.onnx", "old/model.onnx", "int8.onnx"),
            "model.onnx"),
        Arguments.of(
            "one at depth four, one too deep",
            List.of("a/b/c/m.onnx", "a/b/c/d/n.onnx"),
            "a/b/c/m.onnx"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("accepted")
  void findsTheModelFile(String name, List<String> files, String expected) throws IOException {
    files.forEach(this::touch);

    assertEquals(dir.resolve(expected), ModelFolder.onnxFile(dir));
  }

  @Test
  void aFileIsItself() {
    Path file = touch("anything.bin");

    assertEquals(file, ModelFolder.onnxFile(file));
  }

  @Test
  void aMissingPathIsNamed() {
    Path missing = dir.resolve("nope");

    var e = assertThrows(IllegalArgumentException.class, () -> ModelFolder.onnxFile(missing));
    assertEquals("model path " + missing + " does not exist", e.getMessage());
  }

  @Test
  void aFolderWithoutOnnxFiles() {
    touch("README.md");
    touch("a/b/c/d/too-deep.onnx");

    var e = assertThrows(IllegalArgumentException.class, () -> ModelFolder.onnxFile(dir));
    assertEquals("model folder " + dir + " holds 0 .onnx files", e.getMessage());
  }

  @Test
  void severalWithoutModelOnnxAtTheTopAreListed() {
    touch("a.onnx");
    touch("sub/model.onnx");

    var e =
        assertThrows(
            IllegalArgumentException.class, () -> ModelFolder.onnxFile(dir, "KNOE_MODEL_DIR"));
    assertEquals(
        "model folder "
            + dir
            + " holds 2 .onnx files ["
            + dir.resolve("a.onnx")
            + ", "
            + dir.resolve("sub/model.onnx")
            + "] and no model.onnx; point KNOE_MODEL_DIR at one of them",
        e.getMessage());
  }

  @Test
  void theSpecSettingIsNamedByDefault() {
    touch("a.onnx");
    touch("b.onnx");

    var e = assertThrows(IllegalArgumentException.class, () -> ModelFolder.onnxFile(dir));
    assertEquals(true, e.getMessage().endsWith("; point model.path at one of them"));
  }

  @Test
  void aFolderNamedLikeAModelIsNotAFile() {
    touch("x.onnx/inner.onnx");

    assertEquals(dir.resolve("x.onnx/inner.onnx"), ModelFolder.onnxFile(dir));
  }

  private Path touch(String relative) {
    try {
      Path file = dir.resolve(relative);
      Files.createDirectories(file.getParent());
      return Files.write(file, new byte[] {1});
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
