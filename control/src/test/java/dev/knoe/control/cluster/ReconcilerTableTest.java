package dev.knoe.control.cluster;

import static dev.knoe.control.cluster.ClusterFixture.NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.control.knative.KnativeNames;
import dev.knoe.control.knative.RenderSettings;
import io.fabric8.knative.eventing.v1.TriggerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One reconcile per row, the way Knative's {@code TableTest} reads: the objects before, then what
 * the run created, updated and deleted, which statuses it wrote, and what they say. Against the
 * tests' real kube-apiserver ({@link ClusterFixture}), with {@link FakeKnative} as Knative's
 * controllers while the objects before are made; every object after the run is judged by Knative's
 * own validation and its CRD schema.
 *
 * <p>Writes are told from the objects' resourceVersions: a name new after the run was created, one
 * gone was deleted, one with another resourceVersion was updated. OnlineEndpoints and
 * OnlineDeployments are only ever written by their status subresource, so theirs are status
 * updates.
 */
class ReconcilerTableTest {

  /** The run's clock: conditions that change in it move to this time. */
  static final Instant NOW = Instant.parse("2026-12-03T10:15:30Z");

  static final String PEM =
      "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n";

  static final String SERVICE = "Service/my-endpoint";
  static final String SECRET = "Secret/my-endpoint-auth";
  static final String ROUTING = "ConfigMap/my-endpoint-routing";
  static final String ENDPOINT = "OnlineEndpoint/my-endpoint";
  static final Map<String, String> CREATED = Map.of("type", "com.example.order.created");
  static final String TRIGGER =
      "Trigger/" + KnativeNames.trigger("my-endpoint", "default", CREATED);

  /**
   * What one run should have done.
   *
   * @param result what the run returns
   * @param creates, updates, deletes Kind/name of the objects Knoe makes (Services, Triggers,
   *     Secrets, ConfigMaps), in any order
   * @param statusUpdates Kind/name of the custom resources whose status was written
   * @param endpointState the endpoint's provisioning state after, null when it is gone
   * @param endpointReason its Ready condition's reason
   * @param traffic its status' split
   * @param deployments each deployment's provisioning state, by name
   */
  record Want(
      Reconciler.Result result,
      List<String> creates,
      List<String> updates,
      List<String> deletes,
      List<String> statusUpdates,
      String endpointState,
      String endpointReason,
      Map<String, Integer> traffic,
      Map<String, String> deployments) {}

