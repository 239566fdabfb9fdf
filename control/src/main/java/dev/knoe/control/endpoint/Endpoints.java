package dev.knoe.control.endpoint;

import dev.knoe.control.credentials.EndpointKeys;
import dev.knoe.control.credentials.TokenIssuer;
import dev.knoe.control.model.ModelVersion;
import dev.knoe.control.spec.DeploymentSpec;
import dev.knoe.control.spec.EndpointSpec;
import java.util.List;

/**
 * The endpoint service: endpoints and their deployments, created, changed, shown and deleted,
 * whatever runs them. {@link LocalEndpoints} runs them on this machine; {@link ClusterEndpoints}
 * keeps them as custom resources that the cluster reconciler turns into Knative objects. Both apply
 * the same {@link Rules} and answer the same views; every refusal is an {@link EndpointException}
 * (or a spec or model error).
 */
public interface Endpoints {

  /** Where endpoints run: {@code local}, or {@code knative} with its namespace. */
  Platform platform();

  /**
   * @param namespace the cluster namespace of the endpoints' resources, or null locally
   */
  record Platform(String backend, String namespace) {}

  List<EndpointView> endpoints();

  EndpointView endpoint(String name);

  /**
   * Creates an endpoint, or replaces its spec when {@code createOnly} is false and it exists.
   *
   * @param ifMatch the ETag the change is based on, or null
   */
  EndpointView putEndpoint(EndpointSpec spec, String ifMatch, boolean createOnly);

  /**
   * Deletes the endpoint and its deployments.
   *
   * @param ifMatch the endpoint's ETag the delete is based on, or null
   */
  void deleteEndpoint(String name, String ifMatch);

  /** Both keys of a key endpoint. */
  EndpointKeys keys(String name);

  /**
   * A new primary or secondary key; the old one is refused from then on.
   *
   * @param ifMatch the endpoint's ETag the change is based on, or null
   */
  EndpointKeys regenerateKey(String name, String keyType, String ifMatch);

  /** A token for an aml_token endpoint. */
  TokenIssuer.Token token(String name);

  List<DeploymentView> deployments(String endpoint);

  DeploymentView deployment(String endpoint, String name);

  /** Creates or replaces a deployment; what runs it converges in the background. */
  DeploymentView putDeployment(DeploymentSpec spec, String ifMatch, boolean createOnly);

  /**
   * Refused while it has live or mirrored traffic.
   *
   * @param ifMatch the deployment's ETag the delete is based on, or null
   */
  void deleteDeployment(String endpoint, String name, String ifMatch);

  /**
   * The last lines of the deployment's output.
   *
   * @param container {@code inference-server} or {@code storage-initializer}
   */
  List<String> logs(String endpoint, String name, int lines, String container);

  /** Whether a deployment serves this model version (a version in use cannot be deleted). */
  boolean modelInUse(ModelVersion version);
}
