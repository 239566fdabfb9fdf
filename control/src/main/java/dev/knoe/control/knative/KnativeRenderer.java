package dev.knoe.control.knative;

import dev.knoe.autoscaler.ScalingPolicy;
import dev.knoe.control.scoring.JvmMemory;
import dev.knoe.control.scoring.Scaling;
import dev.knoe.control.scoring.ScoringEnvironment;
import dev.knoe.control.spec.DeploymentSpec;
import dev.knoe.control.spec.EndpointSpec;
import dev.knoe.control.spec.Probe;
import dev.knoe.control.spec.SpecWriter;
import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.eventing.v1.TriggerBuilder;
import io.fabric8.knative.serving.v1.RevisionTemplateSpec;
import io.fabric8.knative.serving.v1.RevisionTemplateSpecBuilder;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import io.fabric8.knative.serving.v1.TrafficTarget;
import io.fabric8.knative.serving.v1.TrafficTargetBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The desired Knative and Knoe objects of an endpoint, as pure functions of its specs and the
 * platform's settings (DESIGN §4): one Knative Service per endpoint, each deployment generation a
 * revision with a fixed name and the deployment's traffic tag, traffic by revision name.
 *
 * <p>A revision runs the scoring function with {@code KNOE_AUTH=required}, its credentials from the
 * endpoint's auth Secret mounted as files (the function reloads them, so rotating a key never makes
 * a revision), the model downloaded and checked by a {@code storage-initializer} init container,
 * autoscaling as {@code autoscaling.knative.dev/*} annotations from the autoscaler module, and
 * resources, node selector and tolerations from the instance-type catalog.
 */
public final class KnativeRenderer {

  public static final String API_GROUP = "knoe.dev";
  public static final String API_VERSION = API_GROUP + "/v1alpha1";
  public static final String LABEL_ENDPOINT = "knoe.dev/endpoint";
  public static final String LABEL_DEPLOYMENT = "knoe.dev/deployment";
  public static final String ANNOTATION_GENERATION = "knoe.dev/generation";
  public static final String ANNOTATION_MODEL_SHA256 = "knoe.dev/model-sha256";

  /**
   * The OnlineDeployment's uid on each revision (Knative copies template annotations to it): a
   * revision is taken as serving a deployment only in the life it was made for.
   */
  public static final String ANNOTATION_DEPLOYMENT_UID = "knoe.dev/deployment-uid";

  static final String MODELS = "/mnt/models";
  static final String CODE = "/mnt/code";
  static final String AUTH = "/var/run/knoe/auth";
  static final String ROUTING = "/var/run/knoe/routing";
  static final String MIRROR_FILE = "mirror.json";

  /** The endpoint's keys, one per line, in its auth Secret (what KNOE_KEYS_FILE points at). */
  public static final String KEYS_FILE = "keys";

  /**
   * The events token in the auth Secret: the credential of {@code POST /events/<token>}, where the
   * endpoint's Triggers deliver (a Broker forwards no Authorization header).
   */
  public static final String EVENTS_TOKEN_FILE = "events-token";

  /** The path events are delivered to, under the endpoint's address. */
  public static final String EVENTS_PATH = "/events/";

  /**
   * The token {@code knoe render} writes into Triggers: the real one is in the cluster's auth
   * Secret.
   */
  public static final String PREVIEW_EVENTS_TOKEN = "events-token-from-the-auth-secret";

  /** The scoring container's port name: Knative reads {@code h2c} as HTTP/2 end to end. */
  static final String PORT_NAME = "h2c";

  /** The token verification key (PEM) in the auth Secret. */
  public static final String TOKEN_KEY_FILE = "token-key.pem";

  static final String CONTAINER = "scoring-function";
  static final String INITIALIZER = "storage-initializer";

  /** busybox's {@code nobody}: the storage initializer needs no more. */
  static final long INITIALIZER_USER = 65534;

  private final RenderSettings settings;

  public KnativeRenderer(RenderSettings settings) {
    this.settings = settings;
  }

  public RenderSettings settings() {
    return settings;
  }

  /**
   * The Knative Service: {@code template} is the revision being written, {@code traffic} where
   * requests go.
   */
  public Service service(
      EndpointSpec endpoint, RevisionTemplateSpec template, List<TrafficTarget> traffic) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(KnativeNames.service(endpoint.name()))
        .withNamespace(settings.namespace())
        .withLabels(labels(endpoint.name(), null))
        .endMetadata()
        .withNewSpec()
        .withTemplate(template)
        .withTraffic(traffic)
        .endSpec()
        .build();
  }

  /**
   * Traffic as the endpoint's {@code traffic} asks, each deployment at the revision given for it in
   * {@code revisions} (deployment name → revision name) and tagged with its name, so that the tag
   * URL and the {@code Knative-Serving-Tag} header reach it at any percentage. Knative needs a sum
   * of 100: with no traffic at all, 100 % goes to the {@link KnativeNames#noTrafficRevision} that
   * answers 404.
   */
  public List<TrafficTarget> traffic(EndpointSpec endpoint, Map<String, String> revisions) {
    List<TrafficTarget> targets = new ArrayList<>();
    int sum = 0;
    for (var e : revisions.entrySet()) {
      int percent = endpoint.traffic().getOrDefault(e.getKey(), 0);
      sum += percent;
      targets.add(
          new TrafficTargetBuilder()
              .withRevisionName(e.getValue())
              .withPercent((long) percent)
              .withTag(KnativeNames.tag(endpoint.name(), e.getKey()))
              .withLatestRevision(false)
              .build());
    }
    if (sum == 0) {
      targets.add(
          new TrafficTargetBuilder()
              .withRevisionName(KnativeNames.noTrafficRevision(endpoint.name()))
              .withPercent(100L)
              .withLatestRevision(false)
              .build());
    }
    return targets;
  }

  /** The revision template of one deployment generation. */
  public RevisionTemplateSpec template(EndpointSpec endpoint, DeploymentRevision d) {
    DeploymentSpec s = d.spec();
    InstanceType type = settings.catalog().require(s.instanceType());
    ScalingPolicy policy = Scaling.policy(s, settings.autoscaling());
    Map<String, String> annotations = new LinkedHashMap<>(policy.annotations());
    annotations.put(ANNOTATION_GENERATION, Long.toString(d.generation()));
    annotations.put(ANNOTATION_MODEL_SHA256, d.model().sha256());
    if (d.uid() != null) {
      annotations.put(ANNOTATION_DEPLOYMENT_UID, d.uid());
    }

    List<Volume> volumes =
        new ArrayList<>(
            List.of(
                new VolumeBuilder().withName("models").withNewEmptyDir().endEmptyDir().build(),
                new VolumeBuilder()
                    .withName("auth")
                    .withNewSecret()
                    .withSecretName(KnativeNames.authSecret(endpoint.name()))
                    .endSecret()
                    .build(),
                new VolumeBuilder()
                    .withName("routing")
                    .withNewConfigMap()
                    .withName(KnativeNames.routingConfigMap(endpoint.name()))
                    .endConfigMap()
                    .build()));
    List<VolumeMount> mounts =
        new ArrayList<>(
            List.of(
                mount("models", MODELS, true),
                mount("auth", AUTH, true),
                mount("routing", ROUTING, true)));
    List<VolumeMount> initMounts = new ArrayList<>(List.of(mount("models", MODELS, false)));
    if (d.code() != null) {
      volumes.add(new VolumeBuilder().withName("code").withNewEmptyDir().endEmptyDir().build());
      mounts.add(mount("code", CODE, true));
      initMounts.add(mount("code", CODE, false));
    }

    Map<String, Quantity> requests = new LinkedHashMap<>();
    Map<String, Quantity> limits = new LinkedHashMap<>();
    if (type.cpu() != null) {
      requests.put("cpu", new Quantity(type.cpu()));
      limits.put("cpu", new Quantity(type.cpu()));
    }
    if (type.memory() != null) {
      requests.put("memory", new Quantity(type.memory()));
      limits.put("memory", new Quantity(type.memory()));
    }
    if (type.gpus() > 0) {
      limits.put("nvidia.com/gpu", new Quantity(Integer.toString(type.gpus())));
    }

    Container scoring =
        new ContainerBuilder()
            .withName(CONTAINER)
            .withImage(
                s.image() != null
                    ? s.image()
                    : type.gpus() > 0 ? settings.gpuScoringImage() : settings.scoringImage())
            // h2c: the queue-proxy speaks HTTP/2 to the container, which gRPC needs (the scoring
            // function serves the Open Inference Protocol's gRPC and HTTP on this one port).
            .addNewPort()
            .withName(PORT_NAME)
            .withContainerPort(8080)
            .endPort()
            .withEnv(env(endpoint, d, type))
            .withResources(
                new ResourceRequirementsBuilder().withRequests(requests).withLimits(limits).build())
            .withReadinessProbe(probe("/v2/health/ready", s.readinessProbe()))
            .withLivenessProbe(probe("/v2/health/live", s.livenessProbe()))
            .withVolumeMounts(mounts)
            .withSecurityContext(restricted(null))
            .build();

    return new RevisionTemplateSpecBuilder()
        .withNewMetadata()
        .withName(d.revisionName())
        .withLabels(labels(endpoint.name(), s.name()))
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withContainerConcurrency((long) policy.containerConcurrency())
        .withTimeoutSeconds(
            (long) Math.max(1, (s.requestSettings().requestTimeoutMs() + 999) / 1000))
        .withInitContainers(initializer(d, initMounts))
        .withContainers(scoring)
        .withVolumes(volumes)
        .withNodeSelector(type.nodeSelector().isEmpty() ? null : type.nodeSelector())
        .withTolerations(tolerations(type))
        .endSpec()
        .build();
  }

  /**
   * The revision behind 100 % while no deployment has traffic: the scoring function answering 404.
   */
  public RevisionTemplateSpec noTrafficTemplate(EndpointSpec endpoint) {
    return new RevisionTemplateSpecBuilder()
        .withNewMetadata()
        .withName(KnativeNames.noTrafficRevision(endpoint.name()))
        .withLabels(labels(endpoint.name(), null))
        .withAnnotations(
            Map.of(
                "autoscaling.knative.dev/min-scale", "0", "autoscaling.knative.dev/max-scale", "1"))
        .endMetadata()
        .withNewSpec()
        .withContainers(
            new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(settings.scoringImage())
                .addNewPort()
                .withName(PORT_NAME)
                .withContainerPort(8080)
                .endPort()
                .withEnv(new EnvVar(ScoringEnvironment.NO_TRAFFIC_ENDPOINT, endpoint.name(), null))
                .withNewResources()
                .addToRequests("cpu", new Quantity("100m"))
                .addToRequests("memory", new Quantity("256Mi"))
                .endResources()
                .withSecurityContext(restricted(null))
                .build())
        .endSpec()
        .build();
  }

  /**
   * The endpoint's routing ConfigMap: its mirror rule ({@code mirror_traffic}), read by every
   * revision's scoring function from a mounted file, so a mirror change makes no new revision. The
   * copy goes to the mirror deployment's cluster-local tag address, {@code
   * <tag>-<service>.<namespace>.svc.cluster.local}.
   */
  public ConfigMap routing(EndpointSpec endpoint) {
    String rule = "{}";
    var mirror =
        endpoint.mirrorTraffic().entrySet().stream().filter(e -> e.getValue() > 0).findFirst();
    if (mirror.isPresent()) {
      String host =
          KnativeNames.tag(endpoint.name(), mirror.get().getKey())
              + "-"
              + KnativeNames.service(endpoint.name())
              + "."
              + settings.namespace()
              + ".svc.cluster.local";
      rule =
          "{\"deployment\": "
              + io.fabric8.kubernetes.client.utils.Serialization.asJson(mirror.get().getKey())
              + ", \"url\": \"http://"
              + host
              + "\", \"percent\": "
              + mirror.get().getValue()
              + "}";
    }
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(KnativeNames.routingConfigMap(endpoint.name()))
        .withNamespace(settings.namespace())
        .withLabels(labels(endpoint.name(), null))
        .endMetadata()
        .withData(Map.of(MIRROR_FILE, rule))
        .build();
  }

  /**
   * A Knative Eventing Trigger: events matching the filter go to the endpoint's Service, replies
   * back to the broker. Its subscriber is the Service's address with the path {@code
   * /events/<eventsToken>}: a Broker forwards no Authorization header, so the token in the path is
   * the credential the scoring function checks, in place of the endpoint's key.
   */
  public Trigger trigger(
      EndpointSpec endpoint, dev.knoe.control.spec.Trigger t, String eventsToken) {
    return new TriggerBuilder()
        .withNewMetadata()
        .withName(KnativeNames.trigger(endpoint.name(), t.broker(), t.filter()))
        .withNamespace(settings.namespace())
        .withLabels(labels(endpoint.name(), null))
        .endMetadata()
        .withNewSpec()
        .withBroker(t.broker())
        .withNewFilter()
        .withAttributes(t.filter())
        .endFilter()
        .withNewSubscriber()
        .withNewRef()
        .withApiVersion("serving.knative.dev/v1")
        .withKind("Service")
        .withName(KnativeNames.service(endpoint.name()))
        .endRef()
        .withUri(EVENTS_PATH + eventsToken)
        .endSubscriber()
        .endSpec()
        .build();
  }

  /**
   * The endpoint as the custom resource the reconciler reads ({@code kubectl apply}-able): its YAML
   * under spec.
   */
  public GenericKubernetesResource endpointResource(EndpointSpec endpoint) {
    // The spec keeps the Knoe name: the resource's name is a DNS label, which a Knoe name may not
    // be.
    return resource(
        "OnlineEndpoint",
        KnativeNames.endpointResource(endpoint.name()),
        SpecWriter.endpoint(endpoint));
  }

  /**
   * A deployment as its custom resource, named {@code <endpoint>-<deployment>} (its spec keeps the
   * Knoe names). On a cluster the model is a registered one ({@code name:version}; a local path
   * means nothing to a pod), with its digest in an annotation.
   */
  public GenericKubernetesResource deploymentResource(DeploymentRevision d) {
    Map<String, Object> spec = new LinkedHashMap<>(SpecWriter.deployment(d.spec()));
    spec.put("model", d.modelName() + ":" + d.modelVersion());
    GenericKubernetesResource r =
        resource(
            "OnlineDeployment",
            KnativeNames.deploymentResource(d.spec().endpointName(), d.name()),
            spec);
    r.getMetadata().setAnnotations(Map.of(ANNOTATION_MODEL_SHA256, d.model().sha256()));
    return r;
  }

  private GenericKubernetesResource resource(String kind, String name, Map<String, Object> spec) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(API_VERSION)
        .withKind(kind)
        .withNewMetadata()
        .withName(name)
        .withNamespace(settings.namespace())
        .endMetadata()
        .withAdditionalProperties(Map.of("spec", spec))
        .build();
  }

  private List<EnvVar> env(EndpointSpec endpoint, DeploymentRevision d, InstanceType type) {
    var pod =
        new ScoringEnvironment.Pod(
            endpoint.authMode(),
            endpoint.name(),
            AUTH + "/" + KEYS_FILE,
            AUTH + "/" + TOKEN_KEY_FILE,
            AUTH + "/" + EVENTS_TOKEN_FILE,
            ROUTING + "/" + MIRROR_FILE,
            type.gpus() > 0);
    Map<String, String> env =
        ScoringEnvironment.variables(
            d.spec(),
            endpoint.name(),
            MODELS + "/" + d.model().fileName(),
            d.modelName(),
            d.code() == null ? null : CODE + "/" + d.code().fileName(),
            pod);
    // The pod's memory limit is the instance type's; the heap's share of it is the same rule as
    // locally, and a KNOE_JAVA_OPTS of the deployment's environment_variables still comes last.
    env.put(
        ScoringEnvironment.JAVA_OPTS,
        JvmMemory.javaOpts(JvmMemory.heapShare(), env.get(ScoringEnvironment.JAVA_OPTS)));
    List<EnvVar> list = new ArrayList<>();
    env.forEach((k, v) -> list.add(new EnvVar(k, v, null)));
    return list;
  }

  /**
   * Downloads the model (and handler) with the model-reader token and checks each sha256; its log
   * ({@code get-logs --container storage-initializer}) says what it fetched and that it matched.
   */
  private Container initializer(DeploymentRevision d, List<VolumeMount> mounts) {
    StringBuilder script = new StringBuilder("set -eu\n");
    fetch(script, d.model(), MODELS);
    if (d.code() != null) {
      fetch(script, d.code(), CODE);
    }
    return new ContainerBuilder()
        .withName(INITIALIZER)
        .withImage(settings.storageInitializerImage())
        .withCommand("sh", "-c", script.toString())
        .withEnv(
            new EnvVarBuilder()
                .withName("KNOE_MODEL_TOKEN")
                .withNewValueFrom()
                .withNewSecretKeyRef()
                .withName(settings.modelReaderSecret())
                .withKey("token")
                .endSecretKeyRef()
                .endValueFrom()
                .build())
        .withVolumeMounts(mounts)
        .withSecurityContext(restricted(INITIALIZER_USER))
        .build();
  }

  private static void fetch(StringBuilder script, ArtifactSource a, String dir) {
    String file = dir + "/" + a.fileName();
    script
        .append("echo 'downloading ")
        .append(a.url())
        .append("'\n")
        .append("wget -q --header \"Authorization: Bearer $KNOE_MODEL_TOKEN\" -O ")
        .append(file)
        .append(" '")
        .append(a.url())
        .append("'\n")
        .append("echo '")
        .append(a.sha256())
        .append("  ")
        .append(file)
        .append("' | sha256sum -c -\n");
  }

  /**
   * Kubernetes' "restricted" pod security for a container: not root, no privilege escalation, no
   * capabilities, the runtime's default seccomp profile (Knative warns about each default that is
   * not so). The scoring images run as user 1001; busybox's image runs as root unless told, so the
   * storage initializer is given {@code nobody} ({@code runAsUser}), which can write the emptyDir.
   */
  private static SecurityContext restricted(Long runAsUser) {
    return new SecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(runAsUser)
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }

  private static io.fabric8.kubernetes.api.model.Probe probe(String path, Probe p) {
    return new io.fabric8.kubernetes.api.model.ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .endHttpGet()
        .withInitialDelaySeconds(p.initialDelay())
        .withPeriodSeconds(p.period())
        .withTimeoutSeconds(p.timeout())
        .withSuccessThreshold(p.successThreshold())
        .withFailureThreshold(p.failureThreshold())
        .build();
  }

  private static List<Toleration> tolerations(InstanceType type) {
    return type.tolerations().stream()
        .map(
            t ->
                new TolerationBuilder()
                    .withKey(t.key())
                    .withOperator(t.operator())
                    .withValue(t.value())
                    .withEffect(t.effect())
                    .build())
        .toList();
  }

  private static VolumeMount mount(String name, String path, boolean readOnly) {
    return new VolumeMountBuilder()
        .withName(name)
        .withMountPath(path)
        .withReadOnly(readOnly)
        .build();
  }

  private static Map<String, String> labels(String endpoint, String deployment) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/managed-by", "knoe");
    labels.put(LABEL_ENDPOINT, KnativeNames.service(endpoint));
    if (deployment != null) {
      labels.put(LABEL_DEPLOYMENT, KnativeNames.tag(endpoint, deployment));
    }
    return labels;
  }
}
