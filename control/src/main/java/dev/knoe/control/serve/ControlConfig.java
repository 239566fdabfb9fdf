package dev.knoe.control.serve;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Settings of {@code knoe serve}; {@code knoe.data-dir} is {@code KNOE_DATA_DIR}, and so on. */
@ConfigMapping(prefix = "knoe")
public interface ControlConfig {

  /** Where endpoints, deployments, models, keys and logs live; default {@code ~/.knoe/data}. */
  Optional<String> dataDir();

  /** The admin credential; default: made on first start and kept in {@code <data>/admin-key}. */
  Optional<String> adminKey();

  /**
   * A credential that can only download model files ({@code GET
   * /api/v1/models/<name>/versions/<v>/content}): what a cluster's storage initializers use (the
   * chart's {@code knoe-model-reader} Secret); none by default.
   */
  Optional<String> modelReaderToken();

  /** The scoring-function folder (its {@code bin/} launcher and {@code target/quarkus-app}). */
  Optional<String> scoringHome();

  /**
   * Where {@code knoe serve} writes the CLI's config (URL and admin key); default {@code
   * ~/.knoe/config.json}.
   */
  Optional<String> cliConfig();

  Models models();

  /** Limits of the control API's requests. */
  Api api();

  Tokens tokens();

  Tls tls();

  Autoscaler autoscaler();

  Metrics metrics();

  /** Where {@code GET /api/v1/endpoints/<name>/metrics} reads its figures on a cluster. */
  interface Metrics {
    /**
     * knative: the cluster's Prometheus (e.g. {@code http://prometheus-server.monitoring.svc:80}),
     * whose HTTP API is asked for Knative's queue-proxy and autoscaler metrics; the chart's {@code
     * metrics.prometheusUrl}. Without it the API answers {@code source: none} and says where the
     * figures are. Locally the router's own ring answers and this is not read.
     */
    Optional<String> prometheusUrl();
  }

  /**
   * {@code local} (default): deployments run as child processes behind the built-in router. {@code
   * knative}: on a cluster, the reconciler turns OnlineEndpoint/OnlineDeployment resources into
   * Knative objects (the chart sets this).
   */
  @WithDefault("local")
  String backend();

  /** True with {@code backend=knative}. */
  default boolean clusterMode() {
    return "knative".equalsIgnoreCase(backend());
  }

  /** knative: the namespace of the endpoints; default the client's (the pod's). */
  Optional<String> namespace();

  /** knative: the scoring-function image of revisions. */
  Optional<String> scoringImage();

  /** knative: the scoring-function image of revisions on GPU instance types (with CUDA). */
  Optional<String> gpuScoringImage();

  /** knative: the image of the model-downloading init container. */
  Optional<String> storageInitializerImage();

  /** knative: the instance-type catalog file (the chart's ConfigMap). */
  Optional<String> instanceTypesFile();

  /** knative: this control plane as pods reach it, for model downloads. */
  Optional<String> controlUrl();

  /**
   * knative: the Secret (in the endpoints' namespace) whose {@code token} the pods download models
   * with.
   */
  @WithDefault("knoe-model-reader")
  String modelReaderSecret();

  Kubernetes kubernetes();

  interface Kubernetes {
    /**
     * A kubeconfig file naming the API server and the credential to use (its current context);
     * default: in-cluster, else {@code KUBECONFIG} or {@code ~/.kube/config}, as kubectl finds
     * them.
     */
    Optional<String> kubeconfig();
  }

  interface Api {
    /**
     * Largest body of a control API call other than a model upload (endpoint and deployment specs,
     * key regeneration, token requests), in bytes; a larger one is refused with 413 at once.
     */
    @WithDefault("4194304")
    long maxSpecBytes();
  }

  interface Models {
    /** Largest model upload, in bytes. */
    @WithDefault("2147483648")
    long maxBytes();
  }

  /**
   * Platform-wide autoscaling knobs, named as in Knative's {@code config-autoscaler} (e.g. {@code
   * KNOE_AUTOSCALER_SCALE_TO_ZERO_GRACE_PERIOD=10s}); deployments set the rest in {@code
   * scale_settings} and {@code request_settings}.
   */
  interface Autoscaler {
    /** Averaging window of the stable mode, 6 s to 1 h. */
    @WithDefault("60s")
    Duration stableWindow();

    /** The panic window as a percentage of the stable window. */
    @WithDefault("10")
    double panicWindowPercentage();

    /** Panic when the panic window asks for this percentage of the ready capacity. */
    @WithDefault("200")
    double panicThresholdPercentage();

    @WithDefault("1000")
    double maxScaleUpRate();

    @WithDefault("2")
    double maxScaleDownRate();

    /**
     * Idle time, once marked inactive, before the last instance of a min_instances: 0 deployment
     * stops.
     */
    @WithDefault("30s")
    Duration scaleToZeroGracePeriod();

    /**
     * The last instance is kept at least this long (the longer of this and the grace period
     * applies).
     */
    @WithDefault("0s")
    Duration scaleToZeroPodRetentionPeriod();

    @WithDefault("true")
    boolean enableScaleToZero();

    /** A lower instance count applies only once it has been wanted this long. */
    @WithDefault("0s")
    Duration scaleDownDelay();

    /** Instances started at least when a deployment at zero gets a request. */
    @WithDefault("1")
    int activationScale();

    /** Time between scaling decisions (Knative's tick-interval). */
    @WithDefault("2s")
    Duration tickInterval();
  }

  /**
   * HTTPS for {@code knoe serve} (read by {@code knoe serve} before Quarkus starts, which turns
   * them into {@code quarkus.http.ssl.*}; {@code --tls-cert}, {@code --tls-key}, {@code
   * --tls-self-signed}). Without them it speaks plain HTTP, on loopback only.
   */
  interface Tls {
    /** The server's certificate, PEM (its chain after it); with {@link #key}. */
    Optional<String> cert();

    /** The certificate's private key, PEM. */
    Optional<String> key();

    /** Make a self-signed pair for development in {@code <data>/tls/}. */
    @WithDefault("false")
    boolean selfSigned();
  }

  interface Tokens {
    /** How long an aml_token lives. */
    @WithDefault("PT1H")
    Duration ttl();
  }
}
