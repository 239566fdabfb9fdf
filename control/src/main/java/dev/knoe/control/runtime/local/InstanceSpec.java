package dev.knoe.control.runtime.local;

import dev.knoe.control.scoring.JvmMemory;
import dev.knoe.control.scoring.ScoringEnvironment;
import dev.knoe.control.spec.Names;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What one deployment's instances run. The generation identifies the spec: a changed spec comes
 * with a new generation, and {@link InstanceSupervisor#scale} rolls instances over to it.
 *
 * @param endpoint endpoint name (also a folder name of the logs)
 * @param deployment deployment name (also a folder name of the logs)
 * @param generation version of this deployment's spec, increasing with each change
 * @param modelDir folder holding the model, passed as {@code KNOE_MODEL_DIR}
 * @param env extra environment: batching, handler, the user's variables; never the variables in
 *     {@link #RESERVED_ENV}
 * @param readiness probe of {@code /v2/health/ready}
 * @param liveness probe of {@code /v2/health/live}
 * @param jvmOptions JVM flags the runtime puts before the user's {@code KNOE_JAVA_OPTS} (the memory
 *     bound of the instance type, {@link JvmMemory}); empty for none
 */
public record InstanceSpec(
    String endpoint,
    String deployment,
    long generation,
    Path modelDir,
    Map<String, String> env,
    Probe readiness,
    Probe liveness,
    List<String> jvmOptions) {

  /** Set by the local runtime for every instance: a spec may not override them. */
  public static final Set<String> RESERVED_ENV =
      Set.of(
          "QUARKUS_HTTP_HOST",
          "QUARKUS_HTTP_PORT",
          ScoringEnvironment.AUTH,
          ScoringEnvironment.MODEL_DIR,
          ScoringEnvironment.ENDPOINT_NAME,
          ScoringEnvironment.DEPLOYMENT_NAME,
          ScoringEnvironment.PARENT_PID);

  public InstanceSpec {
    // The control plane's rules: the names are folder names of the logs.
    Names.ENDPOINT.require(endpoint);
    Names.DEPLOYMENT.require(deployment);
    if (generation < 0) {
      throw new IllegalArgumentException("generation = " + generation + ", must be at least 0");
    }
    Objects.requireNonNull(modelDir, "modelDir");
    env = Map.copyOf(env);
    for (String key : env.keySet()) {
      if (RESERVED_ENV.contains(key)) {
        throw new IllegalArgumentException(
            "environment variable "
                + key
                + " is set by the local runtime, a deployment cannot set it");
      }
    }
    Objects.requireNonNull(readiness, "readiness");
    Objects.requireNonNull(liveness, "liveness");
    jvmOptions = jvmOptions == null ? List.of() : List.copyOf(jvmOptions);
  }

  /** A spec without JVM options of the runtime's. */
  public InstanceSpec(
      String endpoint,
      String deployment,
      long generation,
      Path modelDir,
      Map<String, String> env,
      Probe readiness,
      Probe liveness) {
    this(endpoint, deployment, generation, modelDir, env, readiness, liveness, List.of());
  }
}
