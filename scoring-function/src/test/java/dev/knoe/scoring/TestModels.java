package dev.knoe.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Paths of the sample and test models, and their expected outputs computed with numpy. */
public final class TestModels {

  public static final ObjectMapper JSON = new ObjectMapper();

  private TestModels() {}

  public static Path samples() {
    return Path.of(System.getProperty("samples.dir", "../samples")).toAbsolutePath().normalize();
  }

  /** A sample model folder: model-1, model-2 or mlp. */
  public static Path sample(String name) {
    return samples().resolve("models").resolve(name).resolve("model");
  }

  /** A test model folder under src/test/resources/models. */
  public static Path test(String name) {
    return Path.of("src/test/resources/models", name).toAbsolutePath();
  }

  public static JsonNode expected(Path modelFolder) {
    Path file =
        modelFolder.getFileName().toString().equals("model")
            ? modelFolder.getParent().resolve("expected.json")
            : modelFolder.resolve("expected.json");
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
