package dev.knoe.control.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.knoe.autoscaler.ScalingPolicy;
import dev.knoe.control.credentials.ApiCredentials;
import dev.knoe.control.credentials.Secrets;
import dev.knoe.control.credentials.ServerCertificate;
import dev.knoe.control.credentials.TokenIssuer;
import dev.knoe.control.endpoint.Endpoints;
import dev.knoe.control.endpoint.LocalEndpoints;
import dev.knoe.control.files.AtomicFiles;
import dev.knoe.control.knative.InstanceType;
import dev.knoe.control.knative.InstanceTypeCatalog;
import dev.knoe.control.metrics.LocalMetrics;
import dev.knoe.control.metrics.MetricsSource;
import dev.knoe.control.metrics.PrometheusMetrics;
import dev.knoe.control.model.ModelRegistry;
import dev.knoe.control.router.DataPlane;
import dev.knoe.control.runtime.Backend;
import dev.knoe.control.runtime.LocalBackend;
import dev.knoe.control.state.StateStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Wires the embedded platform: data directory, admin credential, model registry, token issuer,
 * router, local backend and control plane; restores state at start and writes the CLI's config.
 */
@ApplicationScoped
public class Platform {

  private static final Logger LOG = Logger.getLogger(Platform.class);

  @Inject ControlConfig config;
  @Inject Vertx vertx;

  private Path dataDir;

  Path dataDir() {
    if (dataDir == null) {
      dataDir =
          config
              .dataDir()
              .map(Path::of)
              .orElseGet(() -> Path.of(System.getProperty("user.home"), ".knoe", "data"))
              .toAbsolutePath();
      try {
        AtomicFiles.ownerOnlyDirectory(dataDir);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the data directory " + dataDir, e);
      }
    }
    return dataDir;
  }

  @Produces
  @Singleton
  ModelRegistry models() {
    return new ModelRegistry(
        dataDir().resolve("models"), config.models().maxBytes(), Clock.systemUTC());
  }

  @Produces
  @Singleton
  TokenIssuer tokens() {
    return new TokenIssuer(
        dataDir().resolve("secrets").resolve("token-signing-key.pem"),
        config.tokens().ttl(),
        Clock.systemUTC());
  }

  /**
   * The router's figures of the last 15 minutes, for the console's charts (local mode). Typed as
   * itself only: the {@link MetricsSource} the API gets is chosen below.
   */
  @Produces
  @Singleton
  @Typed(LocalMetrics.class)
  LocalMetrics localMetrics() {
    return new LocalMetrics(Clock.systemUTC());
  }

  @Produces
  @Singleton
  DataPlane dataPlane(TokenIssuer tokens, MeterRegistry registry, LocalMetrics live) {
    return new DataPlane(vertx, tokens, both(new RouterMetrics(registry), live));
  }

  /** Tells both what the router reports: Prometheus' meters, and the ring behind the charts. */
  static DataPlane.Observer both(DataPlane.Observer a, DataPlane.Observer b) {
    return new DataPlane.Observer() {
      @Override
      public void served(String endpoint, String deployment, int status, long nanos) {
        a.served(endpoint, deployment, status, nanos);
        b.served(endpoint, deployment, status, nanos);
      }

      @Override
      public void routed(String endpoint, String deployment, dev.knoe.control.router.Pool pool) {
        a.routed(endpoint, deployment, pool);
        b.routed(endpoint, deployment, pool);
      }
    };
  }

  /**
   * Where the API reads an endpoint's figures: locally the router's ring; on a cluster (where
   * requests go through Knative, not this router) the cluster's Prometheus when the chart names
   * one, else nowhere, with a sentence saying where they are.
   */
  @Produces
  @Singleton
  MetricsSource metrics(LocalMetrics live, Instance<Endpoints> endpoints) {
    if (!config.clusterMode()) {
      return live;
    }
    return config
        .metrics()
        .prometheusUrl()
        .<MetricsSource>map(
            url ->
                new PrometheusMetrics(
                    URI.create(url),
                    () -> endpoints.get().platform().namespace(),
                    Clock.systemUTC()))
        .orElseGet(
            () ->
                MetricsSource.none(
                    "On a cluster requests go through Knative, not through knoe serve: their"
                        + " figures are Knative's queue-proxy and autoscaler metrics"
                        + " (revision_app_request_count, revision_app_request_latencies,"
                        + " autoscaler_actual_pods, ...) in the cluster's Prometheus. Set the"
                        + " chart value metrics.prometheusUrl (KNOE_METRICS_PROMETHEUS_URL) for"
                        + " this API and the console to read them.",
                    Duration.ofHours(1),
                    Clock.systemUTC()));
  }

