package dev.knoe.control.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code samples/safe-rollout.sh}, the walk-through with the real CLI, runs to the end against a
 * real {@code knoe serve}.
 */
class SafeRolloutScriptIT {

  @Test
  void scriptRunsToTheEnd() throws Exception {
    Path data =
        Files.createTempDirectory(Path.of("target"), "script-").toAbsolutePath().resolve("data");
    try (KnoeServe serve = new KnoeServe(data, Map.of()).start()) {
      Path log = data.resolveSibling("safe-rollout.log");
      ProcessBuilder pb =
          new ProcessBuilder("bash", KnoeServe.SAMPLES.resolve("safe-rollout.sh").toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      pb.environment()
          .put("KNOE_CONFIG", data.resolveSibling(data.getFileName() + "-cli.json").toString());
      Process p = pb.start();
      assertTrue(p.waitFor(600, TimeUnit.SECONDS), "the script finishes");
      String out = Files.readString(log);
      assertEquals(0, p.exitValue(), out);
      assertTrue(out.contains("the safe rollout ran to the end"), out);
      assertTrue(out.contains("[[-13.875],[10.875]]"), "green answered: " + out);
    }
  }
}
