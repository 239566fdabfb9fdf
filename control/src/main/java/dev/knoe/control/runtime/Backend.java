package dev.knoe.control.runtime;

import dev.knoe.control.router.Pool;
import dev.knoe.control.state.DeploymentState;
import dev.knoe.control.state.ProvisioningState;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Runs deployments; owned by the control plane, implemented per backend. */
public interface Backend {

  /**
   * Brings the deployment's instances to this generation of its spec: new instances first, old ones
   * stopped once the new ones are ready. Returns at once; progress arrives through the listener.
   *
   * @param model the verified model file
   * @param code the handler jar or class folder, or null
   */
  void apply(DeploymentState deployment, Path model, Path code);

  /** Stops and forgets every instance of a deployment. */
  void remove(String endpoint, String deployment);

  /** The pool the router sends this deployment's requests to; stable for the deployment's life. */
  Pool pool(String endpoint, String deployment);

  /** The last lines of the deployment's instance output. */
  List<String> logs(String endpoint, String deployment, int lines, String container);

  void setListener(Listener listener);

  /** What the autoscaler last decided for a deployment; empty for a fixed size. */
  default Optional<ScaleStatus> scaleStatus(String endpoint, String deployment) {
    return Optional.empty();
  }

  /**
   * @param desired instances wanted now
   * @param lastDecision why, in words; null before the first decision
   */
  record ScaleStatus(int desired, String lastDecision) {}

  void close();

  /** Status changes of a deployment, as provisioning states with a message. */
  interface Listener {
    void changed(
        String endpoint,
        String deployment,
        long generation,
        ProvisioningState state,
        String message);
  }
}
