package dev.knoe.control.cluster;

import dev.knoe.control.upstream.KnativeJudge;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.pkg.apis.Condition;
import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.RevisionBuilder;
import io.fabric8.knative.serving.v1.RevisionStatusBuilder;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceStatus;
import io.fabric8.knative.serving.v1.ServiceStatusBuilder;
import io.fabric8.knative.serving.v1.TrafficTarget;
import io.fabric8.knative.serving.v1.TrafficTargetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What Knative's controllers do (none runs beside the tests' API server): {@link #step} creates the
 * Revision of a Service's template (Ready, Failed or still starting, as told) and writes the
 * Service's status (URL, tag URLs, RoutesReady when every target exists and is Ready).
 */
public final class FakeKnative {

  /** How a revision comes out. */
  public record Outcome(String status, String reason, String message) {
    public static final Outcome READY = new Outcome("True", null, null);
    public static final Outcome STARTING = new Outcome("Unknown", "Deploying", null);

    public static Outcome failed(String reason, String message) {
      return new Outcome("False", reason, message);
    }
  }

  final KnativeClient knative;
  final String namespace;
  private final Map<String, Outcome> outcomes = new HashMap<>();
  private Outcome byDefault = Outcome.READY;
  private final java.util.Set<String> judged = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final List<String> refusals = new java.util.concurrent.CopyOnWriteArrayList<>();

  public FakeKnative(KubernetesClient client, String namespace) {
    this.knative = client.adapt(KnativeClient.class);
    this.namespace = namespace;
  }

  /** New revisions come out so unless told otherwise. */
  public FakeKnative byDefault(Outcome outcome) {
    this.byDefault = outcome;
    return this;
  }

  /** The revision {@code name} comes out so when created. */
  public FakeKnative outcome(String revision, Outcome outcome) {
    outcomes.put(revision, outcome);
    return this;
  }

  /** An existing revision's Ready condition changes, e.g. it finished starting. */
  void set(String revision, Outcome outcome) {
    Revision r = knative.revisions().inNamespace(namespace).withName(revision).get();
    r.setStatus(status(outcome));
    knative.revisions().inNamespace(namespace).resource(r).updateStatus();
  }

  Revision revision(String name) {
    return knative.revisions().inNamespace(namespace).withName(name).get();
  }

  /** What Knative's own validation refused among the Services seen, with its messages. */
  public List<String> refusals() {
    return List.copyOf(refusals);
  }

  /**
   * One pass of Knative's controllers over the Service {@code name}; false when it is gone. Each
   * new generation of the Service is first judged by Knative's own admission code (as its webhook
   * would have judged the write): a refusal is kept in {@link #refusals} and thrown.
   */
  public boolean step(String name) {
    Service s = knative.services().inNamespace(namespace).withName(name).get();
    if (s == null) {
      return false;
    }
    judge(s);
    var template = s.getSpec().getTemplate();
    String revision = template.getMetadata().getName();
    if (revision(revision) == null) {
      Map<String, String> labels = new LinkedHashMap<>(template.getMetadata().getLabels());
      labels.put("serving.knative.dev/service", name);
      labels.put("serving.knative.dev/configuration", name);
      Revision r =
          new RevisionBuilder()
              .withNewMetadata()
              .withName(revision)
              .withNamespace(namespace)
              .withLabels(labels)
              .withAnnotations(template.getMetadata().getAnnotations())
              .endMetadata()
              .withSpec(template.getSpec())
              .build();
      r = knative.revisions().inNamespace(namespace).resource(r).create();
      r.setStatus(status(outcomes.getOrDefault(revision, byDefault)));
      knative.revisions().inNamespace(namespace).resource(r).updateStatus();
    }
    String url = "http://" + name + "." + namespace + ".example.com";
    boolean routesReady = true;
    List<TrafficTarget> traffic = new ArrayList<>();
    for (TrafficTarget t : s.getSpec().getTraffic()) {
      Revision r = revision(t.getRevisionName());
      routesReady &= r != null && Reconciler.state(r) == Reconciler.RevisionState.READY;
      traffic.add(
          new TrafficTargetBuilder(t)
              .withUrl(
                  t.getTag() == null
                      ? null
                      : "http://" + t.getTag() + "-" + name + "." + namespace + ".example.com")
              .build());
    }
    boolean latestReady = Reconciler.state(revision(revision)) == Reconciler.RevisionState.READY;
    ServiceStatus status =
        new ServiceStatusBuilder()
            .withUrl(url)
            .withObservedGeneration(s.getMetadata().getGeneration())
            .withLatestCreatedRevisionName(revision)
            .withTraffic(
                routesReady
                    ? traffic
                    : s.getStatus() == null ? List.of() : s.getStatus().getTraffic())
            .withConditions(
                cond("Ready", routesReady && latestReady ? "True" : "False", null, null),
                cond("ConfigurationsReady", latestReady ? "True" : "False", null, null),
                cond("RoutesReady", routesReady ? "True" : "False", null, null))
            .build();
    if (!status.equals(s.getStatus())) {
      s.setStatus(status);
      knative.services().inNamespace(namespace).resource(s).updateStatus();
    }
    return true;
  }

  private void judge(Service s) {
    String key = s.getMetadata().getName() + "@" + s.getMetadata().getGeneration();
    if (!judged.add(key)) {
      return;
    }
    Service asWritten =
        new io.fabric8.knative.serving.v1.ServiceBuilder(s).withStatus(null).build();
    try {
      KnativeJudge.assertAccepted(List.of(asWritten));
    } catch (AssertionError e) {
      refusals.add(e.getMessage());
      throw e;
    }
  }

  private static Condition cond(String type, String status, String reason, String message) {
    return new io.fabric8.knative.pkg.apis.ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .build();
  }

  private static io.fabric8.knative.serving.v1.RevisionStatus status(Outcome o) {
    return new RevisionStatusBuilder()
        .withActualReplicas("True".equals(o.status()) ? 1 : 0)
        .withConditions(cond("Ready", o.status(), o.reason(), o.message()))
        .build();
  }
}
