package dev.knoe.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.scoring.handler.Handlers;
import dev.knoe.spi.ScoringHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading handlers from a class folder, and the errors a wrong path or class gives. */
class HandlersTest {

  @TempDir Path tmp;

  @Test
  void loadsFromAClassFolder() throws Exception {
    Path classes =
        HandlerBuild.classes(
            TestModels.samples().resolve("handlers/mlp-labels/src/main/java"), tmp);
    ScoringHandler h = Handlers.load(classes, "com.example.knoe.MlpLabels");
    assertEquals("com.example.knoe.MlpLabels", h.getClass().getName());
  }

  @Test
  void errorsNameThePathAndTheClass() throws Exception {
    var missing =
        assertThrows(
            IllegalStateException.class, () -> Handlers.load(tmp.resolve("nope.jar"), "a.B"));
    assertTrue(
        missing.getMessage().contains("nope.jar")
            && missing.getMessage().contains("does not exist"),
        missing.getMessage());
    Files.createDirectories(tmp.resolve("empty"));
    var noClass =
        assertThrows(
            IllegalStateException.class,
            () -> Handlers.load(tmp.resolve("empty"), "com.example.Missing"));
    assertTrue(noClass.getMessage().contains("com.example.Missing"), noClass.getMessage());
    var notAHandler =
        assertThrows(
            IllegalStateException.class,
            () -> Handlers.load(tmp.resolve("empty"), "java.lang.String"));
    assertTrue(
        notAHandler.getMessage().contains("does not implement dev.knoe.spi.ScoringHandler"),
        notAHandler.getMessage());
  }
}
