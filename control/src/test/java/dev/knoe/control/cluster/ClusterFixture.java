package dev.knoe.control.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.knoe.control.chart.StructuralSchema;
import dev.knoe.control.knative.ArtifactSource;
import dev.knoe.control.knative.KnativeNames;
import dev.knoe.control.knative.KnativeRules;
import dev.knoe.control.knative.RenderSettings;
import dev.knoe.control.upstream.KnativeJudge;
import dev.knoe.control.upstream.RealCluster;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Custom resources from the samples, a Reconciler and FakeKnative on the tests' real API server
 * ({@link RealCluster}), in a namespace emptied for each test, and checks: every Knative object is
 * judged by Knative's own validation.
 */
final class ClusterFixture implements AutoCloseable {

  static final String NS = "knoe";
  static final String SHA = "6d3c85a511802009f3fe20a8646dfdba5de3cd559c5fc00e05e3f991f53f7218";
  static final Path SAMPLES = Path.of("../samples");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final ObjectMapper JSON = new ObjectMapper();

  /** Resolves every deployment to one model file; inline models are named after the deployment. */
  static final ModelResolver MODELS =
      (ns, spec) ->
          new ModelResolver.Resolved(
              spec.model().isInline() ? spec.name() : spec.model().name(),
              spec.model().isInline() ? "1" : spec.model().version(),
              new ArtifactSource(
                  "http://knoe-control.knoe:8500/api/v1/models/m/versions/1/content",
                  SHA,
                  "model.onnx"),
              null);

  final KubernetesClient client;
  final KnativeClient knative;
  final FakeKnative fake;
  Reconciler reconciler;

  /** The uid of each deployment's latest life, by name. */
  private final Map<String, String> uids = new java.util.HashMap<>();

  /** A fixture on the real API server, {@link #NS} emptied of what an earlier test left. */
  ClusterFixture() {
    this.client = RealCluster.shared().client();
    this.knative = client.adapt(KnativeClient.class);
    this.fake = new FakeKnative(client, NS);
    this.reconciler = newReconciler();
    empty(client);
  }

  /**
   * Creates {@link #NS} (and knoe-system for leases) when missing and deletes everything tests make
   * there. No controller runs beside the API server, so nothing has finalizers and deletes are
   * immediate; namespaces themselves could not be deleted (that takes the namespace controller).
   */
  static void empty(KubernetesClient client) {
    for (String ns : List.of(NS, "knoe-system")) {
      if (client.namespaces().withName(ns).get() == null) {
        client
            .namespaces()
            .resource(
                new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                    .withNewMetadata()
                    .withName(ns)
                    .endMetadata()
                    .build())
            .create();
      }
    }
    KnativeClient knative = client.adapt(KnativeClient.class);
    knative.services().inNamespace(NS).delete();
    knative.revisions().inNamespace(NS).delete();
    knative.triggers().inNamespace(NS).delete();
    client.resources(OnlineEndpoint.class).inNamespace(NS).delete();
    client.resources(OnlineDeployment.class).inNamespace(NS).delete();
    client.secrets().inNamespace(NS).delete();
    client.configMaps().inNamespace(NS).delete();
    client.leases().inNamespace("knoe-system").delete();
  }

  @Override
  public void close() {
    client.close();
  }

  /**
   * The revision name of generation {@code generation} of the latest life of deployment {@code
   * name}.
   */
  String rev(String name, long generation) {
    String uid = uids.get(name);
    if (uid == null) {
      throw new IllegalStateException("deployment " + name + " was never applied");
    }
    return KnativeNames.revision("my-endpoint", name, uid, generation);
  }

  Reconciler newReconciler() {
    return new Reconciler(client, RenderSettings.defaults(NS), MODELS);
  }

  // ---------------------------------------------------------------- custom resources

