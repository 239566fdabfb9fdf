package dev.knoe.control.scoring;

import dev.knoe.control.spec.AuthMode;
import dev.knoe.control.spec.DeploymentSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code KNOE_*} variables of a scoring-function instance (the scoring function's {@code
 * ScoringConfig} reads them), written once for both backends: a local child process and a Knative
 * pod. Knoe's variables are put after the deployment's own {@code environment_variables} and win
 * over one of the same name.
 *
 * <p>What differs by backend is passed in: the paths (a local folder or a mount inside the pod) and
 * the {@link Wiring}. Each backend adds what only it has where it starts an instance: the local
 * launcher the port, {@code KNOE_PARENT_PID} and {@code KNOE_FAST_START} (see {@code
 * runtime.LocalBackend}); a pod gets {@code KNOE_DEVICE} from {@link Pod#gpu}. Only the local side
 * has a launch command ({@code runtime.local.ProcessLauncher#scoringCommand}); a pod runs its
 * image's entrypoint.
 */
public final class ScoringEnvironment {

  public static final String MODEL_DIR = "KNOE_MODEL_DIR";
  public static final String MODEL_NAME = "KNOE_MODEL_NAME";
  public static final String ENDPOINT_NAME = "KNOE_ENDPOINT_NAME";
  public static final String DEPLOYMENT_NAME = "KNOE_DEPLOYMENT_NAME";
  public static final String BATCH_MAX_SIZE = "KNOE_BATCH_MAX_SIZE";
  public static final String BATCH_MAX_DELAY_MS = "KNOE_BATCH_MAX_DELAY_MS";
  public static final String AUTH = "KNOE_AUTH";
  public static final String JWT_AUDIENCE = "KNOE_JWT_AUDIENCE";
  public static final String MIRROR_FILE = "KNOE_MIRROR_FILE";
  public static final String EVENTS_TOKEN_FILE = "KNOE_EVENTS_TOKEN_FILE";
  public static final String KEYS_FILE = "KNOE_KEYS_FILE";
  public static final String JWT_PUBLIC_KEY_FILE = "KNOE_JWT_PUBLIC_KEY_FILE";
  public static final String DEVICE = "KNOE_DEVICE";
  public static final String HANDLER_PATH = "KNOE_HANDLER_PATH";
  public static final String HANDLER_CLASS = "KNOE_HANDLER_CLASS";

  /**
   * Extra JVM flags of the scoring function's launcher script (the image's entrypoint too): the
   * memory bound ({@link JvmMemory}), then the user's own.
   */
  public static final String JAVA_OPTS = "KNOE_JAVA_OPTS";

  /** Set by the local backend only, from the deployment's scale settings. */
  public static final String FAST_START = "KNOE_FAST_START";

  /** Set by the local launcher only: the child follows this process's exit. */
  public static final String PARENT_PID = "KNOE_PARENT_PID";

  /** Set by the local launcher only, for the instance's cold-start breakdown. */
  public static final String SPAWNED_AT_MS = "KNOE_SPAWNED_AT_MS";

  /** The only variable of a pod that answers 404 for an endpoint without traffic. */
  public static final String NO_TRAFFIC_ENDPOINT = "KNOE_NO_TRAFFIC_ENDPOINT";

  /**
   * The order of Knoe's variables in a pod's {@code env}, kept as the first renderer wrote it: a
   * changed order is a changed revision template, so every deployment would roll on an upgrade.
   */
  static final List<String> POD_ORDER =
      List.of(
          MODEL_DIR,
          MODEL_NAME,
          ENDPOINT_NAME,
          DEPLOYMENT_NAME,
          BATCH_MAX_SIZE,
          BATCH_MAX_DELAY_MS,
          AUTH,
          JWT_AUDIENCE,
          MIRROR_FILE,
          EVENTS_TOKEN_FILE,
          KEYS_FILE,
          JWT_PUBLIC_KEY_FILE,
          DEVICE,
          HANDLER_PATH,
          HANDLER_CLASS);

  private ScoringEnvironment() {}

  /** How an instance meets its callers: the part of its variables that differs by backend. */
  public sealed interface Wiring permits Loopback, Pod {}

  /**
   * A local child process: Knoe's router in front checks credentials and mirrors requests; the
   * instance listens on loopback only, so it checks nothing ({@code KNOE_AUTH=none}).
   */
  public record Loopback() implements Wiring {}

  /**
   * A pod: the instance checks callers itself ({@code KNOE_AUTH=required}) with the endpoint's
   * credentials mounted as files it reloads (so rotating a key makes no new revision), and reads
   * the mirror rule from a mounted file. Paths are inside the pod.
   *
   * @param authMode which of {@code keysFile} and {@code tokenKeyFile} the instance is told about
   * @param audience the {@code aud} a token must carry: the endpoint's name
   * @param gpu whether the instance type has a GPU ({@code KNOE_DEVICE=cuda})
   */
  public record Pod(
      AuthMode authMode,
      String audience,
      String keysFile,
      String tokenKeyFile,
      String eventsTokenFile,
      String mirrorFile,
      boolean gpu)
      implements Wiring {}

  /**
   * Every variable of an instance: the deployment's own {@code environment_variables}, then Knoe's
   * in {@link #POD_ORDER} (one the user also set keeps the user's place, with Knoe's value).
   *
   * @param modelDir the model file or folder as the instance sees it
   * @param modelName the V2 model name (the registered model's name)
   * @param handlerPath the handler jar or folder as the instance sees it; null without {@code
   *     code_configuration}
   */
  public static Map<String, String> variables(
      DeploymentSpec spec,
      String endpoint,
      String modelDir,
      String modelName,
      String handlerPath,
      Wiring wiring) {
    Map<String, String> knoe = new LinkedHashMap<>(ofDeployment(spec, modelName, handlerPath));
    knoe.putAll(ofInstance(endpoint, spec.name(), modelDir, wiring));
    Map<String, String> env = new LinkedHashMap<>(spec.environmentVariables());
    for (String key : POD_ORDER) {
      if (knoe.containsKey(key)) {
        env.put(key, knoe.remove(key));
      }
    }
    env.putAll(knoe); // none today; a variable added without a place in POD_ORDER goes last
    return env;
  }

  /**
   * Knoe's variables that follow from the deployment's spec alone, the same for all its instances:
   * batching, the handler and the model's name. Without the user's variables.
   */
  public static Map<String, String> ofDeployment(
      DeploymentSpec spec, String modelName, String handlerPath) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put(BATCH_MAX_SIZE, Integer.toString(spec.batching().maxBatchSize()));
    env.put(BATCH_MAX_DELAY_MS, Integer.toString(spec.batching().maxDelayMs()));
    if (handlerPath != null) {
      env.put(HANDLER_PATH, handlerPath);
      env.put(HANDLER_CLASS, spec.codeConfiguration().scoringScript());
    }
    env.put(MODEL_NAME, modelName);
    return env;
  }

  /**
   * Knoe's variables that place an instance: where its model is, whose instance it is, and how it
   * meets its callers ({@link Wiring}).
   */
  public static Map<String, String> ofInstance(
      String endpoint, String deployment, String modelDir, Wiring wiring) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put(MODEL_DIR, modelDir);
    env.put(ENDPOINT_NAME, endpoint);
    env.put(DEPLOYMENT_NAME, deployment);
    if (wiring instanceof Pod p) {
      env.put(AUTH, "required");
      env.put(JWT_AUDIENCE, p.audience());
      env.put(MIRROR_FILE, p.mirrorFile());
      env.put(EVENTS_TOKEN_FILE, p.eventsTokenFile());
      // Both files always exist in the Secret; the one the auth mode does not use is empty.
      if (p.authMode() == AuthMode.KEY) {
        env.put(KEYS_FILE, p.keysFile());
      } else {
        env.put(JWT_PUBLIC_KEY_FILE, p.tokenKeyFile());
      }
      if (p.gpu()) {
        env.put(DEVICE, "cuda");
      }
    } else {
      env.put(AUTH, "none");
    }
    return env;
  }
}
