package dev.knoe.control.api;

import dev.knoe.control.router.Pool;
import dev.knoe.control.runtime.Backend;
import dev.knoe.control.state.DeploymentState;
import dev.knoe.control.state.ProvisioningState;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A backend that starts nothing: every deployment succeeds at once. The API tests check the control
 * API's rules; the end-to-end tests use the real local backend.
 */
@Alternative
@Priority(1)
@Singleton
public class FakeBackend implements Backend {

  private final Map<String, Pool> pools = new ConcurrentHashMap<>();
  private volatile Listener listener;

  @Override
  public void apply(DeploymentState d, Path model, Path code) {
    listener.changed(d.endpoint(), d.name(), d.generation(), ProvisioningState.Succeeded, null);
  }

  @Override
  public void remove(String endpoint, String deployment) {
    pools.remove(endpoint + "/" + deployment);
  }

  @Override
  public Pool pool(String endpoint, String deployment) {
    return pools.computeIfAbsent(endpoint + "/" + deployment, k -> new Pool());
  }

  @Override
  public List<String> logs(String endpoint, String deployment, int lines, String container) {
    return List.of("log line of " + deployment);
  }

  @Override
  public void setListener(Listener listener) {
    this.listener = listener;
  }

  @Override
  public void close() {}
}