  @Produces
  @Singleton
  Backend backend() {
    // On a cluster no instance runs here (the endpoint API does not create deployments), and the
    // image has no scoring-function folder to find.
    Path scoringHome =
        config
            .scoringHome()
            .map(Path::of)
            .orElseGet(
                () ->
                    config.clusterMode()
                        ? dataDir().resolve("no-local-instances")
                        : findScoringHome());
    ControlConfig.Autoscaler a = config.autoscaler();
    return new LocalBackend(
        scoringHome,
        dataDir().resolve("logs"),
        Clock.systemUTC(),
        new LocalBackend.Autoscaling(
            autoscalerBase(a), java.time.Duration.ofSeconds(1), a.tickInterval()),
        // Locally an instance type bounds the JVM's memory only (the chart's catalog; a name it
        // does not know, an Azure SKU without a mapping, leaves the JVM's own sizing).
        type -> InstanceTypeCatalog.DEFAULT.find(type).map(InstanceType::memory));
  }

  /**
   * The platform's autoscaling knobs as a policy that deployments' settings complete: run by the
   * local backend, and written as revision annotations on a cluster (where Knative's own
   * config-autoscaler holds the grace period, the rates and enable-scale-to-zero).
   */
  static ScalingPolicy autoscalerBase(ControlConfig.Autoscaler a) {
    return ScalingPolicy.builder()
        .stableWindow(a.stableWindow())
        .panicWindowPercentage(a.panicWindowPercentage())
        .panicThresholdPercentage(a.panicThresholdPercentage())
        .maxScaleUpRate(a.maxScaleUpRate())
        .maxScaleDownRate(a.maxScaleDownRate())
        .scaleToZeroGracePeriod(a.scaleToZeroGracePeriod())
        .scaleToZeroRetention(a.scaleToZeroPodRetentionPeriod())
        .enableScaleToZero(a.enableScaleToZero())
        .scaleDownDelay(a.scaleDownDelay())
        .activationScale(a.activationScale())
        .build();
  }

  /** Typed as itself only: the {@link Endpoints} the API gets is chosen below. */
  @Produces
  @Singleton
  @Typed(LocalEndpoints.class)
  LocalEndpoints localEndpoints(
      ModelRegistry models, TokenIssuer tokens, Backend backend, DataPlane dataPlane) {
    return new LocalEndpoints(
        new StateStore(dataDir()),
        models,
        tokens,
        backend,
        dataPlane,
        dataDir().resolve("code"),
        Clock.systemUTC());
  }

  /** The endpoint service the API serves: on the cluster's resources, or run on this machine. */
  @Produces
  @Singleton
  Endpoints endpoints(ClusterMode cluster, Instance<LocalEndpoints> local) {
    return config.clusterMode() ? cluster.endpoints() : local.get();
  }

  /** Made at start, so a first start prints the new admin key before anything else. */
  @Produces
  @Singleton
  ApiCredentials apiCredentials() {
    return new ApiCredentials(adminKey(), config.modelReaderToken());
  }

  void routes(@Observes Router router, DataPlane dataPlane) {
    router.route("/endpoints/:endpoint").order(-10).handler(dataPlane::handle);
    router.route("/endpoints/:endpoint/*").order(-10).handler(dataPlane::handle);
    router.route(DataPlane.GRPC_PREFIX + "*").order(-10).handler(dataPlane::handleGrpc);
  }

  /** The 1 s timer that samples the routed pools' gauges into the ring; -1 when none runs. */
  private long gaugeTimer = -1;

