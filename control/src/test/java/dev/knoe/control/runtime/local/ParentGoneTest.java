package dev.knoe.control.runtime.local;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An instance whose {@code knoe serve} was killed while it started ({@code KNOE_PARENT_PID} names a
 * process gone by the time the model is loaded) stops at once, instead of serving as an orphan for
 * good: CrashConsistencyIT's kills left such ones behind. The real scoring function, started by its
 * launcher script as the local backend starts it.
 */
class ParentGoneTest {

  @TempDir Path dir;

  @Test
  void anInstanceWhoseParentIsAlreadyGoneStops() throws Exception {
    Path root = Path.of(System.getProperty("samples.dir", "../samples")).toAbsolutePath();
    root = root.normalize().getParent();
    Path scoringHome = root.resolve("scoring-function");
    assertTrue(
        Files.exists(scoringHome.resolve(ProcessLauncher.JAR)),
        "build the scoring function first with `./mvnw install -DskipTests` in " + root);
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    long parent = gone.pid();

    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path log = dir.resolve("instance.log");
    ProcessBuilder pb =
        new ProcessBuilder(ProcessLauncher.scoringCommand(scoringHome, java))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().clear();
    pb.environment().put("PATH", java.getParent() + ":/usr/local/bin:/usr/bin:/bin");
    pb.environment().put("KNOE_APP_DIR", scoringHome.resolve("target/quarkus-app").toString());
    pb.environment().put("KNOE_MODEL_DIR", root.resolve("samples/models/model-1/model").toString());
    pb.environment().put("KNOE_PARENT_PID", Long.toString(parent));
    pb.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
    pb.environment().put("QUARKUS_HTTP_PORT", "0");
    Process instance = pb.start();
    try {
      // Generous for a busy machine: it stops as soon as its model is loaded, in seconds.
      boolean stopped = instance.waitFor(90, TimeUnit.SECONDS);
      String out = Files.readString(log);
      assertTrue(stopped, "still running 90 s after its start:\n" + out);
      assertTrue(out.contains("Parent process " + parent + " is gone; stopping"), out);
    } finally {
      instance.destroyForcibly();
    }
  }
}