  /**
   * @param before makes the objects before the run (with the fixture's own reconciler and
   *     FakeKnative when it converges)
   * @param also further checks after the run
   */
  record Row(
      String name, Consumer<ClusterFixture> before, Want want, Consumer<ClusterFixture> also) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Row> rows() {
    return Stream.of(
        new Row(
            "new endpoint with one deployment: Secret, routing and a Service on blue's revision",
            given(endpoint(traffic("blue", 100)), deployment("blue")),
            new Want(
                Reconciler.Result.after(Reconciler.WAIT),
                List.of(ROUTING, SECRET, SERVICE),
                List.of(),
                List.of(),
                List.of(ENDPOINT, dep("blue")),
                "Creating",
                "Waiting",
                Map.of(),
                Map.of("blue", "Creating")),
            f -> {
              assertEquals(List.of("my-endpoint-no-traffic:100:null"), f.traffic());
              assertEquals(f.rev("blue", 1), f.template());
              var ready = f.endpoint().getStatus().conditions().get(0);
              assertEquals("Unknown", ready.status());
              assertEquals(NOW.toString(), ready.lastTransitionTime(), "the injected clock's time");
            }),
        new Row(
            "blue's revision Ready: traffic moves to it",
            given(endpoint(traffic("blue", 100)), deployment("blue"), reconciled(), knativeStep()),
            new Want(
                Reconciler.Result.after(Reconciler.WAIT),
                List.of(),
                List.of(SERVICE),
                List.of(),
                List.of(ENDPOINT, dep("blue")),
                "Creating",
                "Waiting",
                Map.of("blue", 100),
                Map.of("blue", "Succeeded")),
            f -> assertEquals(List.of(f.rev("blue", 1) + ":100:blue"), f.traffic())),
        new Row(
            "settled endpoint: nothing written",
            given(endpoint(traffic("blue", 100)), deployment("blue"), converged()),
            new Want(
                Reconciler.Result.done(),
                List.of(),
                List.of(),
                List.of(),
                List.of(),
                "Succeeded",
                "Ready",
                Map.of("blue", 100),
                Map.of("blue", "Succeeded")),
            f -> {}),
        new Row(
            "traffic split change, 100/0 to 90/10",
            given(
                endpoint(traffic("blue", 100)),
                deployment("blue"),
                deployment("green"),
                converged(),
                editEndpoint(s -> s.put("traffic", traffic("blue", 90, "green", 10)))),
            new Want(
                Reconciler.Result.after(Reconciler.WAIT),
                List.of(),
                List.of(SERVICE),
                List.of(),
                List.of(ENDPOINT),
                "Updating",
                "Waiting",
                Map.of("blue", 90, "green", 10),
                Map.of("blue", "Succeeded", "green", "Succeeded")),
            f ->
                assertEquals(
                    List.of(f.rev("blue", 1) + ":90:blue", f.rev("green", 1) + ":10:green"),
                    f.traffic())),
        new Row(
            "a deployment deleted: its 0 % target leaves the Service",
            given(
                endpoint(traffic("green", 100)),
                deployment("blue"),
                deployment("green"),
                converged(),
                f -> f.client.resource(f.deployment("blue")).delete()),
            new Want(
                Reconciler.Result.after(Reconciler.WAIT),
                List.of(),
                List.of(SERVICE),
                List.of(),
                List.of(ENDPOINT),
                "Updating",
                "Waiting",
                Map.of("green", 100),
                Map.of("green", "Succeeded")),
            f -> assertEquals(List.of(f.rev("green", 1) + ":100:green"), f.traffic())),
        new Row(
            "a refused Trigger: its name is someone else's; the rest is served, retried later",
            given(
                endpoint(traffic("blue", 100)),
                deployment("blue"),
                converged(),
                foreignTrigger(),
                editEndpoint(s -> s.put("triggers", List.of(Map.of("filter", CREATED))))),
            new Want(
                Reconciler.Result.after(Reconciler.RETRY),
                List.of(),
                List.of(),
                List.of(),
                List.of(ENDPOINT),
                "Failed",
                "TriggerRefused",
                Map.of("blue", 100),
                Map.of("blue", "Succeeded")),
            f ->
                assertTrue(
                    f.endpoint().getStatus().message().contains("was refused by the cluster"),
                    f.endpoint().getStatus().message())),
        new Row(
            "a Trigger added with the spec",
            given(
                endpoint(traffic("blue", 100)),
                deployment("blue"),
                converged(),
                editEndpoint(s -> s.put("triggers", List.of(Map.of("filter", CREATED))))),
            new Want(
                Reconciler.Result.done(),
                List.of(TRIGGER),
                List.of(),
                List.of(),
                List.of(ENDPOINT),
                "Succeeded",
                "Ready",
                Map.of("blue", 100),
                Map.of("blue", "Succeeded")),
            f -> {}),
        new Row(
            "a stale revision: blue updated, its old revision serves until the new one is Ready",
            given(
                endpoint(traffic("blue", 100)),
                deployment("blue"),
                converged(),
                f -> f.editDeployment("blue", s -> s.put("instance_count", 2))),
            new Want(
                Reconciler.Result.after(Reconciler.WAIT),
                List.of(),
                List.of(SERVICE),
                List.of(),
                List.of(ENDPOINT, dep("blue")),
                "Updating",
                "Waiting",
                Map.of("blue", 100),
                Map.of("blue", "Updating")),
            f -> {
              assertEquals(f.rev("blue", 2), f.template());
              assertEquals(List.of(f.rev("blue", 1) + ":100:blue"), f.traffic());
            }),
        new Row(
            "a stale revision of an earlier life: the 404 revision is written first",
            given(
                endpoint(traffic("blue", 100)),
                deployment("blue"),
                converged(),
                f -> f.client.resource(f.deployment("blue")).delete(),
                f -> f.applyDeployment("blue", s -> s.put("model", "other-model:2"))),
            new Want(
                Reconciler.Result.after(Reconciler.WAIT),
                List.of(),
                List.of(SERVICE),
                List.of(),
                List.of(ENDPOINT, dep("blue")),
                "Updating",
                "Waiting",
                Map.of("blue", 100),
                Map.of("blue", "Creating")),
            f -> assertEquals("my-endpoint-no-traffic", f.template())),
        new Row(
            "auth_mode key: a new Secret with two keys, the platform's token key, an events token",
            given(endpoint(traffic())),
            new Want(
                Reconciler.Result.after(Reconciler.WAIT),
                List.of(ROUTING, SECRET, SERVICE),
                List.of(),
                List.of(),
                List.of(ENDPOINT),
                "Creating",
                "Waiting",
                Map.of(),
                Map.of()),
            f -> {
              Secret s = f.client.secrets().inNamespace(NS).withName("my-endpoint-auth").get();
              String[] keys = decode(s, "keys").split("\n");
              assertEquals(2, keys.length);
              assertNotEquals(keys[0], keys[1]);
              assertEquals(PEM, decode(s, "token-key.pem"));
              assertTrue(decode(s, "events-token").length() >= 40);
              assertEquals("knoe", s.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
              assertEquals(
                  List.of("OnlineEndpoint", "my-endpoint"),
                  List.of(
                      s.getMetadata().getOwnerReferences().get(0).getKind(),
                      s.getMetadata().getOwnerReferences().get(0).getName()));
            }),
        new Row(
            "auth_mode aml_token: the same Secret, pods told the token key file",
            given(
                endpoint(traffic("blue", 100)),
                editEndpoint(s -> s.put("auth_mode", "aml_token")),
                deployment("blue")),
            new Want(
                Reconciler.Result.after(Reconciler.WAIT),
                List.of(ROUTING, SECRET, SERVICE),
                List.of(),
                List.of(),
                List.of(ENDPOINT, dep("blue")),
                "Creating",
                "Waiting",
                Map.of(),
                Map.of("blue", "Creating")),
            f -> {
              Secret s = f.client.secrets().inNamespace(NS).withName("my-endpoint-auth").get();
              assertEquals(PEM, decode(s, "token-key.pem"));
              assertEquals(2, decode(s, "keys").split("\n").length, "both files always exist");
              var env =
                  f.service().getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
              assertTrue(
                  env.stream().anyMatch(e -> e.getName().equals("KNOE_JWT_PUBLIC_KEY_FILE")),
                  env.toString());
            }),
        new Row(
            "a Secret without an events token gets one; its keys stay",
            given(
                endpoint(traffic("blue", 100)),
                deployment("blue"),
                converged(),
                f -> {
                  Secret s = f.client.secrets().inNamespace(NS).withName("my-endpoint-auth").get();
                  s.getData().put("keys", b64("a\nb\n"));
                  s.getData().remove("events-token");
                  f.client.secrets().inNamespace(NS).resource(s).update();
                }),
            new Want(
                Reconciler.Result.done(),
                List.of(),
                List.of(SECRET),
                List.of(),
                List.of(),
                "Succeeded",
                "Ready",
                Map.of("blue", 100),
                Map.of("blue", "Succeeded")),
            f -> {
              Secret s = f.client.secrets().inNamespace(NS).withName("my-endpoint-auth").get();
              assertEquals("a\nb\n", decode(s, "keys"));
              assertTrue(decode(s, "events-token").length() >= 40);
            }),
        new Row(
            "an invalid endpoint spec: Failed, nothing else written, what is in effect still shown",
            given(
                endpoint(traffic("blue", 100)),
                deployment("blue"),
                converged(),
                editEndpoint(s -> s.put("auth_mode", "aad_token"))),
            new Want(
                Reconciler.Result.done(),
                List.of(),
                List.of(),
                List.of(),
                List.of(ENDPOINT),
                "Failed",
                "InvalidSpec",
                Map.of("blue", 100),
                Map.of("blue", "Succeeded")),
            f -> {
              assertEquals(
                  "http://my-endpoint.knoe.example.com/score",
                  f.endpoint().getStatus().scoringUri());
              assertEquals(
                  NOW.toString(),
                  f.endpoint().getStatus().conditions().get(0).lastTransitionTime());
            }),
        new Row(
            "the endpoint deleted: what Knoe made for it goes, its deployment says why",
            given(
                endpoint(traffic("blue", 100)),
                editEndpoint(s -> s.put("triggers", List.of(Map.of("filter", CREATED)))),
                deployment("blue"),
                converged(),
                f -> f.client.resource(f.endpoint()).delete()),
            new Want(
                Reconciler.Result.done(),
                List.of(),
                List.of(),
                List.of(ROUTING, SECRET, SERVICE, TRIGGER),
                List.of(dep("blue")),
                null,
                null,
                null,
                Map.of("blue", "Failed")),
            f ->
                assertEquals(
                    "EndpointNotFound",
                    f.deployment("blue").getStatus().conditions().get(0).reason())));
  }

  ClusterFixture f;

  @BeforeEach
  void setUp() {
    f = new ClusterFixture();
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void reconcile(Row row) {
    row.before().accept(f);
    Map<String, String> before = versions();
    f.reconciler = reconciler();

    Reconciler.Result result = f.reconcile();

    Map<String, String> after = versions();
    f.assertValid();
    Want want = row.want();
    assertEquals(want.result(), result, "result");
    assertEquals(sorted(want.creates()), kinds(after, k -> !before.containsKey(k)), "creates");
    assertEquals(
        sorted(want.updates()),
        kinds(after, k -> before.containsKey(k) && !before.get(k).equals(after.get(k))),
        "updates");
    assertEquals(sorted(want.deletes()), kinds(before, k -> !after.containsKey(k)), "deletes");
    assertEquals(
        sorted(want.statusUpdates()),
        resources(after, k -> before.containsKey(k) && !before.get(k).equals(after.get(k))),
        "status updates");

    OnlineEndpoint e = f.endpoint();
    OnlineEndpointStatus es = e == null ? null : e.getStatus();
    assertEquals(
        want.endpointState(), es == null ? null : es.provisioningState(), "endpoint state");
    if (want.endpointState() == null) {
      assertNull(e, "the endpoint is gone");
    } else {
      assertEquals(want.endpointReason(), es.conditions().get(0).reason(), "endpoint reason");
      assertEquals(want.traffic(), es.traffic(), "endpoint traffic");
    }
    Map<String, String> deployments = new TreeMap<>();
    f.client
        .resources(OnlineDeployment.class)
        .inNamespace(NS)
        .list()
        .getItems()
        .forEach(
            d ->
                deployments.put(
                    SpecTrees.deploymentName(d, "my-endpoint"), d.getStatus().provisioningState()));
    assertEquals(new TreeMap<>(want.deployments()), deployments, "deployment states");
    row.also().accept(f);
  }

  // ---------------------------------------------------------------- objects before

  @SafeVarargs
  static Consumer<ClusterFixture> given(Consumer<ClusterFixture>... steps) {
    return f -> Stream.of(steps).forEach(s -> s.accept(f));
  }

  static Consumer<ClusterFixture> endpoint(Map<String, Integer> traffic) {
    return f -> f.applyEndpoint(traffic);
  }

  static Consumer<ClusterFixture> deployment(String name) {
    return f -> f.applyDeployment(name);
  }

  static Consumer<ClusterFixture> editEndpoint(Consumer<Map<String, Object>> edit) {
    return f -> f.editEndpoint(edit);
  }

  /** Reconciled and Knative (the fake) let act until nothing is waited for. */
  static Consumer<ClusterFixture> converged() {
    return ClusterFixture::converge;
  }

  static Consumer<ClusterFixture> reconciled() {
    return ClusterFixture::reconcile;
  }

  static Consumer<ClusterFixture> knativeStep() {
    return f -> f.fake.step("my-endpoint");
  }

  /** A Trigger under the name the endpoint's would get, made by someone else (not labelled). */
  static Consumer<ClusterFixture> foreignTrigger() {
    return f ->
        f.knative
            .triggers()
            .inNamespace(NS)
            .resource(
                new TriggerBuilder()
                    .withNewMetadata()
                    .withName(TRIGGER.substring("Trigger/".length()))
                    .withNamespace(NS)
                    .endMetadata()
                    .withNewSpec()
                    .withBroker("default")
                    .withNewFilter()
                    .withAttributes(CREATED)
                    .endFilter()
                    .withNewSubscriber()
                    .withNewRef()
                    .withApiVersion("serving.knative.dev/v1")
                    .withKind("Service")
                    .withName("someone-else")
                    .endRef()
                    .endSubscriber()
                    .endSpec()
                    .build())
            .create();
  }

  static Map<String, Integer> traffic(Object... kv) {
    return ReconcilerTest.traffic(kv);
  }

  static String dep(String name) {
    return "OnlineDeployment/my-endpoint-" + name;
  }

  // ---------------------------------------------------------------- helpers

  /** The run's reconciler: the fixed clock, new Secrets get {@link #PEM}. */
  Reconciler reconciler() {
    return new Reconciler(
        f.client,
        RenderSettings.defaults(NS),
        ClusterFixture.MODELS,
        () -> PEM,
        Clock.fixed(NOW, ZoneOffset.UTC));
  }

  /** Kind/name → resourceVersion of what Knoe writes (Revisions are Knative's). */
  Map<String, String> versions() {
    List<HasMetadata> all = new ArrayList<>();
    all.addAll(f.knative.services().inNamespace(NS).list().getItems());
    all.addAll(f.knative.triggers().inNamespace(NS).list().getItems());
    all.addAll(f.client.secrets().inNamespace(NS).list().getItems());
    all.addAll(f.client.configMaps().inNamespace(NS).list().getItems());
    all.addAll(f.client.resources(OnlineEndpoint.class).inNamespace(NS).list().getItems());
    all.addAll(f.client.resources(OnlineDeployment.class).inNamespace(NS).list().getItems());
    Map<String, String> v = new LinkedHashMap<>();
    all.forEach(
        o ->
            v.put(
                o.getKind() + "/" + o.getMetadata().getName(),
                o.getMetadata().getResourceVersion()));
    return v;
  }

  private static boolean isResource(String key) {
    return key.startsWith("OnlineEndpoint/") || key.startsWith("OnlineDeployment/");
  }

  private static List<String> kinds(
      Map<String, String> in, java.util.function.Predicate<String> p) {
    return in.keySet().stream().filter(k -> !isResource(k)).filter(p).sorted().toList();
  }

  private static List<String> resources(
      Map<String, String> in, java.util.function.Predicate<String> p) {
    return in.keySet().stream().filter(ReconcilerTableTest::isResource).filter(p).sorted().toList();
  }

  private static List<String> sorted(List<String> l) {
    return l.stream().sorted().toList();
  }

  static String decode(Secret s, String key) {
    return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
