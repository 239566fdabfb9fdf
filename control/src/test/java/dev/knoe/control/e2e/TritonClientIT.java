package dev.knoe.control.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * tritonclient.http through the router: binary tensor data (and JSON) to {@code
 * /endpoints/<name>/v2/...} of a real {@code knoe serve}, with the endpoint key, answered by a real
 * instance; the router passes the body and {@code Inference-Header-Content-Length} through as they
 * are, both ways. The client and its venv are the scoring function's ({@code PythonClient.java}
 * there, {@code .ci/run} makes the venv).
 */
class TritonClientIT {

  static final Path SCRIPT =
      Path.of(System.getProperty("scoring.home", "../scoring-function"))
          .resolve("src/test/python/tritonclient_check.py")
          .toAbsolutePath();

  static final Path GRPC_SCRIPT = SCRIPT.resolveSibling("grpc_client.py");

  @Test
  void tritonclientBinaryRequestThroughTheRouter() throws Exception {
    Path python = python();
    Path data =
        Files.createTempDirectory(Path.of("target"), "e2e-").toAbsolutePath().resolve("data");
    try (KnoeServe serve = new KnoeServe(data, Map.of()).start()) {
      serve.ok(
          "POST",
          "/api/v1/endpoints",
          KnoeServe.JSON.writeValueAsString(Map.of("name", "my-endpoint")));
      SafeRolloutIT.deploy(serve, "blue", "model-1", 1);
      serve.ok(
          "PUT",
          "/api/v1/endpoints/my-endpoint",
          "{\"name\": \"my-endpoint\", \"traffic\": {\"blue\": 100}}");
      String key =
          serve.ok("GET", "/api/v1/endpoints/my-endpoint/keys", null).get("primaryKey").asText();
      // tritonclient takes a path prefix after host:port and puts v2/models/... under it.
      List<String> command =
          List.of(
              python.toString(),
              SCRIPT.toString(),
              "127.0.0.1:" + serve.port + "/endpoints/my-endpoint",
              "my-endpoint-blue", // the V2 model name of a local deployment:
              // <endpoint>-<deployment>
              "model-1",
              "--header",
              "Authorization=Bearer " + key);
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(2, TimeUnit.MINUTES), "python did not finish");
      assertEquals(0, p.exitValue(), () -> String.join(" ", command) + " failed:\n" + out);
      assertTrue(out.contains("ok binary in, binary out"), out);
      assertTrue(out.contains("ok JSON in, JSON out"), out);

      // tritonclient.grpc through the router: HTTP/2 in, HTTP/2 to the instance, trailers back.
      List<String> grpc =
          List.of(
              python.toString(),
              GRPC_SCRIPT.toString(),
              "127.0.0.1:" + serve.port,
              "router",
              "my-endpoint",
              "my-endpoint-blue",
              key,
              "blue");
      ProcessBuilder builder = new ProcessBuilder(grpc).redirectErrorStream(true);
      builder.environment().put("KNOE_SAMPLES", KnoeServe.SAMPLES.toString());
      Process g = builder.start();
      String grpcOut = new String(g.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(g.waitFor(2, TimeUnit.MINUTES), "python did not finish");
      assertEquals(0, g.exitValue(), () -> String.join(" ", grpc) + " failed:\n" + grpcOut);
      assertTrue(grpcOut.contains("grpc_client router:"), grpcOut);
    }
  }

  /**
   * The venv's python ({@code $KNOE_PYTHON_VENV}, default ~/.cache/knoe/pyvenv), else a failure.
   */
  static Path python() {
    String configured = System.getenv("KNOE_PYTHON_VENV");
    Path venv =
        configured != null && !configured.isBlank()
            ? Path.of(configured)
            : Path.of(System.getProperty("user.home"), ".cache", "knoe", "pyvenv");
    Path python = venv.resolve("bin").resolve("python");
    if (!Files.isExecutable(python)) {
      fail(
          "no Python venv for the client tests at "
              + venv
              + " (KNOE_PYTHON_VENV, default ~/.cache/knoe/pyvenv): run .ci/run, or create it with"
              + " python3 -m venv "
              + venv
              + " && "
              + venv
              + "/bin/pip install 'tritonclient[all]' numpy");
    }
    return python;
  }
}
