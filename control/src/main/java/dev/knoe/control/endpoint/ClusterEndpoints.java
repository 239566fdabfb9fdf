package dev.knoe.control.endpoint;

import dev.knoe.control.cluster.AuthSecrets;
import dev.knoe.control.cluster.AzureYamlSpec;
import dev.knoe.control.cluster.OnlineDeployment;
import dev.knoe.control.cluster.OnlineDeploymentStatus;
import dev.knoe.control.cluster.OnlineEndpoint;
import dev.knoe.control.cluster.OnlineEndpointStatus;
import dev.knoe.control.cluster.SpecTrees;
import dev.knoe.control.credentials.EndpointKeys;
import dev.knoe.control.credentials.TokenIssuer;
import dev.knoe.control.knative.KnativeNames;
import dev.knoe.control.knative.KnativeRenderer;
import dev.knoe.control.model.ModelRegistry;
import dev.knoe.control.model.ModelVersion;
import dev.knoe.control.spec.AuthMode;
import dev.knoe.control.spec.DeploymentSpec;
import dev.knoe.control.spec.EndpointSpec;
import dev.knoe.control.spec.ModelRef;
import dev.knoe.control.spec.SpecException;
import dev.knoe.control.spec.SpecWriter;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The endpoint API in cluster mode: endpoints and deployments are their OnlineEndpoint and
 * OnlineDeployment resources, which the reconciler turns into Knative objects and whose status it
 * writes; an endpoint's keys live in its auth Secret (mounted into the pods, which reload it).
 *
 * <p>The rules are the local control plane's: specs validated the same way, traffic only to
 * deployments that exist, no deletion of a deployment with traffic, models from the registry.
 * {@code If-Match} compares with the resource's {@code metadata.generation} (its ETag). Each write
 * carries the {@code resourceVersion} it read; when something wrote in between (often the
 * reconciler's status), the operation reads and checks again: the rules always, and with {@code
 * If-Match} a concurrent spec change, by the API or by {@code kubectl}, is a 412 rather than lost
 * (without it, a PUT replaces what is there, as locally).
 */
public final class ClusterEndpoints implements Endpoints {

  private static final Logger LOG = Logger.getLogger(ClusterEndpoints.class);

  /** On an OnlineEndpoint: the deployments being deleted through the API, comma-separated. */
  static final String ANNOTATION_DELETING = "knoe.dev/deleting-deployments";

  private final KubernetesClient client;
  private final String namespace;
  private final TokenIssuer tokens;
  private final ModelRegistry models;

  public ClusterEndpoints(
      KubernetesClient client, String namespace, TokenIssuer tokens, ModelRegistry models) {
    this.client = client;
    this.namespace = namespace;
    this.tokens = tokens;
    this.models = models;
  }

  @Override
  public Platform platform() {
    return new Platform("knative", namespace);
  }

  // ---------------------------------------------------------------- endpoints

  @Override
  public List<EndpointView> endpoints() {
    return client.resources(OnlineEndpoint.class).inNamespace(namespace).list().getItems().stream()
        .sorted(Comparator.comparing(e -> e.getMetadata().getName()))
        .map(ClusterEndpoints::view)
        .toList();
  }

  @Override
  public EndpointView endpoint(String name) {
    return view(endpointResource(name));
  }

  /** Creates the endpoint's resource, or replaces its spec ({@code createOnly} false). */
  @Override
  public EndpointView putEndpoint(EndpointSpec spec, String ifMatch, boolean createOnly) {
    return retryingStaleReads(() -> putEndpointOnce(spec, ifMatch, createOnly));
  }

