package dev.knoe.control.upstream;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A real Kubernetes API server for the tests: upstream etcd and kube-apiserver (built by {@link
 * Upstream}) on free loopback ports in a temp folder, with a generated admin token, Knative's
 * Serving and Eventing CRDs and the chart's CRDs installed. No controller runs: nothing makes pods,
 * and Knative's controllers are played by the tests' FakeKnative.
 *
 * <p>One per JVM, started on first use and stopped when the JVM exits (its processes also exit when
 * the JVM dies, even by kill -9). Quarkus tests load this class again in their own class loader, so
 * the address is shared through system properties, not a static field. Each test class takes a
 * namespace of its own ({@link #newNamespace}).
 */
public final class RealCluster {

  // Not under "knoe.": Quarkus would take it for one of knoe serve's settings, and refuse it.
  private static final String PROPERTY = "dev.knoe.test-apiserver";
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  private final String url;
  private final String token;

  private RealCluster(String url, String token) {
    this.url = url;
    this.token = token;
  }

  /** The JVM's API server, started now if none runs. */
  public static RealCluster shared() {
    // One lock for every class loader's copy of this class: the system properties are the JVM's.
    synchronized (System.getProperties()) {
      String running = System.getProperty(PROPERTY);
      if (running == null) {
        running = start();
        System.setProperty(PROPERTY, running);
      }
      String[] parts = running.split(" ");
      return new RealCluster(parts[0], parts[1]);
    }
  }

  /** The API server's URL (https on 127.0.0.1). */
  public String url() {
    return url;
  }

  /** A client with the admin credential (system:masters). */
  public KubernetesClient client() {
    return new KubernetesClientBuilder().withConfig(config()).build();
  }

  public Config config() {
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(url)
        .withOauthToken(token)
        .withTrustCerts(true)
        .withDisableHostnameVerification(true)
        .withNamespace(null)
        .build();
  }

  /**
   * {@code GET path} as {@code kubectl get} asks for it: a server-side Table (the columns are the
   * CRD's printer columns), its JSON.
   */
  public String table(String path) {
    try {
      HttpClient http =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .sslContext(trustAll())
              .build();
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url + path))
                  .header("Authorization", "Bearer " + token)
                  .header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("GET " + path + ": " + r.statusCode() + " " + r.body());
      }
      return r.body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * A kubeconfig file with the admin credential, as {@code knoe serve} in cluster mode reads one.
   */
  public Path kubeconfig(String namespace) {
    try {
      Path file = Files.createTempFile("knoe-kubeconfig", ".yaml");
      Files.writeString(
          file,
          """
          apiVersion: v1
          kind: Config
          clusters:
          - name: test
            cluster: {server: "%s", insecure-skip-tls-verify: true}
          users:
          - name: admin
            user: {token: "%s"}
          contexts:
          - name: test
            context: {cluster: test, user: admin, namespace: "%s"}
          current-context: test
          """
              .formatted(url, token, namespace));
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A new namespace named {@code <prefix>-<n>}, created. */
  public String newNamespace(String prefix) {
    // The counter is per class loader: the hash of this copy of the class keeps two loaders apart.
    String name =
        prefix
            + "-"
            + NAMESPACES.incrementAndGet()
            + "-"
            + Integer.toHexString(System.identityHashCode(RealCluster.class) & 0xffff);
    try (KubernetesClient c = client()) {
      c.namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
          .create();
    }
    return name;
  }

  // ---------------------------------------------------------------- start

  private static String start() {
    try {
      Path etcd = Upstream.binary("etcd");
      Path apiserver = Upstream.binary("kube-apiserver");
      Path dir = Files.createTempDirectory("knoe-apiserver");
      String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(24));
      Files.writeString(dir.resolve("tokens.csv"), token + ",admin,admin,system:masters\n");
      KeyPair sa = KeyPairGenerator.getInstance("RSA").generateKeyPair();
      Files.writeString(dir.resolve("sa.key"), pem("PRIVATE KEY", sa.getPrivate().getEncoded()));
      Files.writeString(dir.resolve("sa.pub"), pem("PUBLIC KEY", sa.getPublic().getEncoded()));

      int client = freePort();
      int peer = freePort();
      List<Process> processes = new ArrayList<>();
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    processes.forEach(Process::destroy);
                    processes.forEach(
                        p -> {
                          try {
                            p.waitFor(10, TimeUnit.SECONDS);
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                        });
                    deleteTree(dir);
                  }));
      String etcdUrl = "http://127.0.0.1:" + client;
      String peerUrl = "http://127.0.0.1:" + peer;
      processes.add(
          launch(
              dir.resolve("etcd.log"),
              etcd.toString(),
              "--name",
              "test",
              "--data-dir",
              dir.resolve("etcd").toString(),
              "--listen-client-urls",
              etcdUrl,
              "--advertise-client-urls",
              etcdUrl,
              "--listen-peer-urls",
              peerUrl,
              "--initial-advertise-peer-urls",
              peerUrl,
              "--initial-cluster",
              "test=" + peerUrl,
              // Test data need not survive a power cut; fsync on a loaded CI disk costs seconds.
              "--unsafe-no-fsync",
              "--log-level",
              "warn"));
      awaitOk(
          processes.get(0),
          dir.resolve("etcd.log"),
          URI.create(etcdUrl + "/health"),
          Duration.ofSeconds(60));

      int port = freePort();
      String url = "https://127.0.0.1:" + port;
      processes.add(
          launch(
              dir.resolve("kube-apiserver.log"),
              apiserver.toString(),
              "--etcd-servers",
              etcdUrl,
              "--bind-address",
              "127.0.0.1",
              "--advertise-address",
              "127.0.0.1",
              "--secure-port",
              Integer.toString(port),
              "--cert-dir",
              dir.resolve("certs").toString(),
              "--token-auth-file",
              dir.resolve("tokens.csv").toString(),
              "--authorization-mode",
              "RBAC",
              "--service-account-key-file",
              dir.resolve("sa.pub").toString(),
              "--service-account-signing-key-file",
              dir.resolve("sa.key").toString(),
              "--service-account-issuer",
              "https://kubernetes.default.svc",
              "--service-cluster-ip-range",
              "10.96.0.0/16",
              // No kubelet, no nodes: the `kubernetes` Endpoints would only be complained about.
              "--endpoint-reconciler-type",
              "none"));
      awaitOk(
          processes.get(1),
          dir.resolve("kube-apiserver.log"),
          URI.create(url + "/readyz"),
          Duration.ofSeconds(120));

      RealCluster cluster = new RealCluster(url, token);
      cluster.installCrds();
      return url + " " + token;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the test API server: " + e.getMessage(), e);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Knative's CRDs (as copied from upstream) and the chart's, each Established before use. */
  private void installCrds() throws IOException {
    List<Path> files = new ArrayList<>();
    try (var s = Files.list(Path.of("src/test/resources/knative"))) {
      s.filter(p -> p.getFileName().toString().startsWith("crd-")).sorted().forEach(files::add);
    }
    try (var s = Files.list(Upstream.ROOT.resolve("charts/knoe/crds"))) {
      s.sorted().forEach(files::add);
    }
    try (KubernetesClient c = client()) {
      for (Path file : files) {
        CustomResourceDefinition crd;
        try (InputStream in = Files.newInputStream(file)) {
          crd = c.apiextensions().v1().customResourceDefinitions().load(in).item();
        }
        c.resource(crd).create();
        c.apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName(crd.getMetadata().getName())
            .waitUntilCondition(
                d ->
                    d != null
                        && d.getStatus() != null
                        && d.getStatus().getConditions() != null
                        && d.getStatus().getConditions().stream()
                            .anyMatch(
                                k ->
                                    "Established".equals(k.getType())
                                        && "True".equals(k.getStatus())),
                60,
                TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Runs {@code command} under a shell that stops it when this JVM goes away, however it goes (a
   * shutdown hook does not run on kill -9), so no API server outlives its test run.
   */
  private static Process launch(Path log, String... command) throws IOException {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "sh",
                "-c",
                "parent=$1; shift; \"$@\" & child=$!; trap 'kill $child 2>/dev/null; wait $child; exit 0' TERM;"
                    + " while kill -0 $parent 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1; done;"
                    + " kill $child 2>/dev/null; wait $child",
                "sh",
                Long.toString(ProcessHandle.current().pid())));
    argv.addAll(List.of(command));
    return new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static void awaitOk(Process p, Path log, URI uri, Duration budget) throws IOException {
    // HTTP/1.1: the Java client takes the Go server's HTTP/2 GOAWAY after each probe for a failure.
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(trustAll())
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + budget.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException(
            uri.getPort() + " exited (" + p.exitValue() + "): " + tail(log));
      }
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
        last = r.statusCode() + " " + r.body();
      } catch (IOException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException(
        uri + " not ready in " + budget.toSeconds() + " s (" + last + "): " + tail(log));
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }

  private static SSLContext trustAll() {
    try {
      SSLContext ssl = SSLContext.getInstance("TLS");
      // The API server's certificate is self-signed, made at its start; this is loopback in a test.
      ssl.init(
          null,
          new TrustManager[] {
            new X509TrustManager() {
              @Override
              public void checkClientTrusted(X509Certificate[] chain, String authType) {}

              @Override
              public void checkServerTrusted(X509Certificate[] chain, String authType) {}

              @Override
              public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
              }
            }
          },
          null);
      return ssl;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private static void deleteTree(Path dir) {
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp folder left behind is harmless
    }
  }
}
