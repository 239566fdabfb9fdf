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
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

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

  /** A client of this server; with TLS, one that trusts its certificate (once it exists). */
  volatile HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Map<String, String> env;
  private final List<String> args;
  private Process process;

  KnoeServe(Path dataDir, Map<String, String> env) throws IOException {
    this(dataDir, env, List.of());
  }

  /** With more arguments for {@code knoe serve}, e.g. {@code --tls-self-signed}. */
  KnoeServe(Path dataDir, Map<String, String> env, List<String> args) throws IOException {
    this.dataDir = dataDir;
    this.env = env;
    this.args = args;
    port = freePort();
    log = dataDir.resolveSibling(dataDir.getFileName() + "-serve.log");
  }

  boolean tls() {
    return args.contains("--tls-self-signed");
  }

  /** The self-signed certificate {@code knoe serve --tls-self-signed} makes. */
  Path certificate() {
    return dataDir.resolve("tls").resolve("cert.pem");
  }

  /** The CLI config {@code knoe serve} writes. */
  Path cliConfig() {
    return dataDir.resolveSibling(dataDir.getFileName() + "-cli.json");
  }

  /** A client trusting only the certificates of a PEM file. */
  static HttpClient trusting(Path pem) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (var in = Files.newInputStream(pem)) {
      int n = 0;
      for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca-" + n++, c);
      }
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).sslContext(ssl).build();
  }

  /** What a {@code knoe} CLI process printed, and its exit code. */
  record CliRun(int exit, String out, String err) {}

  /**
   * Runs the packaged {@code knoe} CLI as a process with these variables (and no others of ours).
   */
  static CliRun cli(Map<String, String> env, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                APP.resolve("quarkus-run.jar").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("KNOE_"));
    pb.environment().putAll(env);
    Path out = Files.createTempFile("knoe-cli", ".out");
    Path err = Files.createTempFile("knoe-cli", ".err");
    try {
      Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(600, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("knoe " + String.join(" ", args) + " did not finish");
      }
      return new CliRun(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
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
    cmd.addAll(args);
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
    pb.environment().put("KNOE_DATA_DIR", dataDir.toString());
    pb.environment().put("KNOE_CLI_CONFIG", cliConfig().toString());
    pb.environment()
        .put("KNOE_SCORING_HOME", System.getProperty("scoring.home", "../scoring-function"));
    process = pb.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("knoe serve exited: " + Files.readString(log));
      }
      if (tls() && Files.exists(certificate())) {
        http = trusting(certificate()); // made by knoe serve before it listens
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
    return URI.create((tls() ? "https" : "http") + "://127.0.0.1:" + port + path);
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
