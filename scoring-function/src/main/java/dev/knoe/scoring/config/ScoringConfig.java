package dev.knoe.scoring.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.util.Optional;

/**
 * Every knob of the scoring function. Property {@code knoe.model-dir} is environment variable
 * {@code KNOE_MODEL_DIR}, {@code knoe.batch.max-size} is {@code KNOE_BATCH_MAX_SIZE}, and so on.
 */
@ConfigMapping(prefix = "knoe")
public interface ScoringConfig {

  /** Folder (or .onnx file) of the model; falls back to {@code AZUREML_MODEL_DIR}. */
  Optional<String> modelDir();

  /** Name in the V2 protocol; default: the model folder's name. */
  Optional<String> modelName();

  /** Which execution provider to use. */
  @WithDefault("auto")
  Device device();

  /** CUDA device ordinal when running on a GPU. */
  @WithDefault("0")
  int cudaDeviceId();

  /** Threads ONNX Runtime uses inside one run; 0 = half the cores (at least 1). */
  @WithDefault("0")
  int intraOpThreads();

  /** Whether ONNX Runtime's idle intra-op threads spin waiting for work instead of sleeping. */
  @WithDefault("true")
  boolean intraOpSpinning();

  /** A jar or class folder holding a custom scoring handler. */
  Optional<String> handlerPath();

  /** The class implementing {@code dev.knoe.spi.ScoringHandler}. */
  Optional<String> handlerClass();

  Batch batch();

  /** Requests with a larger body are refused with 413. */
  @WithDefault("10485760")
  long maxBodyBytes();

  @WithDefault("none")
  AuthMode auth();

  /** One key per line; blank lines and lines starting with # are ignored. Reloaded on change. */
  Optional<String> keysFile();

  /** PEM RS256 public key that verifies tokens. Reloaded on change. */
  Optional<String> jwtPublicKeyFile();

  /** The audience a token must carry; default: the endpoint name, else the model name. */
  Optional<String> jwtAudience();

  /**
   * One secret token (blank lines and lines starting with # ignored), reloaded on change: it is the
   * credential of {@code POST /events/<token>}, where a Knative Broker, which sends no
   * Authorization header, delivers CloudEvents. Without it, or with no token in it, that route
   * answers 404.
   */
  Optional<String> eventsTokenFile();

  /** Endpoint this instance serves (for token audience and logs). */
  Optional<String> endpointName();

  /** Deployment this instance serves; echoed in the {@code azureml-model-deployment} header. */
  Optional<String> deploymentName();

  /** The process that started this one (the local backend); this one exits when it does. */
  Optional<Long> parentPid();

  /**
   * Serve no model: answer 404 "no deployment of endpoint X has traffic" on every route but health
   * (the revision a Knative Service routes to while none of the endpoint's deployments has
   * traffic).
   */
  Optional<String> noTrafficEndpoint();

  /**
   * Mirror rule file ({@code {"deployment", "url", "percent"}}, or {@code {}}), re-read when it
   * changes: a share of scoring requests is copied there and the answer dropped. A cluster mounts
   * it from the endpoint's ConfigMap.
   */
  Optional<String> mirrorFile();

  /**
   * When the parent spawned this process (epoch ms), for the cold-start breakdown; else the OS's
   * start time.
   */
  Optional<Long> spawnedAtMs();

  /** Folder where ONNX Runtime's native libraries are extracted once and reused by later starts. */
  Optional<String> nativeDir();

  /** Dynamic batching settings. */
  interface Batch {
    /** Largest merged batch in rows; 1 turns batching off. */
    @WithDefault("32")
    int maxSize();

    /** How long a forming batch may wait for more requests once there is concurrent load. */
    @WithName("max-delay-ms")
    @WithDefault("2")
    int maxDelayMs();

    /** Merged batches run at once (each uses the intra-op threads). */
    @WithDefault("1")
    int workers();
  }

  enum Device {
    auto,
    cpu,
    cuda
  }

  enum AuthMode {
    none,
    required
  }
}