  @SuppressWarnings("unchecked")
  static Map<String, Object> sample(String file) {
    try {
      return YAML.readValue(SAMPLES.resolve(file).toFile(), Map.class);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * The sample endpoint with {@code traffic}, as {@code kubectl apply} would create it (name →
   * metadata.name).
   */
  OnlineEndpoint applyEndpoint(Map<String, Integer> traffic) {
    Map<String, Object> spec = sample("endpoint.yml");
    spec.remove("name");
    spec.put("traffic", traffic);
    OnlineEndpoint e = new OnlineEndpoint();
    e.setMetadata(new ObjectMetaBuilder().withName("my-endpoint").withNamespace(NS).build());
    e.setSpec(new AzureYamlSpec(spec));
    return client.resource(e).create();
  }

  /**
   * A sample deployment ({@code blue} or {@code green}) as {@code my-endpoint-<name>}, name only in
   * metadata.
   */
  OnlineDeployment applyDeployment(String name, Consumer<Map<String, Object>> edit) {
    Map<String, Object> spec = sample(name + "-deployment.yml");
    spec.remove("name");
    edit.accept(spec);
    OnlineDeployment d = new OnlineDeployment();
    d.setMetadata(
        new ObjectMetaBuilder().withName("my-endpoint-" + name).withNamespace(NS).build());
    d.setSpec(new AzureYamlSpec(spec));
    OnlineDeployment created = client.resource(d).create();
    uids.put(name, created.getMetadata().getUid());
    return created;
  }

  OnlineDeployment applyDeployment(String name) {
    return applyDeployment(name, s -> {});
  }

  OnlineEndpoint endpoint() {
    return client.resources(OnlineEndpoint.class).inNamespace(NS).withName("my-endpoint").get();
  }

  OnlineDeployment deployment(String name) {
    return client
        .resources(OnlineDeployment.class)
        .inNamespace(NS)
        .withName("my-endpoint-" + name)
        .get();
  }

  /** Edits the endpoint's spec as {@code kubectl edit} would (status untouched, generation + 1). */
  void editEndpoint(Consumer<Map<String, Object>> edit) {
    OnlineEndpoint e = endpoint();
    edit.accept(e.getSpec().getFields());
    client.resource(e).update();
  }

  void editDeployment(String name, Consumer<Map<String, Object>> edit) {
    OnlineDeployment d = deployment(name);
    edit.accept(d.getSpec().getFields());
    client.resource(d).update();
  }

  Service service() {
    return knative.services().inNamespace(NS).withName("my-endpoint").get();
  }

  /** revisionName:percent:tag of each target. */
  List<String> traffic() {
    return service().getSpec().getTraffic().stream()
        .map(t -> t.getRevisionName() + ":" + t.getPercent() + ":" + t.getTag())
        .toList();
  }

  String template() {
    return service().getSpec().getTemplate().getMetadata().getName();
  }

  // ---------------------------------------------------------------- driving

  Reconciler.Result reconcile() {
    return reconciler.reconcile(NS, "my-endpoint");
  }

  /**
   * Reconcile, then let Knative act, until nothing is waited for; checks every object on the way.
   */
  Reconciler.Result converge() {
    for (int i = 0; i < 20; i++) {
      Reconciler.Result r = reconcile();
      assertValid();
      if (!r.requeue()) {
        return r;
      }
      fake.step("my-endpoint");
    }
    return fail("no convergence in 20 rounds: " + endpoint().getStatus());
  }

  /** Kind/name → resourceVersion of everything in the namespace Knoe or Knative (fake) writes. */
  Map<String, String> versions() {
    Map<String, String> v = new TreeMap<>();
    List<HasMetadata> all = new ArrayList<>();
    all.addAll(knative.services().inNamespace(NS).list().getItems());
    all.addAll(knative.revisions().inNamespace(NS).list().getItems());
    all.addAll(knative.triggers().inNamespace(NS).list().getItems());
    all.addAll(client.secrets().inNamespace(NS).list().getItems());
    all.addAll(client.resources(OnlineEndpoint.class).inNamespace(NS).list().getItems());
    all.addAll(client.resources(OnlineDeployment.class).inNamespace(NS).list().getItems());
    all.forEach(
        o ->
            v.put(
                o.getKind() + "/" + o.getMetadata().getName(),
                o.getMetadata().getResourceVersion()));
    return v;
  }

  /** A reconcile that writes nothing and waits for nothing. */
  void assertSettled() {
    Map<String, String> before = versions();
    Reconciler.Result r = reconcile();
    assertEquals(before, versions(), "a second reconcile changes nothing");
    assertEquals(Reconciler.Result.done(), r);
  }

  // ---------------------------------------------------------------- schemas

  /**
   * Every Service, Trigger and Knoe resource in the namespace against its CRD's openAPIV3Schema
   * (Knative's, the chart's), and Knative's unwritten rules for Services. Knative objects are
   * checked without the status FakeKnative wrote.
   */
  void assertValid() {
    List<String> problems = new ArrayList<>();
    try {
      for (Service s : knative.services().inNamespace(NS).list().getItems()) {
        check(schema("Service"), s, true, problems);
        KnativeRules.problems(s)
            .forEach(p -> problems.add("Service " + s.getMetadata().getName() + ": " + p));
      }
      for (var t : knative.triggers().inNamespace(NS).list().getItems()) {
        check(schema("Trigger"), t, true, problems);
      }
      for (var e : client.resources(OnlineEndpoint.class).inNamespace(NS).list().getItems()) {
        check(schema("OnlineEndpoint"), e, false, problems);
      }
      for (var d : client.resources(OnlineDeployment.class).inNamespace(NS).list().getItems()) {
        check(schema("OnlineDeployment"), d, false, problems);
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    assertEquals(List.of(), problems);
    // Knative's own admission code on every Service and Trigger as written (status aside).
    List<HasMetadata> written = new ArrayList<>();
    knative
        .services()
        .inNamespace(NS)
        .list()
        .getItems()
        .forEach(
            s -> {
              s.setStatus(null);
              written.add(s);
            });
    knative
        .triggers()
        .inNamespace(NS)
        .list()
        .getItems()
        .forEach(
            t -> {
              t.setStatus(null);
              written.add(t);
            });
    if (!written.isEmpty()) {
      KnativeJudge.assertAccepted(written);
    }
  }

  private static final Map<String, StructuralSchema> SCHEMAS =
      new java.util.concurrent.ConcurrentHashMap<>();

  static StructuralSchema schema(String kind) throws Exception {
    StructuralSchema s = SCHEMAS.get(kind);
    if (s == null) {
      s =
          switch (kind) {
            case "Service" ->
                StructuralSchema.ofCrd(
                    Path.of("src/test/resources/knative/crd-service.yaml"), "v1");
            case "Trigger" ->
                StructuralSchema.ofCrd(
                    Path.of("src/test/resources/knative/crd-eventing-trigger.yaml"), "v1");
            case "OnlineEndpoint" ->
                StructuralSchema.ofCrd(
                    Path.of("../charts/knoe/crds/onlineendpoints.knoe.dev.yaml"), "v1alpha1");
            case "OnlineDeployment" ->
                StructuralSchema.ofCrd(
                    Path.of("../charts/knoe/crds/onlinedeployments.knoe.dev.yaml"), "v1alpha1");
            default -> throw new IllegalArgumentException(kind);
          };
      SCHEMAS.put(kind, s);
    }
    return s;
  }

  static void check(
      StructuralSchema schema, HasMetadata o, boolean dropStatus, List<String> problems)
      throws Exception {
    JsonNode tree = JSON.readTree(Serialization.asJson(o));
    ((ObjectNode) tree)
        .remove(
            dropStatus
                ? List.of("apiVersion", "kind", "metadata", "status")
                : List.of("apiVersion", "kind", "metadata"));
    schema
        .validate(tree)
        .forEach(p -> problems.add(o.getKind() + " " + o.getMetadata().getName() + ": " + p));
    String name = o.getMetadata().getName();
    if (name.length() > 63 || !name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
      problems.add(o.getKind() + " name '" + name + "' is not a DNS label");
    }
  }
}