  private EndpointView putEndpointOnce(EndpointSpec spec, String ifMatch, boolean createOnly) {
    // Read first: the update below carries this resourceVersion, and a deployment delete marks the
    // endpoint before it goes, so traffic can never be given to a deployment being deleted.
    OnlineEndpoint old = find(spec.name()).orElse(null);
    Set<String> deployments =
        deploymentResources(spec.name()).stream()
            .map(d -> SpecTrees.deploymentName(d, KnativeNames.endpointResource(spec.name())))
            .collect(Collectors.toCollection(java.util.HashSet::new));
    if (old != null) {
      deployments.removeAll(deleting(old));
    }
    if (old == null) {
      Rules.ifMatchAbsent("endpoint '" + spec.name() + "'", ifMatch);
      Rules.traffic(spec, deployments);
      OnlineEndpoint cr = new OnlineEndpoint();
      cr.setMetadata(
          new ObjectMetaBuilder()
              .withName(KnativeNames.endpointResource(spec.name()))
              .withNamespace(namespace)
              .build());
      cr.setSpec(new AzureYamlSpec(SpecWriter.endpoint(spec)));
      OnlineEndpoint made = create(cr, Rules.endpointExists(spec.name()));
      LOG.infof("Created OnlineEndpoint %s/%s", namespace, made.getMetadata().getName());
      return view(made);
    }
    if (createOnly) {
      throw Rules.endpointExists(spec.name());
    }
    Rules.ifMatch("endpoint '" + spec.name() + "'", etag(old), ifMatch);
    Rules.traffic(spec, deployments);
    Optional<AuthMode> mode = authMode(old);
    if (mode.isPresent() && mode.get() != spec.authMode()) {
      // The pods read the key file or the token key file their revision was made with.
      throw new EndpointException.Invalid(
          "auth_mode cannot change on an existing endpoint (it is "
              + mode.get().value()
              + "); delete and create the endpoint to change it");
    }
    old.setSpec(new AzureYamlSpec(SpecWriter.endpoint(spec)));
    OnlineEndpoint updated = update(old, "endpoint '" + spec.name() + "'");
    LOG.infof(
        "Updated OnlineEndpoint %s/%s: traffic %s, mirror %s",
        namespace, updated.getMetadata().getName(), spec.traffic(), spec.mirrorTraffic());
    return view(updated);
  }

  /**
   * Deletes the endpoint, then its deployments (which a cluster's garbage collector would remove
   * too, through their owner references); the reconciler removes what it made for them. The
   * endpoint goes first so that a stale {@code If-Match} deletes nothing.
   */
  @Override
  public void deleteEndpoint(String name, String ifMatch) {
    retryingStaleReads(
        () -> {
          deleteEndpointOnce(name, ifMatch);
          return null;
        });
  }

  private void deleteEndpointOnce(String name, String ifMatch) {
    OnlineEndpoint e = endpointResource(name);
    String what = "endpoint '" + name + "'";
    Rules.ifMatch(what, etag(e), ifMatch);
    delete(e, ifMatch, what);
    for (OnlineDeployment d : deploymentResources(name)) {
      client.resource(d).delete();
    }
    LOG.infof(
        "Deleted OnlineEndpoint %s/%s and its deployments", namespace, e.getMetadata().getName());
  }

  @Override
  public EndpointKeys keys(String name) {
    requireKeyAuth(name);
    return AuthSecrets.keys(authSecret(name).map(Secret::getData).orElse(null))
        .orElseThrow(this::noKeysYet);
  }

  /**
   * A new primary or secondary key in the auth Secret. The pods see the file change when the
   * kubelet refreshes the mounted Secret (about a minute), with no new revision; until then the old
   * key is still accepted.
   */
  @Override
  public EndpointKeys regenerateKey(String name, String keyType, String ifMatch) {
    return retryingStaleReads(() -> regenerateKeyOnce(name, keyType, ifMatch));
  }

  /**
   * {@code If-Match} is compared with the endpoint's ETag, which the keys (in the Secret) do not
   * move: it refuses a tag read before the endpoint changed, or was deleted and created again.
   */
  private EndpointKeys regenerateKeyOnce(String name, String keyType, String ifMatch) {
    OnlineEndpoint e = endpointResource(name);
    Rules.ifMatch("endpoint '" + name + "'", etag(e), ifMatch);
    Rules.keyAuth(name, knownAuthMode(e));
    Secret secret = authSecret(name).orElseThrow(this::noKeysYet);
    EndpointKeys keys = AuthSecrets.keys(secret.getData()).orElseThrow(this::noKeysYet);
    EndpointKeys next = Rules.keyType(() -> keys.regenerate(keyType == null ? "" : keyType));
    secret.getData().put(AuthSecrets.KEYS_FILE, AuthSecrets.keysData(next));
    update(secret, "the keys of endpoint '" + name + "'");
    LOG.infof(
        "Regenerated the %s key of endpoint %s (Secret %s)",
        keyType, name, secret.getMetadata().getName());
    return next;
  }

