package dev.knoe.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code src/test/python/grpc_client.py} with tritonclient from the project's Python venv:
 * {@code $KNOE_PYTHON_VENV}, else {@code ~/.cache/knoe/pyvenv}, holding {@code pip install
 * 'tritonclient[all]' numpy}. A missing venv fails the test: a skipped third-party check would look
 * like a passing one.
 */
final class TritonClient {

  private TritonClient() {}

  static Path venv() {
    String env = System.getenv("KNOE_PYTHON_VENV");
    return env != null && !env.isBlank()
        ? Path.of(env)
        : Path.of(System.getProperty("user.home"), ".cache", "knoe", "pyvenv");
  }

  /** Runs the script with these arguments; fails the test with its output unless it exits 0. */
  static String run(String... args) throws IOException, InterruptedException {
    Path python = venv().resolve("bin").resolve("python");
    if (!Files.isExecutable(python)) {
      fail(
          "no Python venv with tritonclient at "
              + venv()
              + " (set KNOE_PYTHON_VENV or create it: python3 -m venv ~/.cache/knoe/pyvenv &&"
              + " ~/.cache/knoe/pyvenv/bin/pip install 'tritonclient[all]' numpy)");
    }
    List<String> command =
        new ArrayList<>(List.of(python.toString(), "src/test/python/grpc_client.py"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("KNOE_SAMPLES", TestModels.samples().toString());
    Process p = pb.start();
    p.getOutputStream().close();
    String output;
    try (var in = p.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("grpc_client.py did not finish in 120 s:\n" + output);
    }
    System.out.print(output); // the check count, in the test's report
    if (output.contains("ModuleNotFoundError")) {
      fail(
          "the venv at "
              + venv()
              + " lacks tritonclient or numpy: "
              + venv().resolve("bin/pip")
              + " install 'tritonclient[all]' numpy\n"
              + output);
    }
    assertEquals(0, p.exitValue(), "grpc_client.py " + String.join(" ", args) + ":\n" + output);
    return output;
  }
}