  void start(
      @Observes StartupEvent event,
      ApiCredentials credentials,
      Instance<LocalEndpoints> local,
      LocalMetrics live) {
    if (!config.clusterMode()) {
      local.get().restore(); // local instances; on a cluster the reconciler owns what runs
      gaugeTimer = vertx.setPeriodic(1000, id -> live.sampleGauges());
    }
    Listen listen = listen();
    String url = (listen.tls() ? "https://" : "http://") + listen.clientHost() + ":" + port(listen);
    String caCert = null;
    if (listen.tls()) {
      Path cert = Path.of(listen.cert().orElseThrow());
      try {
        caCert = Files.readString(cert, StandardCharsets.US_ASCII);
        LOG.infof(
            "TLS certificate %s, SHA-256 fingerprint %s",
            cert, ServerCertificate.fingerprint(ServerCertificate.read(cert).get(0)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the TLS certificate " + cert, e);
      }
    }
    writeCliConfig(url, adminKey(), caCert);
    LOG.infof("Knoe is serving on %s; data in %s", url, dataDir());
  }

  /**
   * How this server listens, from the settings {@code knoe serve} made; checked again here, so that
   * no way of configuring it (a variable Quarkus reads itself) serves plain HTTP beyond loopback.
   */
  private Listen listen() {
    var c = ConfigProvider.getConfig();
    return new Listen(
        c.getOptionalValue("quarkus.http.host", String.class).orElse(Listen.DEFAULT_HOST),
        c.getOptionalValue("knoe.tls.cert", String.class),
        c.getOptionalValue("knoe.tls.key", String.class),
        false,
        config.clusterMode());
  }

  private static int port(Listen listen) {
    return ConfigProvider.getConfig()
        .getOptionalValue(
            listen.tls() ? "quarkus.http.ssl-port" : "quarkus.http.port", Integer.class)
        .orElse(Serve.DEFAULT_PORT);
  }

  void stop(@Observes ShutdownEvent event, Backend backend, DataPlane dataPlane) {
    if (gaugeTimer >= 0) {
      vertx.cancelTimer(gaugeTimer);
    }
    backend.close();
    dataPlane.close();
  }

  private String adminKey() {
    if (config.adminKey().isPresent()) {
      return config.adminKey().get();
    }
    Path file = dataDir().resolve("admin-key");
    try {
      if (Files.exists(file)) {
        return Files.readString(file).trim();
      }
      String key = Secrets.newKey();
      AtomicFiles.writeSecret(file, key.getBytes(StandardCharsets.US_ASCII));
      // Printed once, on the console only (never logged): it is in the file from now on.
      System.out.println(
          "\nKnoe admin key (shown once; kept in "
              + file
              + " and in the CLI config):\n  "
              + key
              + "\n");
      return key;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the admin key " + file, e);
    }
  }

  /**
   * The CLI's config: this server's URL, the admin key, and with HTTPS the certificate (PEM) the
   * CLI trusts for this URL.
   */
  private void writeCliConfig(String url, String admin, String caCert) {
    Path file =
        config
            .cliConfig()
            .or(() -> ConfigProvider.getConfig().getOptionalValue("knoe.config", String.class))
            .map(Path::of)
            .orElseGet(() -> Path.of(System.getProperty("user.home"), ".knoe", "config.json"));
    Map<String, String> cfg = new LinkedHashMap<>();
    cfg.put("url", url);
    cfg.put("admin_key", admin);
    if (caCert != null) {
      cfg.put("ca_cert", caCert);
    }
    try {
      AtomicFiles.writeSecret(
          file, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(cfg));
    } catch (IOException e) {
      LOG.warnf("cannot write the CLI config %s: %s", file, e.getMessage());
    }
  }

  /** The scoring-function folder beside this module, when run from a checkout. */
  static Path findScoringHome() {
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      if (Files.isDirectory(
          p.resolve("scoring-function").resolve("target").resolve("quarkus-app"))) {
        return p.resolve("scoring-function");
      }
    }
    try {
      Path jar =
          Path.of(Platform.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      for (Path p = jar; p != null; p = p.getParent()) {
        if (Files.isDirectory(
            p.resolve("scoring-function").resolve("target").resolve("quarkus-app"))) {
          return p.resolve("scoring-function");
        }
      }
    } catch (Exception e) {
      // fall through
    }
    throw new IllegalStateException(
        "cannot find the scoring function: build it (./mvnw install -DskipTests) "
            + "or set KNOE_SCORING_HOME to the scoring-function folder");
  }
}