  @Override
  public TokenIssuer.Token token(String name) {
    Rules.tokenAuth(name, knownAuthMode(endpointResource(name)));
    return tokens.issue(name);
  }

  // ---------------------------------------------------------------- deployments

  @Override
  public List<DeploymentView> deployments(String endpoint) {
    endpointResource(endpoint);
    return deploymentResources(endpoint).stream().map(d -> view(d, endpoint)).toList();
  }

  @Override
  public DeploymentView deployment(String endpoint, String name) {
    return view(deploymentResource(endpoint, name), endpoint);
  }

  /**
   * Creates or replaces a deployment's resource. The model must be registered (the CLI uploads a
   * {@code model.path} first); the resource pins the version a {@code latest} reference meant, with
   * its sha256 in an annotation.
   */
  @Override
  public DeploymentView putDeployment(DeploymentSpec spec, String ifMatch, boolean createOnly) {
    return retryingStaleReads(() -> putDeploymentOnce(spec, ifMatch, createOnly));
  }

  private DeploymentView putDeploymentOnce(
      DeploymentSpec spec, String ifMatch, boolean createOnly) {
    String ep = spec.endpointName();
    OnlineEndpoint owner = endpointResource(ep);
    String what = "deployment '" + spec.name() + "' of endpoint '" + ep + "'";
    if (spec.model().isInline()) {
      throw new EndpointException.Invalid(
          "model.path "
              + spec.model().path()
              + " is a path on the machine that sent it;"
              + " a cluster's pods download registered models: 'knoe online-deployment create' uploads it for you, or"
              + " register it with 'knoe model create --name "
              + ep
              + "-"
              + spec.name()
              + " --path <file>' and write"
              + " model: "
              + ep
              + "-"
              + spec.name()
              + ":1");
    }
    if (spec.codeConfiguration() != null) {
      throw new EndpointException.Invalid(
          "code_configuration: custom handler jars cannot be delivered to a cluster yet;"
              + " build an image with the handler and set environment.image");
    }
    ModelVersion model = models.resolve(spec.model().name(), spec.model().version());
    Map<String, Object> fields = new LinkedHashMap<>(SpecWriter.deployment(spec));
    fields.put("model", model.reference());
    Map<String, String> annotations =
        Map.of(KnativeRenderer.ANNOTATION_MODEL_SHA256, model.sha256());
    Optional<OnlineDeployment> old = findDeployment(ep, spec.name());
    if (old.isEmpty()) {
      Rules.ifMatchAbsent(what, ifMatch);
      Set<String> existing =
          deploymentResources(ep).stream()
              .map(d -> SpecTrees.deploymentName(d, KnativeNames.endpointResource(ep)))
              .collect(Collectors.toSet());
      Rules.deploymentLimit(ep, existing, spec.name());
      String resource = KnativeNames.deploymentResource(ep, spec.name());
      OnlineDeployment taken =
          client.resources(OnlineDeployment.class).inNamespace(namespace).withName(resource).get();
      if (taken != null) {
        // Names join with dashes: endpoint a + deployment b-x and endpoint a-b + deployment x meet.
        String takenBy = SpecTrees.endpointResourceOf(taken);
        throw new EndpointException.Conflict(
            "the resource name "
                + resource
                + " of "
                + what
                + " is taken by "
                + (takenBy == null
                    ? "another OnlineDeployment"
                    : "deployment '"
                        + SpecTrees.deploymentName(taken, takenBy)
                        + "' of endpoint resource '"
                        + takenBy
                        + "'")
                + " (its Knative revisions would be named alike too); choose another deployment name");
      }
      markDeleting(owner, spec.name(), false); // a name deleted before may come back
      OnlineDeployment cr = new OnlineDeployment();
      // Owned by the endpoint: Kubernetes' garbage collector removes it with the endpoint, even one
      // deleted while this was being created.
      cr.setMetadata(
          new ObjectMetaBuilder()
              .withName(resource)
              .withNamespace(namespace)
              .withAnnotations(annotations)
              .withOwnerReferences(
                  new OwnerReferenceBuilder()
                      .withApiVersion(KnativeRenderer.API_VERSION)
                      .withKind("OnlineEndpoint")
                      .withName(owner.getMetadata().getName())
                      .withUid(owner.getMetadata().getUid())
                      .build())
              .build());
      cr.setSpec(new AzureYamlSpec(fields));
      OnlineDeployment made = create(cr, Rules.deploymentExists(ep, spec.name()));
      Optional<OnlineEndpoint> still = find(ep);
      if (still.isEmpty()
          || !Objects.equals(still.get().getMetadata().getUid(), owner.getMetadata().getUid())) {
        client.resource(made).delete();
        throw new EndpointException.NotFound(
            "endpoint '" + ep + "' was deleted while " + what + " was being created");
      }
      LOG.infof(
          "Created OnlineDeployment %s/%s (model %s)",
          namespace, made.getMetadata().getName(), model.reference());
      return view(made, ep);
    }
    if (createOnly) {
      throw Rules.deploymentExists(ep, spec.name());
    }
    OnlineDeployment d = old.get();
    Rules.ifMatch(what, etag(d), ifMatch);
    d.setSpec(new AzureYamlSpec(fields));
    Map<String, String> merged =
        new LinkedHashMap<>(
            d.getMetadata().getAnnotations() == null ? Map.of() : d.getMetadata().getAnnotations());
    merged.putAll(annotations);
    d.getMetadata().setAnnotations(merged);
    OnlineDeployment updated = update(d, what);
    LOG.infof(
        "Updated OnlineDeployment %s/%s (model %s)",
        namespace, updated.getMetadata().getName(), model.reference());
    return view(updated, ep);
  }

