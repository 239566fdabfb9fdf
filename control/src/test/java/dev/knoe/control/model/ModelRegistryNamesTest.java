package dev.knoe.control.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The registry builds no path from a name the model rule refuses ({@code spec.Names.MODEL}): a 400,
 * and no file made; its own {@code blobs} folder is never a model.
 */
class ModelRegistryNamesTest {

  @TempDir Path root;

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"\0", "..", "a/b", "a\\b", "", "blobs", "BLOBS", ".versions.lock"})
  void badNamesAre400AndMakeNoFile(String name) throws Exception {
    byte[] onnx = Files.readAllBytes(ModelRegistryTest.MODEL);
    ModelRegistry r = new ModelRegistry(root, 1 << 20, Clock.systemUTC());
    for (var call :
        List.<org.junit.jupiter.api.function.Executable>of(
            () -> r.register(name, new ByteArrayInputStream(onnx), null, false),
            () -> r.versions(name),
            () -> r.find(name, 1),
            () -> r.delete(name, 1, v -> false))) {
      assertEquals(400, assertThrows(ModelException.class, call).status());
    }
    assertEquals(List.of(), files());
  }

  @Test
  void theBlobsFolderIsNoModel() throws Exception {
    ModelRegistry r = new ModelRegistry(root, 1 << 20, Clock.systemUTC());
    r.register(
        "fraud",
        new ByteArrayInputStream(Files.readAllBytes(ModelRegistryTest.MODEL)),
        null,
        false);
    Files.createDirectories(root.resolve("lost+found"));
    assertEquals(List.of("fraud"), r.names());
  }

  private List<Path> files() throws Exception {
    try (Stream<Path> all = Files.walk(root)) {
      return all.filter(p -> !p.equals(root)).toList();
    }
  }
}
