package dev.knoe.control.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real {@code knoe serve} process from the packaged app, on a free port, with its own data
 * directory.
 */
final class KnoeServe implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Path APP = Path.of(System.getProperty("control.app.dir", "target/quarkus-app"));
  static final Path SAMPLES =
      Path.of(System.getProperty("samples.dir", "../samples")).toAbsolutePath().normalize();

  final Path dataDir;

  /**
   * Picked free, then bound by knoe serve: another process can take it in between, so start() may
   * pick again.
   */
  volatile int port;

  final Path log;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Map<String, String> env;
  private Process process;

  KnoeServe(Path dataDir, Map<String, String> env) throws IOException {
    this.dataDir = dataDir;
    this.env = env;
    port = freePort();
    log = dataDir.resolveSibling(dataDir.getFileName() + "-serve.log");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  KnoeServe start() throws Exception {
    for (int attempt = 1; ; attempt++) {
      long logged = Files.exists(log) ? Files.size(log) : 0;
      try {
        return startOnce();
      } catch (IllegalStateException e) {
        String tail = Files.readString(log).substring((int) logged);
        if (attempt == 3 || !tail.contains("seems to be in use")) {
          throw e;
        }
        port = freePort(); // taken between the pick and the bind
      }
    }
  }

  private KnoeServe startOnce() throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                APP.resolve("quarkus-run.jar").toString(),
                "serve",
                "--port",
                Integer.toString(port),
                "--data-dir",
                dataDir.toString()));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
    pb.environment().put("KNOE_DATA_DIR", dataDir.toString());
    pb.environment()
        .put(
            "KNOE_CLI_CONFIG",
            dataDir.resolveSibling(dataDir.getFileName() + "-cli.json").toString());
    pb.environment()
        .put("KNOE_SCORING_HOME", System.getProperty("scoring.home", "../scoring-function"));
    process = pb.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("knoe serve exited: " + Files.readString(log));
      }
      try {
        if (api("GET", "/api/v1/endpoints", null).statusCode() == 200) {
          return this;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("knoe serve did not answer in 60 s: " + Files.readString(log));
  }

  String adminKey() throws IOException {
    return Files.readString(dataDir.resolve("admin-key")).trim();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  HttpResponse<String> api(String method, String path, String json) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path))
            .header("Authorization", "Bearer " + adminKey())
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode ok(String method, String path, String json) throws Exception {
    HttpResponse<String> r = api(method, path, json);
    if (r.statusCode() / 100 != 2) {
      throw new AssertionError(method + " " + path + " -> " + r.statusCode() + ": " + r.body());
    }
    return r.body().isEmpty() ? null : JSON.readTree(r.body());
  }

  HttpResponse<String> score(String endpoint, String credential, String deployment, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri("/endpoints/" + endpoint + "/score"))
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json");
    if (credential != null) {
      b.header("Authorization", "Bearer " + credential);
    }
    if (deployment != null) {
      b.header("azureml-model-deployment", deployment);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The instance process listening on {@code port}: a child of knoe serve started with {@code
   * QUARKUS_HTTP_PORT=<port>} (read from /proc, so Linux only).
   */
  ProcessHandle instance(int port) throws IOException {
    for (ProcessHandle child : process.toHandle().descendants().toList()) {
      Path environ = Path.of("/proc", Long.toString(child.pid()), "environ");
      if (Files.isReadable(environ)
          && List.of(new String(Files.readAllBytes(environ)).split("\0"))
              .contains("QUARKUS_HTTP_PORT=" + port)) {
        return child;
      }
    }
    throw new IllegalStateException("no instance of knoe serve listens on port " + port);
  }

  /** Simulates a crash: no shutdown hook runs; instances notice their parent is gone and stop. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  @Override
  public void close() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