  /** Refused while the deployment has live or mirrored traffic, as locally. */
  @Override
  public void deleteDeployment(String endpoint, String name, String ifMatch) {
    retryingStaleReads(
        () -> {
          deleteDeploymentOnce(endpoint, name, ifMatch);
          return null;
        });
  }

  private void deleteDeploymentOnce(String endpoint, String name, String ifMatch) {
    OnlineDeployment d = deploymentResource(endpoint, name);
    String what = "deployment '" + name + "' of endpoint '" + endpoint + "'";
    Rules.ifMatch(what, etag(d), ifMatch);
    OnlineEndpoint e = endpointResource(endpoint);
    Rules.deletable(endpoint, name, shares(e, "traffic"), shares(e, "mirror_traffic"));
    // The mark fails if the endpoint changed since it was read, and the check runs again on what is
    // read then (traffic given to this deployment meanwhile is a 409); once made, traffic updates
    // no longer see the deployment.
    markDeleting(e, name, true);
    try {
      delete(d, ifMatch, what);
    } catch (KubernetesClientException | StaleRead ex) {
      unmarkAfterFailedDelete(endpoint, name, ex);
      throw ex;
    }
    LOG.infof("Deleted OnlineDeployment %s/%s", namespace, d.getMetadata().getName());
  }

  /**
   * The deployment is still there, so traffic may go to it again. The failure of the delete is what
   * the user must hear about: the un-mark's own conflicts are retried here, its other failures only
   * logged.
   */
  private void unmarkAfterFailedDelete(String endpoint, String name, RuntimeException cause) {
    try {
      retryingStaleReads(
          () -> {
            find(endpoint).ifPresent(now -> markDeleting(now, name, false));
            return null;
          });
      return;
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
    }
    LOG.warnf(
        "Deployment %s of endpoint %s was not deleted (%s) and is still marked in the annotation %s of its"
            + " endpoint, so traffic cannot be given to it: delete it again, or remove it from that annotation",
        name, endpoint, cause.getMessage(), ANNOTATION_DELETING);
  }

