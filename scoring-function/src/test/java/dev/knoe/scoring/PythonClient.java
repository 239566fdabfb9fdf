package dev.knoe.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Python client scripts under {@code src/test/python} as real child processes, with the
 * venv {@code .ci/run} makes ({@code tritonclient[all]}, numpy): {@code $KNOE_PYTHON_VENV}, else
 * {@code ~/.cache/knoe/pyvenv}. A missing venv fails the test, never skips it: CI must run them.
 */
public final class PythonClient {

  /** The tritonclient.http check, {@code tritonclient_check.py URL MODEL CASE}. */
  public static final Path TRITON_CHECK =
      Path.of("src/test/python/tritonclient_check.py").toAbsolutePath();

  /** The tritonclient.grpc check, {@code grpc_client.py HOST:PORT MODEL [KEY]}. */
  public static final Path GRPC_CHECK = Path.of("src/test/python/grpc_client.py").toAbsolutePath();

  private PythonClient() {}

  public static Path venv() {
    String configured = System.getenv("KNOE_PYTHON_VENV");
    return configured != null && !configured.isBlank()
        ? Path.of(configured)
        : Path.of(System.getProperty("user.home"), ".cache", "knoe", "pyvenv");
  }

  /** The venv's python, or a failed test saying how to make the venv. */
  public static Path python() {
    Path python = venv().resolve("bin").resolve("python");
    if (!Files.isExecutable(python)) {
      fail(
          "no Python venv for the client tests at "
              + venv()
              + " (KNOE_PYTHON_VENV, default ~/.cache/knoe/pyvenv): run .ci/run, or create it with"
              + " python3 -m venv "
              + venv()
              + " && "
              + venv()
              + "/bin/pip install 'tritonclient[all]' numpy");
    }
    return python;
  }

  /**
   * Runs {@code script} with {@code args}; fails the test with the script's output unless it exits
   * 0 within two minutes. Returns its output (stdout and stderr).
   */
  public static String run(Path script, String... args) throws IOException, InterruptedException {
    return run(script, java.util.Map.of(), args);
  }

  /** {@link #run(Path, String...)} with these environment variables added. */
  public static String run(Path script, java.util.Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(python().toString(), script.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process p = builder.start();
    // Read before waiting: a child blocked on a full pipe never exits.
    var output = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(2, TimeUnit.MINUTES), "python did not finish: " + command);
    String out = new String(output, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), () -> String.join(" ", command) + " failed:\n" + out);
    return out;
  }
}
