package dev.knoe.control.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * schemathesis (PyPI), a third-party property-based API tester, against a real {@code knoe serve}:
 * its control API's OpenAPI document ({@code /api/v1/openapi.json}, with the admin key), and a real
 * scoring function's ({@code /swagger.json} of an endpoint serving {@code samples/models/model-1},
 * reached through the router with the endpoint's key). The checks: {@code not_a_server_error} (no
 * 5xx, whatever the input) and {@code response_schema_conformance} (every answer as its document
 * says). A finding fails the test with schemathesis' report, which has a curl line to reproduce it.
 *
 * <p>Budget: {@code schemathesis.max-examples} cases per operation of the control API (default 20;
 * ten times that for the scoring function's one operation), about a minute for both runs on 2
 * cores, generated deterministically (the same cases every run; {@code schemathesis.seed} draws
 * random ones from that seed instead), e.g. {@code -Dschemathesis.max-examples=1000
 * -Dschemathesis.seed=$RANDOM} runs longer. schemathesis comes from the tests' Python venv ({@code
 * KNOE_PYTHON_VENV}, default {@code ~/.cache/knoe/pyvenv}, made by {@code .ci/run}); without it the
 * test fails saying how to make it.
 */
class SchemathesisIT {

  /** The version .ci/run pins; the report formats and check names are this version's. */
  static final String VERSION = "4.32.5";

  static final int MAX_EXAMPLES = Integer.getInteger("schemathesis.max-examples", 20);

  /** Null: deterministic generation, the same cases every run. */
  static final Long SEED = Long.getLong("schemathesis.seed");

  @TempDir static Path tmp;
  static KnoeServe serve;
  static String endpointKey;

  @BeforeAll
  static void serveAModel() throws Exception {
    schemathesis(); // fail at once, before starting anything, when the venv lacks it
    serve = new KnoeServe(tmp.resolve("data"), Map.of()).start();
    serve.ok("POST", "/api/v1/endpoints", "{\"name\": \"my-endpoint\", \"auth_mode\": \"key\"}");
    SafeRolloutIT.deploy(serve, "blue", "model-1", 1);
    serve.ok(
        "PUT",
        "/api/v1/endpoints/my-endpoint",
        "{\"name\": \"my-endpoint\", \"traffic\": {\"blue\": 100}}");
    endpointKey =
        serve.ok("GET", "/api/v1/endpoints/my-endpoint/keys", null).path("primaryKey").asText();
  }

  @AfterAll
  static void stop() throws Exception {
    if (serve != null) {
      serve.close();
    }
  }

  @Test
  void controlApiAnswersNo5xxAndAsItsDocumentSays() throws Exception {
    run("control-api", "/api/v1/openapi.json", "", serve.adminKey(), MAX_EXAMPLES);
  }

  @Test
  void scoringFunctionAnswersNo5xxAndAsItsDocumentSays() throws Exception {
    // One operation (/score) against the control API's 22: ten times the cases, still seconds.
    run(
        "scoring-function",
        "/endpoints/my-endpoint/swagger.json",
        "/endpoints/my-endpoint",
        endpointKey,
        10 * MAX_EXAMPLES);
  }

  /** One schemathesis run; fails with its report on any finding. */
  private static void run(
      String name, String document, String base, String credential, int maxExamples)
      throws Exception {
    Path reports = Path.of("target", "schemathesis", name).toAbsolutePath();
    Files.createDirectories(reports);
    List<String> command =
        new ArrayList<>(
            List.of(
                schemathesis().toString(),
                "--no-color",
                "run",
                serve.uri(document).toString(),
                "--url",
                serve.uri(base).toString(),
                "--header",
                "Authorization: Bearer " + credential,
                "--checks",
                "not_a_server_error,response_schema_conformance",
                "--max-examples",
                Integer.toString(maxExamples),
                "--workers",
                "1",
                "--request-timeout",
                "30",
                "--report",
                "junit",
                "--report-dir",
                reports.toString()));
    // The same cases every run, unless a seed asks for other ones.
    command.addAll(
        SEED == null
            ? List.of("--generation-deterministic")
            : List.of("--seed", SEED.toString(), "--generation-database", "none"));
    Process p =
        new ProcessBuilder(command)
            .directory(reports.toFile())
            .redirectErrorStream(true)
            // schemathesis writes its report with rich text; the test log is plain.
            .redirectOutput(reports.resolve("output.txt").toFile())
            .start();
    boolean done = p.waitFor(5, TimeUnit.MINUTES);
    if (!done) {
      p.destroyForcibly();
    }
    String output = Files.readString(reports.resolve("output.txt"), StandardCharsets.UTF_8);
    // The key is in every curl line of the report: it is this test's own, and dies with it.
    assertTrue(done, "schemathesis did not finish in 5 minutes:\n" + output);
    assertEquals(
        0,
        p.exitValue(),
        () ->
            "schemathesis found problems in "
                + name
                + " (report in "
                + reports
                + "; knoe serve's log in "
                + serve.log
                + "):\n"
                + output);
  }

  /** The venv's schemathesis at {@link #VERSION}, or a failed test saying how to get it. */
  static Path schemathesis() throws Exception {
    String configured = System.getenv("KNOE_PYTHON_VENV");
    Path venv =
        configured != null && !configured.isBlank()
            ? Path.of(configured)
            : Path.of(System.getProperty("user.home"), ".cache", "knoe", "pyvenv");
    Path cli = venv.resolve("bin").resolve("schemathesis");
    String make =
        ": run .ci/run, or "
            + venv.resolve("bin").resolve("pip")
            + " install schemathesis=="
            + VERSION
            + " (KNOE_PYTHON_VENV moves the venv, default ~/.cache/knoe/pyvenv)";
    if (!Files.isExecutable(cli)) {
      fail("no schemathesis in the Python venv " + venv + make);
    }
    Process p = new ProcessBuilder(cli.toString(), "--version").redirectErrorStream(true).start();
    String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor(1, TimeUnit.MINUTES);
    if (!version.endsWith(" " + VERSION)) {
      fail("the venv's schemathesis is '" + version + "', the tests need " + VERSION + make);
    }
    return cli;
  }
}