  /**
   * The last lines of each pod of the deployment's current revision, prefixed with the pod's name.
   */
  @Override
  public List<String> logs(String endpoint, String name, int lines, String container) {
    OnlineDeployment d = deploymentResource(endpoint, name);
    String revision = d.getStatus() == null ? null : d.getStatus().revision();
    // The Azure container names, as Knative names its containers: the user container and the init
    // one.
    String inPod =
        container.equals("storage-initializer") ? "storage-initializer" : "scoring-function";
    List<String> out = new ArrayList<>();
    if (revision == null) {
      out.add("(no revision of deployment '" + name + "' has been made yet)");
      return out;
    }
    List<Pod> pods =
        client
            .pods()
            .inNamespace(namespace)
            .withLabel("serving.knative.dev/revision", revision)
            .list()
            .getItems();
    if (pods.isEmpty()) {
      out.add("(no pod of revision " + revision + " runs now: scaled to zero, or not started)");
    }
    for (Pod p : pods) {
      String pod = p.getMetadata().getName();
      try {
        String log =
            client
                .pods()
                .inNamespace(namespace)
                .withName(pod)
                .inContainer(inPod)
                .tailingLines(lines)
                .getLog();
        log.lines().forEach(l -> out.add(pod + " " + l));
      } catch (KubernetesClientException e) {
        out.add("(" + pod + ": cannot read the logs of " + inPod + ": " + e.getMessage() + ")");
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- resources

  private Optional<OnlineEndpoint> find(String name) {
    return Optional.ofNullable(
        client
            .resources(OnlineEndpoint.class)
            .inNamespace(namespace)
            .withName(KnativeNames.endpointResource(name))
            .get());
  }

  private OnlineEndpoint endpointResource(String name) {
    return find(name).orElseThrow(() -> Rules.noEndpoint(name, " in namespace " + namespace));
  }

  private List<OnlineDeployment> deploymentResources(String endpoint) {
    String resource = KnativeNames.endpointResource(endpoint);
    return client
        .resources(OnlineDeployment.class)
        .inNamespace(namespace)
        .list()
        .getItems()
        .stream()
        .filter(d -> resource.equals(SpecTrees.endpointResourceOf(d)))
        .sorted(Comparator.comparing(d -> d.getMetadata().getName()))
        .toList();
  }

  private Optional<OnlineDeployment> findDeployment(String endpoint, String name) {
    String resource = KnativeNames.endpointResource(endpoint);
    return deploymentResources(endpoint).stream()
        .filter(d -> name.equals(SpecTrees.deploymentName(d, resource)))
        .findFirst();
  }

  private OnlineDeployment deploymentResource(String endpoint, String name) {
    endpointResource(endpoint);
    return findDeployment(endpoint, name)
        .orElseThrow(
            () ->
                Rules.noDeployment(
                    endpoint,
                    name,
                    deploymentResources(endpoint).stream()
                        .map(
                            d ->
                                SpecTrees.deploymentName(
                                    d, KnativeNames.endpointResource(endpoint)))
                        .toList()));
  }

  private Optional<Secret> authSecret(String endpoint) {
    return Optional.ofNullable(
        client.secrets().inNamespace(namespace).withName(KnativeNames.authSecret(endpoint)).get());
  }

  private void requireKeyAuth(String name) {
    Rules.keyAuth(name, knownAuthMode(endpointResource(name)));
  }

  private EndpointException noKeysYet() {
    return new EndpointException.Conflict(
        "the endpoint has no keys yet: the reconciler makes its auth Secret; try again in a moment");
  }

  /**
   * The endpoint's auth mode; empty when its resource (applied with kubectl) names an unknown one.
   */
  private static Optional<AuthMode> authMode(OnlineEndpoint e) {
    String value = e.getSpec() == null ? null : e.getSpec().string("auth_mode");
    return value == null ? Optional.of(AuthMode.KEY) : AuthMode.fromValue(value);
  }

  private static AuthMode knownAuthMode(OnlineEndpoint e) {
    return authMode(e)
        .orElseThrow(
            () ->
                new EndpointException.Invalid(
                    "endpoint '"
                        + SpecTrees.endpointName(e)
                        + "' has auth_mode '"
                        + e.getSpec().string("auth_mode")
                        + "', which is not key or aml_token:"
                        + " fix its OnlineEndpoint resource (the reconciler reports it Failed)"));
  }

  /** The deployments a delete has marked on the endpoint (see {@link #deleteDeployment}). */
  private static Set<String> deleting(OnlineEndpoint e) {
    Map<String, String> a = e.getMetadata().getAnnotations();
    String marked = a == null ? null : a.get(ANNOTATION_DELETING);
    return marked == null || marked.isBlank()
        ? Set.of()
        : java.util.Arrays.stream(marked.split(",")).map(String::strip).collect(Collectors.toSet());
  }

  /**
   * Marks (or unmarks) a deployment as being deleted on its endpoint, guarded by the
   * resourceVersion read.
   */
  private void markDeleting(OnlineEndpoint e, String deployment, boolean mark) {
    java.util.TreeSet<String> names = new java.util.TreeSet<>(deleting(e));
    if (mark ? !names.add(deployment) : !names.remove(deployment)) {
      return;
    }
    Map<String, String> a =
        new LinkedHashMap<>(
            e.getMetadata().getAnnotations() == null ? Map.of() : e.getMetadata().getAnnotations());
    if (names.isEmpty()) {
      a.remove(ANNOTATION_DELETING);
    } else {
      a.put(ANNOTATION_DELETING, String.join(",", names));
    }
    e.getMetadata().setAnnotations(a);
    update(e, "endpoint '" + SpecTrees.endpointName(e) + "'");
  }

  /**
   * {@code traffic} or {@code mirror_traffic} of an endpoint resource as written, without judging
   * the rest of it.
   */
  private static Map<String, Integer> shares(OnlineEndpoint e, String key) {
    Object v = e.getSpec() == null ? null : e.getSpec().getFields().get(key);
    Map<String, Integer> out = new LinkedHashMap<>();
    if (v instanceof Map<?, ?> m) {
      m.forEach((k, n) -> out.put(String.valueOf(k), n instanceof Number num ? num.intValue() : 1));
    }
    return out;
  }

  private <T extends HasMetadata> T create(T resource, EndpointException exists) {
    try {
      return client.resource(resource).create();
    } catch (KubernetesClientException e) {
      throw e.getCode() == 409 ? exists : e;
    }
  }

  /**
   * Writes with the resourceVersion read: a change in between is never lost, see {@link
   * #retryingStaleReads}.
   */
  private <T extends HasMetadata> T update(T resource, String what) {
    try {
      return client.resource(resource).update();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        throw new StaleRead(what);
      }
      throw e;
    }
  }

  /**
   * Deletes; with {@code If-Match}, only the version read (its resourceVersion as the delete's
   * precondition), so that a change after the tag was checked is not deleted unseen: see {@link
   * #retryingStaleReads}.
   */
  private void delete(HasMetadata resource, String ifMatch, String what) {
    try {
      if (ifMatch == null) {
        client.resource(resource).delete();
      } else {
        client.resource(resource).lockResourceVersion().delete();
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409 && ifMatch != null) {
        throw new StaleRead(what);
      }
      throw e;
    }
  }

  /** A write met a newer resourceVersion than the one its operation read. */
  private static final class StaleRead extends RuntimeException {
    StaleRead(String what) {
      super(what, null, false, false);
    }
  }

  private static final int STALE_READ_ATTEMPTS = 5;

  /**
   * Runs {@code op} again, from its reads, when one of its writes met a newer resourceVersion: the
   * reconciler writes status all the time, which must not fail a user's update. The If-Match and
   * the rules are checked again on what is read, so a spec changed meanwhile by someone else is
   * still a 412.
   */
  private <T> T retryingStaleReads(Supplier<T> op) {
    for (int attempt = 1; ; attempt++) {
      try {
        return op.get();
      } catch (StaleRead e) {
        if (attempt == STALE_READ_ATTEMPTS) {
          throw new EndpointException.PreconditionFailed(
              e.getMessage()
                  + " kept changing while this update was made ("
                  + attempt
                  + " tries); read it again and retry");
        }
        LOG.debugf(
            "%s changed between read and write; reading it again (try %d)",
            e.getMessage(), attempt + 1);
      }
    }
  }

  /**
   * The generation, which only a spec change moves (not status), with the resource's uid, so an
   * ETag read before a delete and re-create never matches the new resource.
   */
  private static String etag(HasMetadata r) {
    String uid = r.getMetadata().getUid();
    return generation(r) + (uid == null ? "" : "." + uid);
  }

  private static long generation(HasMetadata r) {
    Long g = r.getMetadata().getGeneration();
    return g == null ? 1 : g;
  }

  // ---------------------------------------------------------------- views

  private static EndpointView view(OnlineEndpoint e) {
    Map<String, Object> spec =
        new LinkedHashMap<>(e.getSpec() == null ? Map.of() : e.getSpec().getFields());
    spec.putIfAbsent("name", SpecTrees.endpointName(e));
    OnlineEndpointStatus status = e.getStatus();
    Map<String, EndpointView.DeploymentSummary> deployments = null;
    if (status != null && status.deployments() != null) {
      deployments = new LinkedHashMap<>();
      for (var d : status.deployments().entrySet()) {
        deployments.put(
            d.getKey(),
            new EndpointView.DeploymentSummary(
                d.getValue().provisioningState(),
                null,
                null,
                d.getValue().revision(),
                d.getValue().url()));
      }
    }
    return new EndpointView(
        spec,
        status == null
            ? "Creating"
            : state(e, status.provisioningState(), status.observedGeneration()),
        status == null ? null : status.message(),
        status == null ? null : status.scoringUri(),
        status == null ? null : status.openapiUri(),
        shares(e, "traffic"),
        shares(e, "mirror_traffic"),
        status == null ? null : status.traffic(),
        deployments,
        generation(e),
        createdAt(e),
        null,
        etag(e));
  }

  private DeploymentView view(OnlineDeployment d, String endpoint) {
    Map<String, Object> spec =
        new LinkedHashMap<>(d.getSpec() == null ? Map.of() : d.getSpec().getFields());
    String name = SpecTrees.deploymentName(d, KnativeNames.endpointResource(endpoint));
    spec.putIfAbsent("name", name);
    OnlineDeploymentStatus status = d.getStatus();
    return new DeploymentView(
        spec,
        endpoint,
        name,
        status == null
            ? "Creating"
            : state(d, status.provisioningState(), status.observedGeneration()),
        status == null ? null : status.message(),
        model(d).flatMap(this::registered).orElse(null),
        status == null || status.readyInstances() == null ? 0 : status.readyInstances(),
        null,
        null,
        null,
        status == null ? null : status.revision(),
        status == null ? null : status.url(),
        status == null ? null : status.scoringUri(),
        generation(d),
        createdAt(d),
        null,
        etag(d));
  }

  /** The registered model version a deployment resource names, as the API or kubectl wrote it. */
  private static Optional<ModelRef> model(OnlineDeployment d) {
    Object model = d.getSpec() == null ? null : d.getSpec().getFields().get("model");
    try {
      if (model instanceof String text) {
        return Optional.of(ModelRef.parse(text));
      }
      if (model instanceof Map<?, ?> m && m.get("name") != null) {
        return Optional.of(
            ModelRef.registered(String.valueOf(m.get("name")), String.valueOf(m.get("version"))));
      }
    } catch (SpecException e) {
      // written by hand and wrong: the reconciler reports it on the resource
    }
    return Optional.empty();
  }

  /**
   * Whether an OnlineDeployment of the namespace serves this model version: its pods download it at
   * every start.
   */
  @Override
  public boolean modelInUse(ModelVersion v) {
    return client
        .resources(OnlineDeployment.class)
        .inNamespace(namespace)
        .list()
        .getItems()
        .stream()
        .flatMap(d -> model(d).stream())
        .anyMatch(r -> v.reference().equals(r.reference()));
  }

  private Optional<ModelVersion> registered(ModelRef r) {
    try {
      return models.find(r.name(), Integer.parseInt(r.version()));
    } catch (NumberFormatException e) {
      return Optional.empty(); // a version the registry never assigns: no such model here
    }
  }

  private static Instant createdAt(HasMetadata r) {
    String created = r.getMetadata().getCreationTimestamp();
    return created == null ? null : Instant.parse(created);
  }

  /**
   * The reconciler's state, unless it speaks of an older spec: a change it has not seen yet is
   * Updating, so a client waiting for Succeeded waits for this change.
   */
  private static String state(HasMetadata r, String reported, Long observedGeneration) {
    if (observedGeneration == null || observedGeneration >= generation(r)) {
      return reported;
    }
    return "Creating".equals(reported) ? "Creating" : "Updating";
  }
}
