package dev.knoe.control.cluster;

import dev.knoe.control.cluster.resources.Desired;
import dev.knoe.control.credentials.EndpointKeys;
import dev.knoe.control.knative.DeploymentRevision;
import dev.knoe.control.knative.KnativeNames;
import dev.knoe.control.knative.KnativeRenderer;
import dev.knoe.control.knative.RenderSettings;
import dev.knoe.control.spec.DeploymentSpec;
import dev.knoe.control.spec.EndpointSpec;
import dev.knoe.control.spec.SpecException;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.pkg.apis.Condition;
import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.RevisionTemplateSpec;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.TrafficTarget;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Turns one endpoint's custom resources into its Knative objects and writes their status back: a
 * short script, idempotent (a second run in a row writes nothing), with no sleeps; what it waits
 * for is said by the {@link Result} (requeue after {@link #WAIT}).
 *
 * <p>Each run reads the OnlineEndpoint, its OnlineDeployments, the Knative Service and its
 * Revisions, then:
 *
 * <ol>
 *   <li>an endpoint that is gone: deletes the Service, Triggers and auth Secret Knoe made for it (a
 *       cluster's garbage collector does too, through owner references);
 *   <li>an endpoint spec that does not parse: status Failed with every problem, nothing else
 *       touched;
 *   <li>creates the auth Secret if missing (never changes its keys) and makes the Triggers the
 *       spec's (one the cluster refuses fails the endpoint's status, not the rest of the run);
 *   <li>the Service's traffic: by {@link TrafficPlanner}, over Ready revisions only; a share
 *       needing the 404 revision waits, on an existing Service, until that revision is Ready;
 *   <li>the Service's template: the revision of the oldest deployment generation that has no
 *       Revision yet (one at a time), else the 404 revision's when traffic needs it and it does not
 *       exist, else unchanged;
 *   <li>status of every deployment and of the endpoint, written only when it changed.
 * </ol>
 *
 * <p>The objects wanted are built by {@link Desired} (pure); status changes are the lifecycle
 * methods of {@link OnlineEndpointStatus} and {@link OnlineDeploymentStatus}. Writes are get →
 * modify → update with the read resourceVersion; a conflict requeues at once.
 */
public final class Reconciler {

  /** How soon to look again while waiting for Knative (watch events usually come first). */
  public static final Duration WAIT = Duration.ofSeconds(2);

  /** How soon to try again what the cluster refused (a Trigger). */
  public static final Duration RETRY = Duration.ofSeconds(30);

  /** How soon to look again after a write conflict. */
  public static final Duration CONFLICT = Duration.ofMillis(200);

  static final String SERVICE_LABEL = "serving.knative.dev/service";
  static final String MANAGED_BY = Desired.MANAGED_BY;
  static final String KEYS_FILE = AuthSecrets.KEYS_FILE;
  static final String TOKEN_KEY_FILE = KnativeRenderer.TOKEN_KEY_FILE;

  /**
   * What to do after a run.
   *
   * @param requeue true to run again after {@code after} even without an event
   * @param after the delay, null when not requeued
   */
  public record Result(boolean requeue, Duration after) {
    public static Result done() {
      return new Result(false, null);
    }

    public static Result after(Duration after) {
      return new Result(true, after);
    }
  }

  private final KubernetesClient client;
  private final KnativeClient knative;
  private final RenderSettings settings;
  private final ModelResolver resolver;
  private final Supplier<String> tokenPublicKey;
  private final Clock clock;

  /** With an empty token verification key and the system clock. */
  public Reconciler(KubernetesClient client, RenderSettings settings, ModelResolver resolver) {
    this(client, settings, resolver, () -> "", Clock.systemUTC());
  }

  /**
   * @param settings the platform's settings; the namespace of each {@link #reconcile} call replaces
   *     theirs
   * @param tokenPublicKey the PEM public key a new auth Secret gets in {@code token-key.pem}
   * @param clock read once per run, for the conditions' transition times
   */
  public Reconciler(
      KubernetesClient client,
      RenderSettings settings,
      ModelResolver resolver,
      Supplier<String> tokenPublicKey,
      Clock clock) {
    this.client = client;
    this.knative = client.adapt(KnativeClient.class);
    this.settings = settings;
    this.resolver = resolver;
    this.tokenPublicKey = tokenPublicKey;
    this.clock = clock;
  }

  /** An endpoint's OnlineDeployments from a cache; null when the cache cannot tell yet. */
  @FunctionalInterface
  public interface Deployments {
    List<OnlineDeployment> of(String endpointResource);
  }

  /**
   * Brings one endpoint's Knative objects and status in line with its custom resources.
   *
   * @param endpoint the OnlineEndpoint's resource name (also its Knative Service's name)
   */
  public Result reconcile(String namespace, String endpoint) {
    return reconcile(namespace, endpoint, resource -> null);
  }

  /** The same, with the endpoint's deployments from {@code cached} when it has them. */
  public Result reconcile(String namespace, String endpoint, Deployments cached) {
    try {
      return run(namespace, endpoint, cached);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return Result.after(CONFLICT);
      }
      throw e;
    }
  }

  // ---------------------------------------------------------------- the script

  private Result run(String ns, String resource, Deployments cached) {
    Instant now = clock.instant(); // one reading: every condition this run writes agrees
    OnlineEndpoint cr = readEndpoint(ns, resource);
    List<OnlineDeployment> deploymentCrs = readDeployments(ns, resource, cached);
    if (cr == null || cr.getMetadata().getDeletionTimestamp() != null) {
      return endpointGone(ns, resource, deploymentCrs, now);
    }
    OnlineEndpointStatus before = OnlineEndpointStatus.of(cr.getStatus());
    EndpointSpec endpoint;
    try {
      endpoint = SpecTrees.endpoint(cr).spec();
    } catch (SpecException e) {
      writeStatus(cr, before.markFailed("InvalidSpec", e.getMessage(), generation(cr), now));
      return Result.done();
    }
    Service service = readService(ns, endpoint);
    if (service != null && !ours(service, resource)) {
      String message =
          "a Knative Service '"
              + service.getMetadata().getName()
              + "' exists that Knoe did not make for this endpoint; delete or rename it";
      writeStatus(cr, before.markFailed("NameTaken", message, generation(cr), now));
      return Result.done();
    }
    Map<String, Revision> revisions = readRevisions(ns, endpoint);
    KnativeRenderer renderer = new KnativeRenderer(settings.inNamespace(ns));

    String eventsToken = ensureSecret(ns, cr, endpoint);
    ensureRouting(ns, cr, endpoint, renderer);
    List<String> refusedTriggers = ensureTriggers(ns, cr, endpoint, renderer, eventsToken);

    List<Dep> observed = observe(endpoint, resource, deploymentCrs, service, revisions);
    Traffic traffic = planTraffic(renderer, endpoint, observed, service, revisions);
    Template template =
        chooseTemplate(ns, renderer, endpoint, observed, traffic, service, revisions);
    Service written = ensureService(ns, cr, endpoint, renderer, service, template.spec(), traffic);

    Routes routes = Routes.of(written);
    Marked deployments = markDeployments(endpoint, template, traffic, routes, now);
    return markEndpoint(
        cr,
        endpoint,
        template,
        traffic,
        routes,
        deployments,
        service == null,
        refusedTriggers,
        now);
  }

  // ---------------------------------------------------------------- read

  private OnlineEndpoint readEndpoint(String ns, String resource) {
    return client.resources(OnlineEndpoint.class).inNamespace(ns).withName(resource).get();
  }

  /** The endpoint's live deployments, oldest first (the order revisions are written in). */
  private List<OnlineDeployment> readDeployments(String ns, String resource, Deployments cached) {
    List<OnlineDeployment> fromCache = cached.of(resource);
    List<OnlineDeployment> all =
        fromCache != null
            ? fromCache
            : client.resources(OnlineDeployment.class).inNamespace(ns).list().getItems();
    return all.stream()
        .filter(d -> resource.equals(SpecTrees.endpointResourceOf(d)))
        .filter(d -> d.getMetadata().getDeletionTimestamp() == null)
        .sorted(
            Comparator.comparing(
                    (OnlineDeployment d) -> String.valueOf(d.getMetadata().getCreationTimestamp()))
                .thenComparing(d -> d.getMetadata().getName()))
        .toList();
  }

  private Service readService(String ns, EndpointSpec endpoint) {
    return knative.services().inNamespace(ns).withName(KnativeNames.service(endpoint.name())).get();
  }

  private Map<String, Revision> readRevisions(String ns, EndpointSpec endpoint) {
    Map<String, Revision> revisions = new HashMap<>();
    knative
        .revisions()
        .inNamespace(ns)
        .withLabel(SERVICE_LABEL, KnativeNames.service(endpoint.name()))
        .list()
        .getItems()
        .forEach(r -> revisions.put(r.getMetadata().getName(), r));
    return revisions;
  }

  /** The endpoint is gone: so is what Knoe made for it, and its deployments say why they wait. */
  private Result endpointGone(
      String ns, String resource, List<OnlineDeployment> deployments, Instant now) {
    cleanUp(ns, resource);
    String message = "OnlineEndpoint '" + resource + "' does not exist in namespace '" + ns + "'";
    for (OnlineDeployment d : deployments) {
      writeStatus(
          d,
          OnlineDeploymentStatus.of(d.getStatus())
              .markFailed("EndpointNotFound", message, null, null, null, generation(d), now));
    }
    return Result.done();
  }

  // ---------------------------------------------------------------- deployments, as they are now

  enum RevisionState {
    MISSING,
    PENDING,
    READY,
    FAILED
  }

  /**
   * Why a deployment cannot get a new revision.
   *
   * @param reason the Ready condition's reason ({@code InvalidSpec}, {@code NameTaken}, ...)
   */
  record Problem(String reason, String message) {}

  /**
   * One OnlineDeployment as this run sees it.
   *
   * @param name its Knoe name, null when it has none
   * @param uid tells this life of the deployment from an earlier one of the same name
   * @param earlierLifeRouted its tag routes to a revision made for an earlier life of the
   *     deployment (the old model)
   * @param spec its parsed spec, null when it does not parse
   * @param desired the revision of its current generation
   * @param revision that revision, when Knative made it
   * @param serving the Ready revision of this life traffic can go to, or null
   * @param currentShare the share its tag has in the Service now
   * @param problem why it failed, or null
   */
  record Dep(
      OnlineDeployment cr,
      String name,
      long generation,
      String uid,
      boolean earlierLifeRouted,
      DeploymentSpec spec,
      String desired,
      Revision revision,
      RevisionState state,
      String serving,
      int currentShare,
      Problem problem) {

    Dep failed(String reason, String message) {
      return new Dep(
          cr,
          name,
          generation,
          uid,
          earlierLifeRouted,
          spec,
          desired,
          revision,
          state,
          serving,
          currentShare,
          new Problem(reason, message));
    }
  }

  /** Each deployment, in order, as it stands against the Service's traffic and the Revisions. */
  static List<Dep> observe(
      EndpointSpec endpoint,
      String resource,
      List<OnlineDeployment> crs,
      Service service,
      Map<String, Revision> revisions) {
    Map<String, TrafficTarget> byTag = new HashMap<>();
    if (service != null && service.getSpec().getTraffic() != null) {
      service.getSpec().getTraffic().stream()
          .filter(t -> t.getTag() != null)
          .forEach(t -> byTag.put(t.getTag(), t));
    }
    Map<String, String> taken = new HashMap<>();
    List<Dep> deps = new ArrayList<>();
    for (OnlineDeployment o : crs) {
      deps.add(observe(endpoint, resource, o, byTag, taken, revisions));
    }
    return deps;
  }

  private static Dep observe(
      EndpointSpec endpoint,
      String resource,
      OnlineDeployment o,
      Map<String, TrafficTarget> byTag,
      Map<String, String> taken,
      Map<String, Revision> revisions) {
    String name = SpecTrees.deploymentName(o, resource);
    long generation = generation(o);
    String uid = o.getMetadata().getUid();
    boolean earlierLifeRouted = false;
    String serving = null;
    int share = 0;
    if (name != null) {
      String owner = taken.putIfAbsent(name, o.getMetadata().getName());
      if (owner != null) {
        return new Dep(
            o,
            name,
            generation,
            uid,
            false,
            null,
            null,
            null,
            RevisionState.MISSING,
            null,
            0,
            new Problem(
                "NameTaken",
                "deployment name '"
                    + name
                    + "' is already used by OnlineDeployment '"
                    + owner
                    + "'"));
      }
      // What serves the deployment's tag now, if it was made for this life of the deployment: one
      // deleted and created again before a run saw it gone keeps its tag on the old model's
      // revision.
      TrafficTarget now = byTag.get(KnativeNames.tag(endpoint.name(), name));
      if (now != null
          && now.getRevisionName() != null
          && revisions.containsKey(now.getRevisionName())) {
        if (ofThisLife(revisions.get(now.getRevisionName()), uid)) {
          serving = now.getRevisionName();
          share = now.getPercent() == null ? 0 : now.getPercent().intValue();
        } else {
          earlierLifeRouted = true;
        }
      }
    }
    DeploymentSpec spec;
    try {
      spec = SpecTrees.deployment(o, resource).spec();
    } catch (SpecException e) {
      return new Dep(
          o,
          name,
          generation,
          uid,
          earlierLifeRouted,
          null,
          null,
          null,
          RevisionState.MISSING,
          serving,
          share,
          new Problem("InvalidSpec", e.getMessage()));
    }
    String desired = KnativeNames.revision(endpoint.name(), spec.name(), uid, generation);
    Revision revision = revisions.get(desired);
    if (revision != null && !ofThisLife(revision, uid)) {
      // Five hex digits of two uids alike (about one in a million re-creations): never serve the
      // old one.
      return new Dep(
          o,
          name,
          generation,
          uid,
          earlierLifeRouted,
          spec,
          desired,
          revision,
          RevisionState.MISSING,
          serving,
          share,
          new Problem(
              "NameTaken",
              "revision "
                  + desired
                  + " was made for an earlier life of deployment '"
                  + name
                  + "' (another uid); delete that revision, or this deployment and create it again"));
    }
    RevisionState state = state(revision);
    if (state == RevisionState.READY) {
      serving = desired;
    }
    return new Dep(
        o,
        name,
        generation,
        uid,
        earlierLifeRouted,
        spec,
        desired,
        revision,
        state,
        serving,
        share,
        null);
  }

  // ---------------------------------------------------------------- plan traffic

  /**
   * The traffic this run writes.
   *
   * @param plan what the endpoint's split comes to over Ready revisions
   * @param targets what {@code spec.traffic} gets: the plan's, or the Service's own while held
   * @param held the plan needs the 404 revision, which is not Ready yet: nothing moves
   * @param placeholderReady the 404 revision exists and is Ready
   */
  record Traffic(
      TrafficPlanner.Plan plan,
      List<TrafficTarget> targets,
      boolean held,
      boolean placeholderReady) {}

  static Traffic planTraffic(
      KnativeRenderer renderer,
      EndpointSpec endpoint,
      List<Dep> deps,
      Service service,
      Map<String, Revision> revisions) {
    Map<String, String> serving = new LinkedHashMap<>();
    Map<String, Integer> shares = new HashMap<>();
    for (Dep d : deps) {
      if (d.name() != null && d.serving() != null) {
        serving.put(d.name(), d.serving());
        shares.put(d.name(), d.currentShare());
      }
    }
    TrafficPlanner.Plan plan = TrafficPlanner.plan(renderer, endpoint, serving, shares);
    String placeholder = KnativeNames.noTrafficRevision(endpoint.name());
    boolean placeholderReady = state(revisions.get(placeholder)) == RevisionState.READY;
    if (plan.usesPlaceholder() && !placeholderReady && service != null) {
      // Knative moves traffic only to a Ready revision: the 404 revision first, until then nothing.
      List<TrafficTarget> kept = service.getSpec().getTraffic();
      return new Traffic(plan, kept, !TrafficPlanner.same(kept, plan.targets()), false);
    }
    return new Traffic(plan, plan.targets(), false, placeholderReady);
  }

  // ---------------------------------------------------------------- choose the template

  /**
   * The template this run writes.
   *
   * @param spec the new template, null to keep the Service's
   * @param writing the deployment revision on its way (now written or already the template), or
   *     null
   * @param placeholderPending the run waits for the 404 revision
   * @param deps the deployments, with those whose revision could not be made marked failed
   */
  record Template(
      RevisionTemplateSpec spec, String writing, boolean placeholderPending, List<Dep> deps) {}

  /**
   * One pending revision at a time. A tag still routed to a revision of a deployment's earlier life
   * (deleted and created again) is taken off it as soon as the 404 revision can take its share:
   * that revision is written first.
   */
  private Template chooseTemplate(
      String ns,
      KnativeRenderer renderer,
      EndpointSpec endpoint,
      List<Dep> observed,
      Traffic traffic,
      Service service,
      Map<String, Revision> revisions) {
    TrafficPlanner.Plan plan = traffic.plan();
    String current = templateName(service);
    boolean placeholderNeeded = plan.usesPlaceholder() && !traffic.placeholderReady();
    boolean bridgeFirst = placeholderNeeded && observed.stream().anyMatch(Dep::earlierLifeRouted);
    List<Dep> deps = new ArrayList<>(observed);
    List<Dep> pending =
        bridgeFirst
            ? List.of()
            : deps.stream()
                .filter(d -> d.spec() != null && d.problem() == null)
                .filter(d -> d.state() == RevisionState.MISSING)
                // the one already in the template first; otherwise the deployments' order
                .sorted(Comparator.comparing((Dep d) -> !d.desired().equals(current)))
                .toList();
    RevisionTemplateSpec template = null;
    String writing = null;
    for (Dep d : pending) {
      if (d.desired().equals(current)) {
        writing = d.desired();
        break;
      }
      try {
        ModelResolver.Resolved m = resolver.resolve(ns, d.spec());
        template =
            renderer.template(
                endpoint,
                new DeploymentRevision(
                    d.spec(),
                    d.uid(),
                    d.generation(),
                    m.modelName(),
                    m.modelVersion(),
                    m.model(),
                    m.code()));
        writing = d.desired();
        break;
      } catch (ModelResolver.Unresolved e) {
        deps.set(deps.indexOf(d), d.failed("ModelNotFound", e.getMessage()));
      } catch (IllegalArgumentException e) {
        deps.set(deps.indexOf(d), d.failed("InvalidSpec", e.getMessage()));
      }
    }
    // While a deployment's revision is on its way, the 404 revision would only bridge the wait:
    // it is written when the endpoint's own split needs it, or when what it waits for failed.
    boolean revisionComing =
        !bridgeFirst
            && deps.stream()
                .anyMatch(
                    d ->
                        plan.waitingFor().contains(d.name())
                            && d.problem() == null
                            && (d.state() == RevisionState.PENDING
                                || d.state() == RevisionState.MISSING));
    boolean placeholderPending = writing == null && placeholderNeeded && !revisionComing;
    String placeholder = KnativeNames.noTrafficRevision(endpoint.name());
    if (placeholderPending && !revisions.containsKey(placeholder) && !placeholder.equals(current)) {
      template = renderer.noTrafficTemplate(endpoint);
    }
    if (service == null && template == null) {
      template = renderer.noTrafficTemplate(endpoint); // nothing to write but a Service is needed
    }
    return new Template(template, writing, placeholderPending, List.copyOf(deps));
  }

  // ---------------------------------------------------------------- ensure the Service

  private Service ensureService(
      String ns,
      OnlineEndpoint cr,
      EndpointSpec endpoint,
      KnativeRenderer renderer,
      Service current,
      RevisionTemplateSpec template,
      Traffic traffic) {
    List<TrafficTarget> targets = traffic.targets();
    if (current == null) {
      Service s = Desired.service(renderer, cr, endpoint, template, targets);
      return knative.services().inNamespace(ns).resource(s).create();
    }
    Service desired =
        Desired.service(renderer, cr, endpoint, current.getSpec().getTemplate(), targets);
    boolean change = false;
    if (template != null
        && !Objects.equals(template.getMetadata().getName(), templateName(current))) {
      current.getSpec().setTemplate(template);
      change = true;
    }
    if (!TrafficPlanner.same(current.getSpec().getTraffic(), targets)) {
      current.getSpec().setTraffic(targets);
      change = true;
    }
    change |= mergeLabels(current, desired.getMetadata().getLabels());
    change |= ensureOwner(current, cr);
    return change ? knative.services().inNamespace(ns).resource(current).update() : current;
  }

  // ---------------------------------------------------------------- ensure Triggers, Secret,
  // routing

  /**
   * Makes the endpoint's Triggers the spec's. A Trigger the cluster refuses (Eventing's webhook, a
   * policy, a name taken by someone else's Trigger) does not stop the rest: the others, the Service
   * and its traffic go on, and what was refused comes back as a problem for the endpoint's status.
   */
  private List<String> ensureTriggers(
      String ns,
      OnlineEndpoint cr,
      EndpointSpec endpoint,
      KnativeRenderer renderer,
      String eventsToken) {
    List<String> problems = new ArrayList<>();
    String resource = cr.getMetadata().getName();
    Map<String, Trigger> desired = Desired.triggers(renderer, cr, endpoint, eventsToken);
    List<Trigger> existing =
        knative
            .triggers()
            .inNamespace(ns)
            .withLabel(KnativeRenderer.LABEL_ENDPOINT, resource)
            .list()
            .getItems();
    for (Trigger had : existing) {
      Trigger want = desired.remove(had.getMetadata().getName());
      if (want == null) {
        knative.triggers().inNamespace(ns).resource(had).delete();
        continue;
      }
      boolean change = !sameTrigger(had, want);
      if (change) {
        had.getSpec().setBroker(want.getSpec().getBroker());
        had.getSpec().setFilter(want.getSpec().getFilter());
        had.getSpec().setSubscriber(want.getSpec().getSubscriber());
      }
      change |= mergeLabels(had, want.getMetadata().getLabels());
      change |= ensureOwner(had, cr);
      if (change) {
        refused(problems, want, () -> knative.triggers().inNamespace(ns).resource(had).update());
      }
    }
    for (Trigger t : desired.values()) {
      refused(problems, t, () -> knative.triggers().inNamespace(ns).resource(t).create());
    }
    return problems;
  }

  /** Runs a Trigger write; a refusal by the cluster becomes a problem naming the trigger. */
  private static void refused(List<String> problems, Trigger t, Runnable write) {
    try {
      write.run();
    } catch (KubernetesClientException e) {
      // A refusal is a 400, 403 or 422 (a webhook, a policy, RBAC) or a name someone else holds;
      // anything else (a stale read, a timeout, a 5xx) is the run's to retry, not the endpoint's
      // to fail.
      boolean taken =
          e.getCode() == 409
              && "AlreadyExists".equals(e.getStatus() == null ? null : e.getStatus().getReason());
      if (!(taken || e.getCode() == 400 || e.getCode() == 403 || e.getCode() == 422)) {
        throw e;
      }
      String why =
          e.getStatus() != null && e.getStatus().getMessage() != null
              ? e.getStatus().getMessage()
              : e.getMessage();
      problems.add(
          "the trigger on broker '"
              + t.getSpec().getBroker()
              + "' with filter "
              + t.getSpec().getFilter().getAttributes()
              + " was refused by the cluster: "
              + why);
    }
  }

  private static boolean sameTrigger(Trigger a, Trigger b) {
    var x = a.getSpec();
    var y = b.getSpec();
    var xr = x.getSubscriber() == null ? null : x.getSubscriber().getRef();
    var yr = y.getSubscriber().getRef();
    return Objects.equals(x.getBroker(), y.getBroker())
        && Objects.equals(
            x.getFilter() == null ? null : x.getFilter().getAttributes(),
            y.getFilter().getAttributes())
        && Objects.equals(
            x.getSubscriber() == null ? null : x.getSubscriber().getUri(),
            y.getSubscriber().getUri())
        && xr != null
        && Objects.equals(xr.getApiVersion(), yr.getApiVersion())
        && Objects.equals(xr.getKind(), yr.getKind())
        && Objects.equals(xr.getName(), yr.getName());
  }

  /**
   * The endpoint's auth Secret, made if missing (keys are rotated by the API, never here), with an
   * events token added if it has none (a Secret of an older Knoe; or deleting that key is how to
   * rotate it: Triggers and pods follow). Returns the events token.
   */
  private String ensureSecret(String ns, OnlineEndpoint cr, EndpointSpec endpoint) {
    String name = KnativeNames.authSecret(endpoint.name());
    Secret existing = client.secrets().inNamespace(ns).withName(name).get();
    if (existing == null) {
      Secret secret =
          Desired.authSecret(
              cr,
              endpoint,
              ns,
              EndpointKeys.generate(),
              tokenPublicKey.get(),
              AuthSecrets.newEventsTokenData());
      return eventsToken(client.secrets().inNamespace(ns).resource(secret).create());
    }
    Optional<String> token = AuthSecrets.eventsToken(existing.getData());
    if (token.isPresent()) {
      return token.get();
    }
    if (existing.getData() == null) {
      existing.setData(new LinkedHashMap<>());
    }
    existing.getData().put(AuthSecrets.EVENTS_TOKEN_FILE, AuthSecrets.newEventsTokenData());
    return eventsToken(client.secrets().inNamespace(ns).resource(existing).update());
  }

  private static String eventsToken(Secret written) {
    return AuthSecrets.eventsToken(written.getData()).orElseThrow();
  }

  /**
   * The endpoint's routing ConfigMap (its mirror rule), written before any template that mounts it
   * and kept equal to the spec: a mirror change edits this file in running pods, no new revision.
   */
  private void ensureRouting(
      String ns, OnlineEndpoint cr, EndpointSpec endpoint, KnativeRenderer renderer) {
    ConfigMap desired = Desired.routing(renderer, cr, endpoint, ns);
    ConfigMap existing =
        client.configMaps().inNamespace(ns).withName(desired.getMetadata().getName()).get();
    if (existing == null) {
      client.configMaps().inNamespace(ns).resource(desired).create();
    } else if (!Objects.equals(existing.getData(), desired.getData())) {
      existing.setData(desired.getData());
      ensureOwner(existing, cr);
      client.configMaps().inNamespace(ns).resource(existing).update();
    }
  }

  /**
   * The endpoint is gone: what Knoe made for it goes too (a cluster's GC would, through owner
   * references).
   */
  private void cleanUp(String ns, String resource) {
    Service s = knative.services().inNamespace(ns).withName(resource).get();
    if (s != null && ours(s, resource)) {
      knative.services().inNamespace(ns).resource(s).delete();
    }
    knative
        .triggers()
        .inNamespace(ns)
        .withLabel(KnativeRenderer.LABEL_ENDPOINT, resource)
        .list()
        .getItems()
        .forEach(t -> knative.triggers().inNamespace(ns).resource(t).delete());
    Secret secret =
        client.secrets().inNamespace(ns).withName(KnativeNames.authSecret(resource)).get();
    if (secret != null && ours(secret, resource)) {
      client.secrets().inNamespace(ns).resource(secret).delete();
    }
    ConfigMap routing =
        client.configMaps().inNamespace(ns).withName(KnativeNames.routingConfigMap(resource)).get();
    if (routing != null && ours(routing, resource)) {
      client.configMaps().inNamespace(ns).resource(routing).delete();
    }
  }

  // ---------------------------------------------------------------- status

  /**
   * What Knative says of the Service as written.
   *
   * @param url its URL, null until it has one
   * @param ready Knative routes the spec it has seen ({@code observedGeneration} says which)
   * @param tagUrls the URL of each traffic tag Knative routes
   */
  record Routes(String url, boolean ready, Map<String, String> tagUrls) {

    static Routes of(Service service) {
      var status = service.getStatus();
      if (status == null) {
        return new Routes(null, false, Map.of());
      }
      boolean ready =
          Objects.equals(status.getObservedGeneration(), service.getMetadata().getGeneration())
              && (isTrue(status.getConditions(), "RoutesReady")
                  || isTrue(status.getConditions(), "Ready"));
      Map<String, String> tagUrls = new HashMap<>();
      if (status.getTraffic() != null) {
        status.getTraffic().stream()
            .filter(t -> t.getTag() != null && t.getUrl() != null)
            .forEach(t -> tagUrls.put(t.getTag(), t.getUrl()));
      }
      return new Routes(status.getUrl(), ready, tagUrls);
    }

    String scoringUri() {
      return url == null ? null : url + "/score";
    }
  }

  /**
   * The deployments' statuses as written.
   *
   * @param summaries the endpoint's summary of them, by name (the first of a name)
   * @param pending some deployment is Creating or Updating
   */
  record Marked(Map<String, OnlineEndpointStatus.DeploymentSummary> summaries, boolean pending) {}

  /** Writes each deployment's status. */
  private Marked markDeployments(
      EndpointSpec endpoint, Template template, Traffic traffic, Routes routes, Instant now) {
    Set<String> routed = new HashSet<>();
    traffic.targets().forEach(t -> routed.add(t.getRevisionName() + "|" + t.getTag()));
    Map<String, OnlineEndpointStatus.DeploymentSummary> summaries = new LinkedHashMap<>();
    boolean pending = false;
    for (Dep d : template.deps()) {
      OnlineDeploymentStatus s =
          deploymentStatus(endpoint, d, template.writing(), routed, routes, now);
      writeStatus(d.cr(), s);
      pending |=
          ProvisioningState.CREATING.equals(s.provisioningState())
              || ProvisioningState.UPDATING.equals(s.provisioningState());
      if (d.name() != null) {
        summaries.putIfAbsent(
            d.name(),
            new OnlineEndpointStatus.DeploymentSummary(
                s.provisioningState(), s.revision(), s.url()));
      }
    }
    return new Marked(summaries, pending);
  }

  /** A deployment's status after this run: a pure function of what the run found. */
  static OnlineDeploymentStatus deploymentStatus(
      EndpointSpec endpoint,
      Dep d,
      String writing,
      Set<String> routed,
      Routes routes,
      Instant now) {
    OnlineDeploymentStatus before = OnlineDeploymentStatus.of(d.cr().getStatus());
    String tag = d.name() == null ? null : KnativeNames.tag(endpoint.name(), d.name());
    String url = tag == null ? null : routes.tagUrls().get(tag);
    String scoringUri = routes.scoringUri();
    // The endpoint's URI reaches this deployment only while a revision of it serves.
    String uri = d.serving() != null ? scoringUri : null;
    boolean olderServes = d.serving() != null;
    long generation = d.generation();
    String revision = d.desired();
    if (d.problem() != null) {
      return before.markFailed(
          d.problem().reason(), d.problem().message(), revision, uri, url, generation, now);
    }
    return switch (d.state()) {
      case READY -> {
        Integer replicas = d.revision().getStatus().getActualReplicas();
        int instances = replicas == null ? 0 : replicas;
        if (routed.contains(revision + "|" + tag)) {
          yield before.markSucceeded(revision, scoringUri, url, instances, generation, now);
        }
        yield before.markWaiting(
            olderServes,
            "revision " + revision + " is Ready; traffic moves to it next",
            revision,
            uri,
            url,
            instances,
            generation,
            now);
      }
      case FAILED -> {
        Condition c = condition(d.revision(), "Ready");
        String message =
            "revision "
                + revision
                + " failed: "
                + (c.getReason() == null ? "" : c.getReason() + ": ")
                + Objects.toString(c.getMessage(), "no message")
                + (d.serving() != null ? "; traffic stays on " + d.serving() : "");
        String reason = c.getReason() == null ? "RevisionFailed" : c.getReason();
        yield before.markFailed(reason, message, revision, uri, url, generation, now);
      }
      case PENDING -> {
        Condition c = condition(d.revision(), "Ready");
        String message =
            "waiting for revision "
                + revision
                + " to be Ready"
                + (c != null && c.getReason() != null
                    ? " ("
                        + c.getReason()
                        + (c.getMessage() == null ? "" : ": " + c.getMessage())
                        + ")"
                    : "");
        yield before.markWaiting(olderServes, message, revision, uri, url, null, generation, now);
      }
      case MISSING -> {
        String message =
            revision.equals(writing)
                ? "revision " + revision + " is being created"
                : "revision "
                    + revision
                    + " is written after "
                    + (writing == null ? "the 404 revision" : writing);
        yield before.markWaiting(olderServes, message, revision, uri, url, null, generation, now);
      }
    };
  }

  /** Writes the endpoint's status; returns when to look again. */
  private Result markEndpoint(
      OnlineEndpoint cr,
      EndpointSpec endpoint,
      Template template,
      Traffic traffic,
      Routes routes,
      Marked deployments,
      boolean created,
      List<String> refusedTriggers,
      Instant now) {
    TrafficPlanner.Plan plan = traffic.plan();
    List<Dep> deps = template.deps();
    boolean deploymentsPending = deployments.pending();
    List<String> problems = trafficProblems(endpoint, plan, deps);
    boolean waiting =
        created
            || deploymentsPending
            || template.placeholderPending()
            || traffic.held()
            || !routes.ready()
            || routes.url() == null
            || !plan.waitingFor().isEmpty() && problems.isEmpty();
    Map<String, Integer> split =
        traffic.held() ? split(endpoint, deps, traffic.targets()) : plan.split();
    var serving = new OnlineEndpointStatus.Serving(routes.url(), split, deployments.summaries());
    OnlineEndpointStatus before = OnlineEndpointStatus.of(cr.getStatus());
    long generation = generation(cr);
    OnlineEndpointStatus after;
    if (!problems.isEmpty()) {
      after = before.markTrafficNotApplied(problems, serving, generation, now);
    } else if (!refusedTriggers.isEmpty()) {
      after = before.markTriggersRefused(refusedTriggers, serving, generation, now);
    } else if (waiting) {
      String message =
          waitingMessage(
              plan,
              template.placeholderPending() || traffic.held(),
              routes.ready() && routes.url() != null,
              deploymentsPending);
      after = before.markWaiting(message, serving, generation, now);
    } else {
      after = before.markSucceeded(serving, generation, now);
    }
    writeStatus(cr, after);
    // A refused Trigger is tried again now and then: the cluster's policy may change, or the
    // Trigger that held its name go away, without any event on this endpoint's resources.
    return waiting
        ? Result.after(WAIT)
        : !refusedTriggers.isEmpty() ? Result.after(RETRY) : Result.done();
  }

  /** Shares of the endpoint's split that cannot move, one sentence each. */
  private static List<String> trafficProblems(
      EndpointSpec endpoint, TrafficPlanner.Plan plan, List<Dep> deps) {
    List<String> problems = new ArrayList<>();
    for (String waiting : plan.waitingFor()) {
      Dep d = deps.stream().filter(x -> waiting.equals(x.name())).findFirst().orElse(null);
      int percent = endpoint.traffic().get(waiting);
      if (d == null) {
        problems.add(
            "traffic gives "
                + percent
                + " % to deployment '"
                + waiting
                + "', which has no OnlineDeployment");
      } else if (d.problem() != null || d.state() == RevisionState.FAILED) {
        problems.add(
            "traffic gives " + percent + " % to deployment '" + waiting + "', which failed");
      }
    }
    return problems;
  }

  private static String waitingMessage(
      TrafficPlanner.Plan plan, boolean placeholder, boolean routed, boolean deployments) {
    List<String> what = new ArrayList<>();
    if (deployments) {
      what.add("deployments to be Ready");
    }
    if (!plan.waitingFor().isEmpty()) {
      what.add(
          "a Ready revision of " + String.join(", ", plan.waitingFor()) + " before moving traffic");
    }
    if (placeholder) {
      what.add("the 404 revision (traffic sums to 0) to be Ready");
    }
    if (!routed) {
      what.add("Knative to route the Service");
    }
    return "waiting for " + (what.isEmpty() ? "Knative" : String.join(", ", what));
  }

  /** The split {@code traffic} gives, by deployment name, in the deployments' order. */
  private static Map<String, Integer> split(
      EndpointSpec endpoint, List<Dep> deps, List<TrafficTarget> traffic) {
    Map<String, Integer> split = new LinkedHashMap<>();
    for (Dep d : deps) {
      if (d.name() == null) {
        continue;
      }
      String tag = KnativeNames.tag(endpoint.name(), d.name());
      traffic.stream()
          .filter(t -> tag.equals(t.getTag()))
          .findFirst()
          .ifPresent(
              t -> split.put(d.name(), t.getPercent() == null ? 0 : t.getPercent().intValue()));
    }
    return split;
  }

  private void writeStatus(OnlineEndpoint cr, OnlineEndpointStatus next) {
    if (!next.equals(cr.getStatus())) {
      cr.setStatus(next);
      client.resource(cr).updateStatus();
    }
  }

  private void writeStatus(OnlineDeployment cr, OnlineDeploymentStatus next) {
    if (!next.equals(cr.getStatus())) {
      cr.setStatus(next);
      client.resource(cr).updateStatus();
    }
  }

  // ---------------------------------------------------------------- helpers

  private static boolean ours(HasMetadata o, String resource) {
    Map<String, String> labels = o.getMetadata().getLabels();
    return labels != null && resource.equals(labels.get(KnativeRenderer.LABEL_ENDPOINT));
  }

  static OwnerReference owner(OnlineEndpoint cr) {
    return Desired.owner(cr);
  }

  private static boolean ensureOwner(HasMetadata o, OnlineEndpoint cr) {
    List<OwnerReference> refs =
        o.getMetadata().getOwnerReferences() == null
            ? new ArrayList<>()
            : new ArrayList<>(o.getMetadata().getOwnerReferences());
    if (refs.stream().anyMatch(r -> Objects.equals(r.getUid(), cr.getMetadata().getUid()))) {
      return false;
    }
    refs.add(owner(cr));
    o.getMetadata().setOwnerReferences(refs);
    return true;
  }

  private static boolean mergeLabels(HasMetadata o, Map<String, String> wanted) {
    Map<String, String> labels =
        o.getMetadata().getLabels() == null
            ? new LinkedHashMap<>()
            : new LinkedHashMap<>(o.getMetadata().getLabels());
    boolean change = false;
    for (var e : wanted.entrySet()) {
      change |= !e.getValue().equals(labels.put(e.getKey(), e.getValue()));
    }
    if (change) {
      o.getMetadata().setLabels(labels);
    }
    return change;
  }

  private static String templateName(Service s) {
    return s == null
            || s.getSpec() == null
            || s.getSpec().getTemplate() == null
            || s.getSpec().getTemplate().getMetadata() == null
        ? null
        : s.getSpec().getTemplate().getMetadata().getName();
  }

  /**
   * Whether revision {@code r} was made for the deployment life {@code uid}. A revision without the
   * annotation was made by a Knoe from before it: taken as this life's, so an upgrade keeps
   * serving.
   */
  private static boolean ofThisLife(Revision r, String uid) {
    Map<String, String> a = r.getMetadata().getAnnotations();
    String made = a == null ? null : a.get(KnativeRenderer.ANNOTATION_DEPLOYMENT_UID);
    return made == null || made.equals(uid);
  }

  static RevisionState state(Revision r) {
    if (r == null) {
      return RevisionState.MISSING;
    }
    Condition ready = condition(r, "Ready");
    if (ready == null) {
      return RevisionState.PENDING;
    }
    return switch (ready.getStatus()) {
      case "True" -> RevisionState.READY;
      case "False" -> RevisionState.FAILED;
      default -> RevisionState.PENDING;
    };
  }

  private static Condition condition(Revision r, String type) {
    if (r == null || r.getStatus() == null || r.getStatus().getConditions() == null) {
      return null;
    }
    return r.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElse(null);
  }

  private static boolean isTrue(List<Condition> conditions, String type) {
    return conditions != null
        && conditions.stream()
            .anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static long generation(HasMetadata o) {
    Long g = o.getMetadata().getGeneration();
    return g == null || g < 1 ? 1 : g;
  }
}
