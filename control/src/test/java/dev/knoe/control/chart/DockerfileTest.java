package dev.knoe.control.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.control.knative.RenderSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No container engine runs here, so the Dockerfile cannot be built in CI; this keeps it in step
 * with the repository: what it copies from the sources exists, its entry points are the launchers,
 * and its targets are the images the chart and the renderer name.
 */
class DockerfileTest {

  static final Path ROOT = Path.of("..");
  static final Pattern COPY_FROM_BUILD =
      Pattern.compile("^COPY --from=build (?:--chown=\\S+ )?/src/(\\S+) ", Pattern.MULTILINE);

  @Test
  void everythingCopiedFromTheSourcesExistsAndTheEntryPointsAreTheLaunchers() throws Exception {
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    List<String> copied = new ArrayList<>();
    Matcher m = COPY_FROM_BUILD.matcher(dockerfile);
    while (m.find()) {
      copied.add(m.group(1));
    }
    assertTrue(copied.size() >= 6, "COPY lines found: " + copied);
    for (String path : copied) {
      if (path.contains("/target/")) {
        // Built by the first stage: Quarkus's fast-jar folder, which the launchers run.
        assertTrue(path.endsWith("target/quarkus-app"), path);
        String module = path.substring(0, path.indexOf('/'));
        String launcher =
            Files.readString(
                ROOT.resolve(module)
                    .resolve("bin")
                    .resolve(module.equals("control") ? "knoe" : "knoe-scoring-function"));
        assertTrue(
            launcher.contains("/target/quarkus-app"),
            module + "'s launcher runs target/quarkus-app");
      } else {
        assertTrue(
            Files.exists(ROOT.resolve(path)),
            "the Dockerfile copies " + path + ", which is not in the repository");
      }
    }
    assertTrue(dockerfile.contains("ENTRYPOINT [\"/opt/knoe/control/bin/knoe\"]"));
    assertTrue(Files.isExecutable(ROOT.resolve("control/bin/knoe")));
    assertTrue(
        dockerfile.contains(
            "ENTRYPOINT [\"/opt/knoe/scoring-function/bin/knoe-scoring-function\"]"));
    assertTrue(Files.isExecutable(ROOT.resolve("scoring-function/bin/knoe-scoring-function")));
    assertTrue(Files.isExecutable(ROOT.resolve("scoring-function/bin/aot-train")));
    // The chart runs `knoe serve --port 8500` by its arguments; revisions listen on Knative's 8080.
    assertTrue(dockerfile.contains("CMD [\"serve\", \"--port\", \"8500\"]"));
  }

  @Test
  void itsTargetsAreTheImagesTheChartAndTheRendererName() throws Exception {
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    List<String> targets = new ArrayList<>();
    Matcher m = Pattern.compile("^FROM \\S+ AS (\\S+)$", Pattern.MULTILINE).matcher(dockerfile);
    while (m.find()) {
      targets.add(m.group(1));
    }
    assertEquals(
        List.of("build", "control", "scoring-layout", "scoring-function", "scoring-function-cuda"),
        targets);
    assertTrue(dockerfile.contains("-t <registry>/knoe-dev/knoe-scoring-function:0.1.0 ."));
    assertTrue(
        RenderSettings.DEFAULT_SCORING_IMAGE.endsWith("/knoe-dev/knoe-scoring-function:0.1.0"));
    assertTrue(
        RenderSettings.DEFAULT_GPU_SCORING_IMAGE.endsWith(
            "/knoe-dev/knoe-scoring-function:0.1.0-cuda"));
    assertTrue(dockerfile.contains("-t <registry>/knoe-dev/knoe-scoring-function:0.1.0-cuda ."));
  }
}
