package dev.knoe.control.serve;

import dev.knoe.autoscaler.ScalingPolicy;
import dev.knoe.control.cluster.ClusterController;
import dev.knoe.control.cluster.Reconciler;
import dev.knoe.control.cluster.RegistryModelResolver;
import dev.knoe.control.credentials.TokenIssuer;
import dev.knoe.control.endpoint.ClusterEndpoints;
import dev.knoe.control.knative.InstanceTypeCatalog;
import dev.knoe.control.knative.RenderSettings;
import dev.knoe.control.model.ModelRegistry;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import org.jboss.logging.Logger;

/**
 * {@code knoe serve} on a cluster ({@code KNOE_BACKEND=knative}): runs the leader-elected
 * reconciler that turns OnlineEndpoint and OnlineDeployment resources into Knative objects, with
 * models from this control plane's registry. The control API serves models as everywhere (upload,
 * list, and the downloads of the pods' storage initializers) and endpoints and deployments as their
 * custom resources ({@link ClusterEndpoints}), which {@code kubectl apply} may write too.
 */
@ApplicationScoped
public class ClusterMode {

  private static final Logger LOG = Logger.getLogger(ClusterMode.class);

  @Inject ControlConfig config;
  @Inject ModelRegistry models;
  @Inject TokenIssuer tokens;

  private KubernetesClient client;
  private String namespace;
  private ClusterController controller;
  private ClusterEndpoints endpoints;

  /** The endpoint service on the cluster's resources; only in cluster mode, once started. */
  ClusterEndpoints endpoints() {
    if (endpoints == null) {
      throw new IllegalStateException("not in cluster mode, or not started");
    }
    return endpoints;
  }

  void start(@Observes StartupEvent event) {
    if (!config.clusterMode()) {
      return;
    }
    client =
        config
            .kubernetes()
            .kubeconfig()
            .map(file -> new KubernetesClientBuilder().withConfig(kubeconfig(file)).build())
            .orElseGet(() -> new KubernetesClientBuilder().build());
    namespace =
        config
            .namespace()
            .orElseGet(() -> client.getNamespace() == null ? "default" : client.getNamespace());
    RenderSettings defaults = RenderSettings.defaults(namespace);
    InstanceTypeCatalog catalog;
    try {
      catalog =
          config.instanceTypesFile().isPresent()
              ? InstanceTypeCatalog.read(Path.of(config.instanceTypesFile().get()))
              : defaults.catalog();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the instance-type catalog: " + e.getMessage(), e);
    }
    ScalingPolicy autoscaling = Platform.autoscalerBase(config.autoscaler());
    RenderSettings settings =
        new RenderSettings(
            namespace,
            config.scoringImage().orElse(defaults.scoringImage()),
            RenderSettings.gpuScoringImage(
                config.gpuScoringImage().orElse(null), config.scoringImage().orElse(null)),
            config.storageInitializerImage().orElse(defaults.storageInitializerImage()),
            config.modelReaderSecret(),
            catalog,
            autoscaling);
    String controlUrl = config.controlUrl().orElse("http://knoe." + namespace + ".svc:8500");
    Reconciler reconciler =
        new Reconciler(
            client,
            settings,
            new RegistryModelResolver(models, controlUrl),
            tokens::publicKeyPem,
            Clock.systemUTC());
    endpoints = new ClusterEndpoints(client, namespace, tokens, models);
    controller = new ClusterController(client, namespace, reconciler);
    controller.start();
    LOG.infof(
        "Cluster mode: reconciling OnlineEndpoints and OnlineDeployments in namespace %s into Knative"
            + " Services (models from %s)",
        namespace, controlUrl);
  }

  private static io.fabric8.kubernetes.client.Config kubeconfig(String file) {
    try {
      return io.fabric8.kubernetes.client.Config.fromKubeconfig(
          java.nio.file.Files.readString(Path.of(file)));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read the kubeconfig " + file + ": " + e.getMessage(), e);
    }
  }

  void stop(@Observes ShutdownEvent event) {
    if (controller != null) {
      controller.close();
    }
    if (client != null) {
      client.close();
    }
  }
}
