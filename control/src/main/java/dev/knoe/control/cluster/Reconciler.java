package dev.knoe.control.cluster;

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
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
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
 *   <li>an endpoint that is gone: deletes the Service, Triggers and auth Secret Knoe made for it
 *       (a cluster's garbage collector does too, through owner references);
 *   <li>an endpoint spec that does not parse: status Failed with every problem, nothing else touched;
 *   <li>creates the auth Secret if missing (never changes its keys) and makes the Triggers the spec's
 *       (one the cluster refuses fails the endpoint's status, not the rest of the run);
 *   <li>the Service's template: the revision of the oldest deployment generation that has no
 *       Revision yet (one at a time), else the 404 revision's when traffic needs it and it does not
 *       exist, else unchanged;
 *   <li>the Service's traffic: by {@link TrafficPlanner}, over Ready revisions only; a share
 *       needing the 404 revision waits, on an existing Service, until that revision is Ready;
 *   <li>status of every deployment and of the endpoint, written only when it changed.
 * </ol>
 *
 * <p>Writes are get → modify → update with the read resourceVersion; a conflict requeues at once.
 */
public final class Reconciler {

  /** How soon to look again while waiting for Knative (watch events usually come first). */
  public static final Duration WAIT = Duration.ofSeconds(2);
  /** How soon to try again what the cluster refused (a Trigger). */
  public static final Duration RETRY = Duration.ofSeconds(30);
  /** How soon to look again after a write conflict. */
  public static final Duration CONFLICT = Duration.ofMillis(200);

  public static final String CREATING = "Creating";
  public static final String UPDATING = "Updating";
  public static final String SUCCEEDED = "Succeeded";
  public static final String FAILED = "Failed";

  static final String SERVICE_LABEL = "serving.knative.dev/service";
  static final String MANAGED_BY = "app.kubernetes.io/managed-by";
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
   * @param settings the platform's settings; the namespace of each {@link #reconcile} call replaces theirs
   * @param tokenPublicKey the PEM public key a new auth Secret gets in {@code token-key.pem}
   */
  public Reconciler(KubernetesClient client, RenderSettings settings, ModelResolver resolver,
      Supplier<String> tokenPublicKey, Clock clock) {
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
    OnlineEndpoint cr = client.resources(OnlineEndpoint.class).inNamespace(ns).withName(resource).get();
    List<OnlineDeployment> fromCache = cached.of(resource);
    List<OnlineDeployment> deploymentCrs = (fromCache != null ? fromCache
        : client.resources(OnlineDeployment.class).inNamespace(ns).list().getItems())
        .stream()
        .filter(d -> resource.equals(SpecTrees.endpointResourceOf(d)))
        .filter(d -> d.getMetadata().getDeletionTimestamp() == null)
        .sorted(Comparator.comparing((OnlineDeployment d) -> String.valueOf(d.getMetadata().getCreationTimestamp()))
            .thenComparing(d -> d.getMetadata().getName()))
        .toList();

    if (cr == null || cr.getMetadata().getDeletionTimestamp() != null) {
      cleanUp(ns, resource);
      for (OnlineDeployment d : deploymentCrs) {
        writeStatus(d, new OnlineDeploymentStatus(FAILED, "OnlineEndpoint '" + resource + "' does not exist in namespace '"
            + ns + "'", null, null, null, null, generation(d), null), "EndpointNotFound");
      }
      return Result.done();
    }

    EndpointSpec endpoint;
    try {
      endpoint = SpecTrees.endpoint(cr).spec();
    } catch (SpecException e) {
      writeStatus(cr, failedEndpoint(cr, e.getMessage()), "InvalidSpec");
      return Result.done();
    }
    KnativeRenderer renderer = new KnativeRenderer(settings.inNamespace(ns));

    String serviceName = KnativeNames.service(endpoint.name());
    Service service = knative.services().inNamespace(ns).withName(serviceName).get();
    if (service != null && !ours(service, resource)) {
      writeStatus(cr, failedEndpoint(cr, "a Knative Service '" + serviceName
          + "' exists that Knoe did not make for this endpoint; delete or rename it"), "NameTaken");
      return Result.done();
    }
    Map<String, Revision> revisions = new HashMap<>();
    knative.revisions().inNamespace(ns).withLabel(SERVICE_LABEL, serviceName).list().getItems()
        .forEach(r -> revisions.put(r.getMetadata().getName(), r));

    String eventsToken = ensureSecret(ns, cr, endpoint);
    syncRouting(ns, cr, endpoint, renderer);
    List<String> triggerProblems = syncTriggers(ns, cr, endpoint, renderer, eventsToken);

    // Deployments, as they are now.
    List<Dep> deps = deployments(cr, endpoint, deploymentCrs, service, revisions);
    Map<String, String> serving = new LinkedHashMap<>();
    Map<String, Integer> shares = new HashMap<>();
    for (Dep d : deps) {
      if (d.name != null && d.serving != null) {
        serving.put(d.name, d.serving);
        shares.put(d.name, d.currentShare);
      }
    }
    TrafficPlanner.Plan plan = TrafficPlanner.plan(renderer, endpoint, serving, shares);

    String placeholder = KnativeNames.noTrafficRevision(endpoint.name());
    boolean placeholderReady = state(revisions.get(placeholder)) == RevisionState.READY;
    List<TrafficTarget> traffic = plan.targets();
    boolean trafficHeld = false;
    if (plan.usesPlaceholder() && !placeholderReady && service != null) {
      traffic = service.getSpec().getTraffic(); // the 404 revision first; until then nothing moves
      trafficHeld = !TrafficPlanner.same(traffic, plan.targets());
    }

    // The template: one pending revision at a time. A tag still routed to a revision of a
    // deployment's earlier life (deleted and created again) is taken off it as soon as the 404
    // revision can take its share: that revision is written first.
    String currentTemplate = templateName(service);
    RevisionTemplateSpec template = null;
    Dep writing = null;
    boolean bridgeFirst = deps.stream().anyMatch(d -> d.earlierLifeRouted) && plan.usesPlaceholder() && !placeholderReady;
    List<Dep> pending = bridgeFirst ? List.of() : deps.stream()
        .filter(d -> d.spec != null && d.problem == null && d.state == RevisionState.MISSING)
        .sorted(Comparator.comparing((Dep d) -> !d.desired.equals(currentTemplate))) // stable: CR order otherwise
        .toList();
    for (Dep d : pending) {
      if (d.desired.equals(currentTemplate)) {
        writing = d;
        break;
      }
      try {
        ModelResolver.Resolved m = resolver.resolve(ns, d.spec);
        template = renderer.template(endpoint, new DeploymentRevision(d.spec, d.uid, d.generation, m.modelName(),
            m.modelVersion(), m.model(), m.code()));
        writing = d;
        break;
      } catch (ModelResolver.Unresolved e) {
        d.fail("ModelNotFound", e.getMessage());
      } catch (IllegalArgumentException e) {
        d.fail("InvalidSpec", e.getMessage());
      }
    }
    // While a deployment's revision is on its way, the 404 revision would only bridge the wait:
    // it is written when the endpoint's own split needs it, or when what it waits for failed.
    boolean revisionComing = !bridgeFirst && deps.stream().anyMatch(d -> plan.waitingFor().contains(d.name)
        && d.problem == null && (d.state == RevisionState.PENDING || d.state == RevisionState.MISSING));
    boolean placeholderPending = false;
    if (writing == null && plan.usesPlaceholder() && !placeholderReady && !revisionComing) {
      placeholderPending = true;
      if (!revisions.containsKey(placeholder) && !placeholder.equals(currentTemplate)) {
        template = renderer.noTrafficTemplate(endpoint);
      }
    }
    if (service == null && template == null) {
      template = renderer.noTrafficTemplate(endpoint); // nothing to write but a Service is needed
    }

    boolean created = service == null;
    service = writeService(ns, cr, endpoint, renderer, service, template, traffic);

    // Status.
    String url = service.getStatus() == null ? null : service.getStatus().getUrl();
    String scoringUri = url == null ? null : url + "/score";
    // Knative's status speaks of the spec it has seen: observedGeneration says which.
    boolean routeReady = service.getStatus() != null
        && Objects.equals(service.getStatus().getObservedGeneration(), service.getMetadata().getGeneration())
        && (isTrue(service.getStatus().getConditions(), "RoutesReady")
            || isTrue(service.getStatus().getConditions(), "Ready"));
    Map<String, String> tagUrls = new HashMap<>();
    if (service.getStatus() != null && service.getStatus().getTraffic() != null) {
      service.getStatus().getTraffic().stream().filter(t -> t.getTag() != null && t.getUrl() != null)
          .forEach(t -> tagUrls.put(t.getTag(), t.getUrl()));
    }
    Set<String> routed = new HashSet<>();
    traffic.forEach(t -> routed.add(t.getRevisionName() + "|" + t.getTag()));

    Map<String, OnlineEndpointStatus.DeploymentSummary> summaries = new LinkedHashMap<>();
    boolean deploymentsPending = false;
    for (Dep d : deps) {
      OnlineDeploymentStatus s = deploymentStatus(endpoint, d, writing, routed, tagUrls, scoringUri);
      writeStatus(d.cr, s, d.reason);
      deploymentsPending |= CREATING.equals(s.provisioningState()) || UPDATING.equals(s.provisioningState());
      if (d.name != null && !summaries.containsKey(d.name)) {
        summaries.put(d.name, new OnlineEndpointStatus.DeploymentSummary(s.provisioningState(), s.revision(), s.url()));
      }
    }

    Map<String, Integer> split = trafficHeld ? split(endpoint, deps, traffic) : plan.split();
    List<String> problems = new ArrayList<>();
    for (String waiting : plan.waitingFor()) {
      Dep d = deps.stream().filter(x -> waiting.equals(x.name)).findFirst().orElse(null);
      int percent = endpoint.traffic().get(waiting);
      if (d == null) {
        problems.add("traffic gives " + percent + " % to deployment '" + waiting + "', which has no OnlineDeployment");
      } else if (d.problem != null || d.state == RevisionState.FAILED) {
        problems.add("traffic gives " + percent + " % to deployment '" + waiting + "', which failed");
      }
    }
    String state;
    String message;
    String reason;
    boolean waiting = created || deploymentsPending || placeholderPending || trafficHeld || !routeReady || url == null
        || !plan.waitingFor().isEmpty() && problems.isEmpty();
    if (!problems.isEmpty()) {
      state = FAILED;
      reason = "TrafficNotApplied";
      message = String.join("; ", problems) + "; the other shares are where they were";
    } else if (!triggerProblems.isEmpty()) {
      state = FAILED;
      reason = "TriggerRefused";
      message = String.join("; ", triggerProblems) + "; the endpoint's traffic is served without "
          + (triggerProblems.size() == 1 ? "it" : "them");
    } else if (waiting) {
      String previous = cr.getStatus() == null ? null : cr.getStatus().provisioningState();
      state = previous == null || CREATING.equals(previous) ? CREATING : UPDATING;
      reason = "Waiting";
      message = waitingMessage(plan, placeholderPending || trafficHeld, routeReady, url, deploymentsPending);
    } else {
      state = SUCCEEDED;
      reason = "Ready";
      message = null;
    }
    writeStatus(cr, endpointStatus(cr, state, message, scoringUri, split, summaries), reason);
    // A refused Trigger is tried again now and then: the cluster's policy may change, or the
    // Trigger that held its name go away, without any event on this endpoint's resources.
    return waiting ? Result.after(WAIT) : !triggerProblems.isEmpty() ? Result.after(RETRY) : Result.done();
  }

  private static String waitingMessage(TrafficPlanner.Plan plan, boolean placeholder, boolean routeReady, String url,
      boolean deployments) {
    List<String> what = new ArrayList<>();
    if (deployments) {
      what.add("deployments to be Ready");
    }
    if (!plan.waitingFor().isEmpty()) {
      what.add("a Ready revision of " + String.join(", ", plan.waitingFor()) + " before moving traffic");
    }
    if (placeholder) {
      what.add("the 404 revision (traffic sums to 0) to be Ready");
    }
    if (!routeReady || url == null) {
      what.add("Knative to route the Service");
    }
    return "waiting for " + (what.isEmpty() ? "Knative" : String.join(", ", what));
  }

  // ---------------------------------------------------------------- deployments

  enum RevisionState { MISSING, PENDING, READY, FAILED }

  /** One OnlineDeployment as this run sees it. */
  private static final class Dep {
    final OnlineDeployment cr;
    final String name;
    final long generation;
    /** Tells this life of the deployment from an earlier one of the same name. */
    final String uid;
    /** Its tag routes to a revision made for an earlier life of the deployment (the old model). */
    boolean earlierLifeRouted;
    DeploymentSpec spec;
    String desired;
    Revision revision;
    RevisionState state = RevisionState.MISSING;
    String serving;
    int currentShare;
    String problem;
    String reason;

    Dep(OnlineDeployment cr, String name) {
      this.cr = cr;
      this.name = name;
      this.generation = generation(cr);
      this.uid = cr.getMetadata().getUid();
    }

    void fail(String reason, String problem) {
      this.reason = reason;
      this.problem = problem;
    }
  }

  private List<Dep> deployments(OnlineEndpoint cr, EndpointSpec endpoint, List<OnlineDeployment> crs, Service service,
      Map<String, Revision> revisions) {
    String resource = cr.getMetadata().getName();
    Map<String, TrafficTarget> byTag = new HashMap<>();
    if (service != null && service.getSpec().getTraffic() != null) {
      service.getSpec().getTraffic().stream().filter(t -> t.getTag() != null).forEach(t -> byTag.put(t.getTag(), t));
    }
    Map<String, String> taken = new HashMap<>();
    List<Dep> deps = new ArrayList<>();
    for (OnlineDeployment o : crs) {
      Dep d = new Dep(o, SpecTrees.deploymentName(o, resource));
      deps.add(d);
      if (d.name != null) {
        String owner = taken.putIfAbsent(d.name, o.getMetadata().getName());
        if (owner != null) {
          d.fail("NameTaken", "deployment name '" + d.name + "' is already used by OnlineDeployment '" + owner + "'");
          continue;
        }
        // What serves the deployment's tag now, if it was made for this life of the deployment: one
        // deleted and created again before a run saw it gone keeps its tag on the old model's revision.
        TrafficTarget now = byTag.get(KnativeNames.tag(endpoint.name(), d.name));
        if (now != null && now.getRevisionName() != null && revisions.containsKey(now.getRevisionName())) {
          if (ofThisLife(revisions.get(now.getRevisionName()), d.uid)) {
            d.serving = now.getRevisionName();
            d.currentShare = now.getPercent() == null ? 0 : now.getPercent().intValue();
          } else {
            d.earlierLifeRouted = true;
          }
        }
      }
      try {
        d.spec = SpecTrees.deployment(o, resource).spec();
      } catch (SpecException e) {
        d.fail("InvalidSpec", e.getMessage());
        continue;
      }
      d.desired = KnativeNames.revision(endpoint.name(), d.spec.name(), d.uid, d.generation);
      d.revision = revisions.get(d.desired);
      if (d.revision != null && !ofThisLife(d.revision, d.uid)) {
        // Five hex digits of two uids alike (about one in a million re-creations): never serve the old one.
        d.fail("NameTaken", "revision " + d.desired + " was made for an earlier life of deployment '" + d.name
            + "' (another uid); delete that revision, or this deployment and create it again");
        continue;
      }
      d.state = state(d.revision);
      if (d.state == RevisionState.READY) {
        d.serving = d.desired;
      }
    }
    return deps;
  }

  private OnlineDeploymentStatus deploymentStatus(EndpointSpec endpoint, Dep d, Dep writing, Set<String> routed,
      Map<String, String> tagUrls, String scoringUri) {
    String tag = d.name == null ? null : KnativeNames.tag(endpoint.name(), d.name);
    String url = tag == null ? null : tagUrls.get(tag);
    String uri = d.serving != null ? scoringUri : null;
    String waitingState = d.serving != null ? UPDATING : CREATING;
    if (d.problem != null) {
      return new OnlineDeploymentStatus(FAILED, d.problem, d.desired, uri, url, null, d.generation, null);
    }
    Integer instances = null;
    String state;
    String message;
    switch (d.state) {
      case READY -> {
        instances = d.revision.getStatus().getActualReplicas() == null ? 0 : d.revision.getStatus().getActualReplicas();
        if (routed.contains(d.desired + "|" + tag)) {
          d.reason = "Ready";
          return new OnlineDeploymentStatus(SUCCEEDED, null, d.desired, scoringUri, url, instances, d.generation, null);
        }
        state = waitingState;
        message = "revision " + d.desired + " is Ready; traffic moves to it next";
      }
      case FAILED -> {
        Condition c = condition(d.revision, "Ready");
        d.reason = c.getReason() == null ? "RevisionFailed" : c.getReason();
        return new OnlineDeploymentStatus(FAILED, "revision " + d.desired + " failed: "
            + (c.getReason() == null ? "" : c.getReason() + ": ") + Objects.toString(c.getMessage(), "no message")
            + (d.serving != null ? "; traffic stays on " + d.serving : ""), d.desired, uri, url, null, d.generation, null);
      }
      case PENDING -> {
        Condition c = condition(d.revision, "Ready");
        state = waitingState;
        message = "waiting for revision " + d.desired + " to be Ready"
            + (c != null && c.getReason() != null ? " (" + c.getReason()
                + (c.getMessage() == null ? "" : ": " + c.getMessage()) + ")" : "");
      }
      default -> {
        state = waitingState;
        message = d == writing ? "revision " + d.desired + " is being created"
            : "revision " + d.desired + " is written after " + (writing == null ? "the 404 revision" : writing.desired);
      }
    }
    d.reason = "Waiting";
    return new OnlineDeploymentStatus(state, message, d.desired, uri, url, instances, d.generation, null);
  }

  private static Map<String, Integer> split(EndpointSpec endpoint, List<Dep> deps, List<TrafficTarget> traffic) {
    Map<String, Integer> split = new LinkedHashMap<>();
    for (Dep d : deps) {
      if (d.name == null) {
        continue;
      }
      String tag = KnativeNames.tag(endpoint.name(), d.name);
      traffic.stream().filter(t -> tag.equals(t.getTag())).findFirst()
          .ifPresent(t -> split.put(d.name, t.getPercent() == null ? 0 : t.getPercent().intValue()));
    }
    return split;
  }

  // ---------------------------------------------------------------- Knative objects

  private Service writeService(String ns, OnlineEndpoint cr, EndpointSpec endpoint, KnativeRenderer renderer,
      Service current, RevisionTemplateSpec template, List<TrafficTarget> traffic) {
    if (current == null) {
      Service s = renderer.service(endpoint, template, traffic);
      s.getMetadata().setOwnerReferences(List.of(owner(cr)));
      return knative.services().inNamespace(ns).resource(s).create();
    }
    Service desired = renderer.service(endpoint, current.getSpec().getTemplate(), traffic);
    boolean change = false;
    if (template != null && !Objects.equals(template.getMetadata().getName(), templateName(current))) {
      current.getSpec().setTemplate(template);
      change = true;
    }
    if (!TrafficPlanner.same(current.getSpec().getTraffic(), traffic)) {
      current.getSpec().setTraffic(traffic);
      change = true;
    }
    change |= mergeLabels(current, desired.getMetadata().getLabels());
    change |= ensureOwner(current, cr);
    return change ? knative.services().inNamespace(ns).resource(current).update() : current;
  }

  /**
   * Makes the endpoint's Triggers the spec's. A Trigger the cluster refuses (Eventing's webhook, a
   * policy, a name taken by someone else's Trigger) does not stop the rest: the others, the Service
   * and its traffic go on, and what was refused comes back as a problem for the endpoint's status.
   */
  private List<String> syncTriggers(String ns, OnlineEndpoint cr, EndpointSpec endpoint, KnativeRenderer renderer,
      String eventsToken) {
    List<String> problems = new ArrayList<>();
    String resource = cr.getMetadata().getName();
    Map<String, Trigger> desired = new LinkedHashMap<>();
    endpoint.triggers().forEach(t -> {
      Trigger trigger = renderer.trigger(endpoint, t, eventsToken);
      desired.put(trigger.getMetadata().getName(), trigger);
    });
    for (Trigger existing : knative.triggers().inNamespace(ns).withLabel(KnativeRenderer.LABEL_ENDPOINT, resource).list()
        .getItems()) {
      Trigger want = desired.remove(existing.getMetadata().getName());
      if (want == null) {
        knative.triggers().inNamespace(ns).resource(existing).delete();
        continue;
      }
      boolean change = !sameTrigger(existing, want);
      if (change) {
        existing.getSpec().setBroker(want.getSpec().getBroker());
        existing.getSpec().setFilter(want.getSpec().getFilter());
        existing.getSpec().setSubscriber(want.getSpec().getSubscriber());
      }
      change |= mergeLabels(existing, want.getMetadata().getLabels());
      change |= ensureOwner(existing, cr);
      if (change) {
        refused(problems, want, () -> knative.triggers().inNamespace(ns).resource(existing).update());
      }
    }
    for (Trigger t : desired.values()) {
      t.getMetadata().setOwnerReferences(List.of(owner(cr)));
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
      // anything else (a stale read, a timeout, a 5xx) is the run's to retry, not the endpoint's to fail.
      boolean taken = e.getCode() == 409 && "AlreadyExists".equals(e.getStatus() == null ? null : e.getStatus().getReason());
      if (!(taken || e.getCode() == 400 || e.getCode() == 403 || e.getCode() == 422)) {
        throw e;
      }
      String why = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
      problems.add("the trigger on broker '" + t.getSpec().getBroker() + "' with filter "
          + t.getSpec().getFilter().getAttributes() + " was refused by the cluster: " + why);
    }
  }

  private static boolean sameTrigger(Trigger a, Trigger b) {
    var x = a.getSpec();
    var y = b.getSpec();
    var xr = x.getSubscriber() == null ? null : x.getSubscriber().getRef();
    var yr = y.getSubscriber().getRef();
    return Objects.equals(x.getBroker(), y.getBroker())
        && Objects.equals(x.getFilter() == null ? null : x.getFilter().getAttributes(), y.getFilter().getAttributes())
        && Objects.equals(x.getSubscriber() == null ? null : x.getSubscriber().getUri(), y.getSubscriber().getUri())
        && xr != null && Objects.equals(xr.getApiVersion(), yr.getApiVersion())
        && Objects.equals(xr.getKind(), yr.getKind()) && Objects.equals(xr.getName(), yr.getName());
  }

  /**
   * The endpoint's auth Secret, made if missing (keys are rotated by the API, never here), with an
   * events token added if it has none (a Secret of an older Knoe; or deleting that key is how to
   * rotate it: Triggers and pods follow). Returns the events token.
   */
  private String ensureSecret(String ns, OnlineEndpoint cr, EndpointSpec endpoint) {
    String name = KnativeNames.authSecret(endpoint.name());
    Secret existing = client.secrets().inNamespace(ns).withName(name).get();
    if (existing != null) {
      Optional<String> token = AuthSecrets.eventsToken(existing.getData());
      if (token.isPresent()) {
        return token.get();
      }
      if (existing.getData() == null) {
        existing.setData(new LinkedHashMap<>());
      }
      existing.getData().put(AuthSecrets.EVENTS_TOKEN_FILE, AuthSecrets.newEventsTokenData());
      return AuthSecrets.eventsToken(client.secrets().inNamespace(ns).resource(existing).update().getData()).orElseThrow();
    }
    Base64.Encoder b64 = Base64.getEncoder();
    Secret secret = new SecretBuilder()
        .withNewMetadata()
          .withName(name)
          .withNamespace(ns)
          .addToLabels(MANAGED_BY, "knoe")
          .addToLabels(KnativeRenderer.LABEL_ENDPOINT, cr.getMetadata().getName())
          .withOwnerReferences(owner(cr))
        .endMetadata()
        .withType("Opaque")
        .addToData(KEYS_FILE, AuthSecrets.keysData(EndpointKeys.generate()))
        .addToData(TOKEN_KEY_FILE, b64.encodeToString(tokenPublicKey.get().getBytes(StandardCharsets.UTF_8)))
        .addToData(AuthSecrets.EVENTS_TOKEN_FILE, AuthSecrets.newEventsTokenData())
        .build();
    return AuthSecrets.eventsToken(client.secrets().inNamespace(ns).resource(secret).create().getData()).orElseThrow();
  }

  /**
   * The endpoint's routing ConfigMap (its mirror rule), written before any template that mounts it
   * and kept equal to the spec: a mirror change edits this file in running pods, no new revision.
   */
  private void syncRouting(String ns, OnlineEndpoint cr, EndpointSpec endpoint, KnativeRenderer renderer) {
    ConfigMap desired = renderer.routing(endpoint);
    desired.getMetadata().setNamespace(ns);
    desired.getMetadata().setOwnerReferences(List.of(owner(cr)));
    desired.getMetadata().getLabels().put(KnativeRenderer.LABEL_ENDPOINT, cr.getMetadata().getName());
    ConfigMap existing = client.configMaps().inNamespace(ns).withName(desired.getMetadata().getName()).get();
    if (existing == null) {
      client.configMaps().inNamespace(ns).resource(desired).create();
    } else if (!Objects.equals(existing.getData(), desired.getData())) {
      existing.setData(desired.getData());
      ensureOwner(existing, cr);
      client.configMaps().inNamespace(ns).resource(existing).update();
    }
  }

  /** The endpoint is gone: what Knoe made for it goes too (a cluster's GC would, through owner references). */
  private void cleanUp(String ns, String resource) {
    Service s = knative.services().inNamespace(ns).withName(resource).get();
    if (s != null && ours(s, resource)) {
      knative.services().inNamespace(ns).resource(s).delete();
    }
    knative.triggers().inNamespace(ns).withLabel(KnativeRenderer.LABEL_ENDPOINT, resource).list().getItems()
        .forEach(t -> knative.triggers().inNamespace(ns).resource(t).delete());
    Secret secret = client.secrets().inNamespace(ns).withName(KnativeNames.authSecret(resource)).get();
    if (secret != null && ours(secret, resource)) {
      client.secrets().inNamespace(ns).resource(secret).delete();
    }
    ConfigMap routing = client.configMaps().inNamespace(ns).withName(KnativeNames.routingConfigMap(resource)).get();
    if (routing != null && ours(routing, resource)) {
      client.configMaps().inNamespace(ns).resource(routing).delete();
    }
  }

  private static boolean ours(HasMetadata o, String resource) {
    Map<String, String> labels = o.getMetadata().getLabels();
    return labels != null && resource.equals(labels.get(KnativeRenderer.LABEL_ENDPOINT));
  }

  static OwnerReference owner(OnlineEndpoint cr) {
    return new OwnerReferenceBuilder().withApiVersion(KnativeRenderer.API_VERSION).withKind("OnlineEndpoint")
        .withName(cr.getMetadata().getName()).withUid(cr.getMetadata().getUid()).withController(true).build();
  }

  private static boolean ensureOwner(HasMetadata o, OnlineEndpoint cr) {
    List<OwnerReference> refs = o.getMetadata().getOwnerReferences() == null ? new ArrayList<>()
        : new ArrayList<>(o.getMetadata().getOwnerReferences());
    if (refs.stream().anyMatch(r -> Objects.equals(r.getUid(), cr.getMetadata().getUid()))) {
      return false;
    }
    refs.add(owner(cr));
    o.getMetadata().setOwnerReferences(refs);
    return true;
  }

  private static boolean mergeLabels(HasMetadata o, Map<String, String> wanted) {
    Map<String, String> labels = o.getMetadata().getLabels() == null ? new LinkedHashMap<>()
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
    return s == null || s.getSpec() == null || s.getSpec().getTemplate() == null
        || s.getSpec().getTemplate().getMetadata() == null ? null : s.getSpec().getTemplate().getMetadata().getName();
  }

  /**
   * Whether revision {@code r} was made for the deployment life {@code uid}. A revision without the
   * annotation was made by a Knoe from before it: taken as this life's, so an upgrade keeps serving.
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
    return r.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  private static boolean isTrue(List<Condition> conditions, String type) {
    return conditions != null && conditions.stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static long generation(HasMetadata o) {
    Long g = o.getMetadata().getGeneration();
    return g == null || g < 1 ? 1 : g;
  }

  // ---------------------------------------------------------------- status

  /** Failed, with what was in effect kept (the Knative objects are left as they are). */
  private OnlineEndpointStatus failedEndpoint(OnlineEndpoint cr, String message) {
    OnlineEndpointStatus old = cr.getStatus();
    return old == null
        ? new OnlineEndpointStatus(FAILED, message, null, null, null, generation(cr), null, null)
        : new OnlineEndpointStatus(FAILED, message, old.scoringUri(), old.openapiUri(), old.traffic(), generation(cr),
            old.deployments(), null);
  }

  private OnlineEndpointStatus endpointStatus(OnlineEndpoint cr, String state, String message, String scoringUri,
      Map<String, Integer> split, Map<String, OnlineEndpointStatus.DeploymentSummary> deployments) {
    String base = scoringUri == null ? null : scoringUri.substring(0, scoringUri.length() - "/score".length());
    return new OnlineEndpointStatus(state, message, scoringUri, base == null ? null : base + "/swagger.json",
        split == null ? null : new LinkedHashMap<>(split), generation(cr), deployments, null);
  }

  private void writeStatus(OnlineEndpoint cr, OnlineEndpointStatus status, String reason) {
    OnlineEndpointStatus old = cr.getStatus();
    List<StatusCondition> conditions = conditions(old == null ? null : old.conditions(), status.provisioningState(),
        reason, status.message());
    OnlineEndpointStatus next = new OnlineEndpointStatus(status.provisioningState(), status.message(), status.scoringUri(),
        status.openapiUri(), status.traffic(), status.observedGeneration(), status.deployments(), conditions);
    if (!next.equals(old)) {
      cr.setStatus(next);
      client.resource(cr).updateStatus();
    }
  }

  private void writeStatus(OnlineDeployment cr, OnlineDeploymentStatus status, String reason) {
    OnlineDeploymentStatus old = cr.getStatus();
    List<StatusCondition> conditions = conditions(old == null ? null : old.conditions(), status.provisioningState(),
        reason, status.message());
    OnlineDeploymentStatus next = new OnlineDeploymentStatus(status.provisioningState(), status.message(),
        status.revision(), status.scoringUri(), status.url(), status.readyInstances(), status.observedGeneration(),
        conditions);
    if (!next.equals(old)) {
      cr.setStatus(next);
      client.resource(cr).updateStatus();
    }
  }

  /** The Ready condition; its transition time moves only when its status does. */
  private List<StatusCondition> conditions(List<StatusCondition> old, String state, String reason, String message) {
    String status = SUCCEEDED.equals(state) ? "True" : FAILED.equals(state) ? "False" : "Unknown";
    StatusCondition before = old == null ? null
        : old.stream().filter(c -> "Ready".equals(c.type())).findFirst().orElse(null);
    String time = before != null && status.equals(before.status()) ? before.lastTransitionTime()
        : Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    return List.of(new StatusCondition("Ready", status, reason == null ? state : reason, message, time));
  }
}
