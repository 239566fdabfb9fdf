package dev.knoe.control.cluster;

import static dev.knoe.control.cluster.ClusterFixture.NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.control.cluster.FakeKnative.Outcome;
import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reconciler against a real kube-apiserver with the CRDs installed, with {@link FakeKnative}
 * playing Knative's controllers: every object written is judged on the way by Knative's own
 * validation and checked against its CRD schema.
 */
class ReconcilerTest {

  KubernetesClient client;
  ClusterFixture f;

  @BeforeEach
  void setUp() {
    f = new ClusterFixture();
    client = f.client;
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  static Map<String, Integer> traffic(Object... kv) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], (Integer) kv[i + 1]);
    }
    return m;
  }

  @Test
  void createWritesBluesTemplateAndMovesTrafficOnlyOnceItsRevisionIsReady() {
    f.applyEndpoint(traffic("blue", 100));
    f.applyDeployment("blue");
    f.fake.byDefault(Outcome.STARTING);

    Reconciler.Result first = f.reconcile();
    f.assertValid();
    assertEquals(Reconciler.Result.after(Reconciler.WAIT), first);
    assertEquals(f.rev("blue", 1), f.template());
    assertEquals(
        List.of("my-endpoint-no-traffic:100:null"),
        f.traffic(),
        "nothing Ready yet: no revision has traffic");
    assertEquals("Creating", f.endpoint().getStatus().provisioningState());
    assertEquals("Creating", f.deployment("blue").getStatus().provisioningState());

    f.fake.step("my-endpoint"); // blue's revision exists, still starting
    assertEquals(Reconciler.Result.after(Reconciler.WAIT), f.reconcile());
    assertEquals(
        f.rev("blue", 1), f.template(), "the 404 revision is not written while blue is on its way");
    assertEquals(List.of("my-endpoint-no-traffic:100:null"), f.traffic());
    assertTrue(
        f.deployment("blue")
            .getStatus()
            .message()
            .contains("waiting for revision " + f.rev("blue", 1)),
        f.deployment("blue").getStatus().message());

    f.fake.set(f.rev("blue", 1), Outcome.READY);
    f.converge();
    assertEquals(List.of(f.rev("blue", 1) + ":100:blue"), f.traffic());
    OnlineEndpointStatus e = f.endpoint().getStatus();
    assertEquals("Succeeded", e.provisioningState());
    assertEquals("http://my-endpoint.knoe.example.com/score", e.scoringUri());
    assertEquals("http://my-endpoint.knoe.example.com/swagger.json", e.openapiUri());
    assertEquals(Map.of("blue", 100), e.traffic());
    assertEquals(
        new OnlineEndpointStatus.DeploymentSummary(
            "Succeeded", f.rev("blue", 1), "http://blue-my-endpoint.knoe.example.com"),
        e.deployments().get("blue"));
    assertEquals("True", e.conditions().get(0).status());
    OnlineDeploymentStatus d = f.deployment("blue").getStatus();
    assertEquals("Succeeded", d.provisioningState());
    assertEquals(f.rev("blue", 1), d.revision());
    assertEquals("http://blue-my-endpoint.knoe.example.com", d.url());
    assertEquals("http://my-endpoint.knoe.example.com/score", d.scoringUri());
    assertEquals(1, d.readyInstances());
    assertEquals(1L, d.observedGeneration());
    assertNull(f.fake.revision("my-endpoint-no-traffic"), "never needed, never made");
    f.assertSettled();
  }

  @Test
  void blueGreenRollout() {
    f.applyEndpoint(traffic("blue", 100));
    f.applyDeployment("blue");
    f.converge();
    assertEquals(List.of(f.rev("blue", 1) + ":100:blue"), f.traffic());

    // green added at 0 %: its revision is made while blue keeps 100 %.
    f.applyDeployment("green");
    f.fake.byDefault(Outcome.STARTING);
    f.reconcile();
    assertEquals(f.rev("green", 1), f.template());
    assertEquals(List.of(f.rev("blue", 1) + ":100:blue"), f.traffic());
    f.fake.step("my-endpoint");
    f.reconcile();
    assertEquals(
        List.of(f.rev("blue", 1) + ":100:blue"),
        f.traffic(),
        "green is not Ready: no tag for it yet");
    f.fake.set(f.rev("green", 1), Outcome.READY);
    f.converge();
    assertEquals(
        List.of(f.rev("blue", 1) + ":100:blue", f.rev("green", 1) + ":0:green"), f.traffic());
    assertEquals("Succeeded", f.deployment("green").getStatus().provisioningState());
    assertEquals(
        "http://green-my-endpoint.knoe.example.com", f.deployment("green").getStatus().url());

    // 90/10, by revision name.
    f.editEndpoint(s -> s.put("traffic", traffic("blue", 90, "green", 10)));
    f.converge();
    assertEquals(
        List.of(f.rev("blue", 1) + ":90:blue", f.rev("green", 1) + ":10:green"), f.traffic());
    assertEquals(Map.of("blue", 90, "green", 10), f.endpoint().getStatus().traffic());
    assertEquals(2L, f.endpoint().getStatus().observedGeneration());

    // green updated: generation 2 is a new revision; its 10 % moves once it is Ready.
    f.editDeployment("green", s -> s.put("instance_count", 2));
    assertEquals(2L, f.deployment("green").getMetadata().getGeneration());
    f.reconcile();
    assertEquals(f.rev("green", 2), f.template());
    assertEquals(
        List.of(f.rev("blue", 1) + ":90:blue", f.rev("green", 1) + ":10:green"), f.traffic());
    assertEquals("Updating", f.deployment("green").getStatus().provisioningState());
    assertEquals(f.rev("green", 2), f.deployment("green").getStatus().revision());
    f.fake.step("my-endpoint");
    f.reconcile();
    assertEquals(
        List.of(f.rev("blue", 1) + ":90:blue", f.rev("green", 1) + ":10:green"),
        f.traffic(),
        "the old revision keeps serving until the new one is Ready");
    assertEquals("Updating", f.endpoint().getStatus().provisioningState());
    f.fake.set(f.rev("green", 2), Outcome.READY);
    f.converge();
    assertEquals(
        List.of(f.rev("blue", 1) + ":90:blue", f.rev("green", 2) + ":10:green"), f.traffic());
    assertEquals(2L, f.deployment("green").getStatus().observedGeneration());

    // All to green, then blue deleted: its target leaves the traffic.
    f.editEndpoint(s -> s.put("traffic", traffic("green", 100)));
    f.converge();
    assertEquals(
        List.of(f.rev("green", 2) + ":100:green", f.rev("blue", 1) + ":0:blue"), f.traffic());
    client.resource(f.deployment("blue")).delete();
    f.converge();
    assertEquals(List.of(f.rev("green", 2) + ":100:green"), f.traffic());
    assertEquals(Map.of("green", 100), f.endpoint().getStatus().traffic());
    assertEquals(List.of("green"), List.copyOf(f.endpoint().getStatus().deployments().keySet()));
    assertEquals("Succeeded", f.endpoint().getStatus().provisioningState());
    f.assertSettled();
  }

  /**
   * What {@code kubectl get onlineendpoints,onlinedeployments} shows: the CRDs' printer columns,
   * filled.
   */
  @Test
  void kubectlGetShowsStateTrafficAndWhereToScore() throws Exception {
    f.applyEndpoint(traffic("blue", 100));
    f.applyDeployment("blue");
    f.converge();
    var cluster = dev.knoe.control.upstream.RealCluster.shared();
    Map<String, String> endpoint =
        row(cluster.table("/apis/knoe.dev/v1alpha1/namespaces/" + NS + "/onlineendpoints"));
    assertEquals("my-endpoint", endpoint.get("Name"));
    assertEquals("Succeeded", endpoint.get("State"));
    assertEquals("{\"blue\":100}", endpoint.get("Traffic"));
    assertEquals("http://my-endpoint.knoe.example.com/score", endpoint.get("URI"));
    Map<String, String> deployment =
        row(cluster.table("/apis/knoe.dev/v1alpha1/namespaces/" + NS + "/onlinedeployments"));
    assertEquals("my-endpoint-blue", deployment.get("Name"));
    assertEquals("my-endpoint", deployment.get("Endpoint"));
    assertEquals("Succeeded", deployment.get("State"));
    assertEquals("1", deployment.get("Ready"));
    assertEquals(f.rev("blue", 1), deployment.get("Revision"));
  }

  /** The first row of a server-side Table, by column name. */
  static Map<String, String> row(String table) throws Exception {
    var tree = ClusterFixture.JSON.readTree(table);
    Map<String, String> row = new LinkedHashMap<>();
    var cells = tree.path("rows").get(0).path("cells");
    for (int i = 0; i < cells.size(); i++) {
      var cell = cells.get(i);
      row.put(
          tree.path("columnDefinitions").get(i).path("name").asText(),
          cell.isTextual() ? cell.asText() : cell.toString());
    }
    return row;
  }

  @Test
  void aDeploymentCreatedAgainIsNeverServedByARevisionOfItsEarlierLife() {
    f.applyEndpoint(traffic("blue", 100));
    f.applyDeployment("blue");
    f.converge();
    String earlier = f.rev("blue", 1);
    assertEquals(List.of(earlier + ":100:blue"), f.traffic());

    // blue deleted (its traffic first) and created again, generation 1 again, with another model.
    f.editEndpoint(s -> s.put("traffic", traffic()));
    f.converge();
    client.resource(f.deployment("blue")).delete();
    f.converge();
    assertNotNull(
        f.fake.revision(earlier), "Knative keeps unrouted revisions (config-gc keeps 20 at least)");
    f.applyDeployment("blue", s -> s.put("model", "other-model:2"));
    f.editEndpoint(s -> s.put("traffic", traffic("blue", 100)));
    f.fake.byDefault(Outcome.STARTING);
    f.reconcile();
    String again = f.rev("blue", 1);
    assertNotEquals(earlier, again);
    assertEquals(again, f.template(), "a new revision for the new life");
    f.fake.step("my-endpoint");
    f.reconcile();
    assertFalse(
        f.traffic().stream().anyMatch(t -> t.startsWith(earlier)),
        "never routed to the old model: " + f.traffic());
    assertEquals("Creating", f.deployment("blue").getStatus().provisioningState());
    f.fake.set(again, Outcome.READY);
    f.converge();
    assertEquals(List.of(again + ":100:blue"), f.traffic());
    assertEquals(again, f.deployment("blue").getStatus().revision());
  }

  /**
   * Deleted and created again before any run saw it gone: its tag still points at the old life's
   * revision.
   */
  @Test
  void aDeploymentReplacedBetweenTwoRunsIsNotServedByItsOldRevisionEither() {
    f.applyEndpoint(traffic("blue", 100));
    f.applyDeployment("blue");
    f.converge();
    String earlier = f.rev("blue", 1);
    assertEquals(List.of(earlier + ":100:blue"), f.traffic());

    client.resource(f.deployment("blue")).delete(); // kubectl replace --force, say
    f.applyDeployment("blue", s -> s.put("model", "other-model:2"));
    f.fake.outcome(f.rev("blue", 1), Outcome.STARTING);

    // Traffic leaves the old revision as soon as something else can take it: the 404 revision is
    // written first (Knative moves traffic only to a Ready revision), then blue's new one.
    f.reconcile();
    assertEquals("my-endpoint-no-traffic", f.template());
    assertEquals(
        "Creating",
        f.deployment("blue").getStatus().provisioningState(),
        "not Succeeded on the old model");
    f.fake.step("my-endpoint");
    f.reconcile();
    f.assertValid();
    assertEquals(
        List.of("my-endpoint-no-traffic:100:null"), f.traffic(), "the old model no longer serves");
    assertEquals(f.rev("blue", 1), f.template());
    f.fake.step("my-endpoint");
    f.reconcile();
    assertEquals(List.of("my-endpoint-no-traffic:100:null"), f.traffic());
    assertEquals("Creating", f.deployment("blue").getStatus().provisioningState());
    f.fake.set(f.rev("blue", 1), Outcome.READY);
    f.converge();
    assertEquals(List.of(f.rev("blue", 1) + ":100:blue"), f.traffic());
    assertEquals("Succeeded", f.endpoint().getStatus().provisioningState());
  }

  @Test
  void aFailedRevisionLeavesTrafficWhereItWasAndSaysKnativesReason() {
    f.applyEndpoint(traffic("blue", 100));
    f.applyDeployment("blue");
    f.converge();
    f.fake.outcome(
        f.rev("blue", 2),
        Outcome.failed(
            "ContainerMissing",
            "Unable to fetch image \"nope:1\": failed to resolve image to digest"));
    f.editDeployment("blue", s -> s.put("environment", Map.of("image", "nope:1")));
    f.converge();

    assertEquals(List.of(f.rev("blue", 1) + ":100:blue"), f.traffic());
    OnlineDeploymentStatus d = f.deployment("blue").getStatus();
    assertEquals("Failed", d.provisioningState());
    assertEquals(f.rev("blue", 2), d.revision());
    assertTrue(
        d.message().contains("ContainerMissing: Unable to fetch image \"nope:1\""), d.message());
    assertTrue(d.message().contains("traffic stays on " + f.rev("blue", 1)), d.message());
    assertEquals("ContainerMissing", d.conditions().get(0).reason());
    assertEquals("False", d.conditions().get(0).status());
    assertEquals(
        "Succeeded",
        f.endpoint().getStatus().provisioningState(),
        "the endpoint still serves blue 1");
    f.assertSettled();

    // A fix is a new generation, and traffic moves to it.
    f.editDeployment("blue", s -> s.remove("environment"));
    f.converge();
    assertEquals(List.of(f.rev("blue", 3) + ":100:blue"), f.traffic());
    assertEquals("Succeeded", f.deployment("blue").getStatus().provisioningState());
  }

  @Test
  void aNewDeploymentThatFailsWithTrafficLeavesTheEndpointFailedOnThe404Revision() {
    f.applyEndpoint(traffic("blue", 100));
    f.applyDeployment("blue");
    f.fake.outcome(
        f.rev("blue", 1),
        Outcome.failed("ProgressDeadlineExceeded", "Initial scale was never achieved"));
    f.converge();
    assertEquals("Failed", f.deployment("blue").getStatus().provisioningState());
    assertEquals(
        "my-endpoint-no-traffic",
        f.template(),
        "the 404 revision is written once blue cannot be had");
    assertEquals(List.of("my-endpoint-no-traffic:100:null"), f.traffic());
    OnlineEndpointStatus e = f.endpoint().getStatus();
    assertEquals("Failed", e.provisioningState());
    assertTrue(
        e.message().contains("traffic gives 100 % to deployment 'blue', which failed"),
        e.message());
    f.assertSettled();
  }

  @Test
  void zeroTrafficGoesToThe404RevisionWhichIsWrittenFirstWhenMissing() {
    f.applyEndpoint(traffic());
    f.applyDeployment("blue");
    f.converge();
    assertEquals(
        List.of(f.rev("blue", 1) + ":0:blue", "my-endpoint-no-traffic:100:null"), f.traffic());
    assertEquals("Succeeded", f.endpoint().getStatus().provisioningState());
    assertEquals(
        Reconciler.RevisionState.READY,
        Reconciler.state(f.fake.revision("my-endpoint-no-traffic")));
    assertEquals(
        Reconciler.RevisionState.READY, Reconciler.state(f.fake.revision(f.rev("blue", 1))));
    f.assertSettled();

    // An endpoint without deployments is only the 404 revision.
    client.resource(f.deployment("blue")).delete();
    f.converge();
    assertEquals(List.of("my-endpoint-no-traffic:100:null"), f.traffic());
  }

  @Test
  void scaleSettingsBecomeTheTemplatesAutoscalingAnnotations() {
    f.applyEndpoint(traffic("blue", 100));
    f.applyDeployment(
        "blue",
        s ->
            s.put(
                "scale_settings",
                Map.of("type", "target_utilization", "min_instances", 0, "max_instances", 3)));
    f.converge();
    Map<String, String> a = f.service().getSpec().getTemplate().getMetadata().getAnnotations();
    assertEquals("0", a.get("autoscaling.knative.dev/min-scale"), a.toString());
    assertEquals("3", a.get("autoscaling.knative.dev/max-scale"), a.toString());
    assertEquals("1", a.get("knoe.dev/generation"));
    assertEquals(ClusterFixture.SHA, a.get("knoe.dev/model-sha256"));
  }

  @Test
  void deletingTheEndpointRemovesItsServiceTriggersAndSecret() {
    f.applyEndpoint(traffic("blue", 100));
    f.editEndpoint(
        s ->
            s.put(
                "triggers",
                List.of(
                    Map.of(
                        "broker",
                        "default",
                        "filter",
                        Map.of("type", "com.example.order.created")))));
    f.applyDeployment("blue");
    f.converge();
    assertNotNull(f.service());
    assertEquals(1, f.knative.triggers().inNamespace(NS).list().getItems().size());
    assertNotNull(client.secrets().inNamespace(NS).withName("my-endpoint-auth").get());
    String uid = f.endpoint().getMetadata().getUid();
    for (var o :
        List.of(
            f.service(),
            f.knative.triggers().inNamespace(NS).list().getItems().get(0),
            client.secrets().inNamespace(NS).withName("my-endpoint-auth").get())) {
      OwnerReference ref = o.getMetadata().getOwnerReferences().get(0);
      assertEquals(
          List.of("knoe.dev/v1alpha1", "OnlineEndpoint", "my-endpoint", uid, true),
          List.of(
              ref.getApiVersion(), ref.getKind(), ref.getName(), ref.getUid(), ref.getController()),
          o.getKind());
    }

    assertNotNull(client.configMaps().inNamespace(NS).withName("my-endpoint-routing").get());
    client.resource(f.endpoint()).delete();
    assertEquals(Reconciler.Result.done(), f.reconcile());
    assertNull(f.service());
    assertNull(client.configMaps().inNamespace(NS).withName("my-endpoint-routing").get());
    assertEquals(List.of(), f.knative.triggers().inNamespace(NS).list().getItems());
    assertNull(client.secrets().inNamespace(NS).withName("my-endpoint-auth").get());
    assertEquals(
        "Failed",
        f.deployment("blue").getStatus().provisioningState(),
        "an orphan deployment says why");
    f.assertSettled();
  }

  @Test
  void mirrorTrafficChangesTheRoutingConfigMapAndMakesNoRevision() {
    f.applyEndpoint(traffic("blue", 100));
    f.applyDeployment("blue");
    f.applyDeployment("green");
    f.converge();
    String revisionBefore = f.service().getSpec().getTemplate().getMetadata().getName();
    long serviceGeneration =
        f.service().getMetadata().getGeneration() == null
            ? 0
            : f.service().getMetadata().getGeneration();
    assertEquals(
        "{}",
        client
            .configMaps()
            .inNamespace(NS)
            .withName("my-endpoint-routing")
            .get()
            .getData()
            .get("mirror.json"));

    f.editEndpoint(s -> s.put("mirror_traffic", Map.of("green", 20)));
    f.converge();
    String rule =
        client
            .configMaps()
            .inNamespace(NS)
            .withName("my-endpoint-routing")
            .get()
            .getData()
            .get("mirror.json");
    assertTrue(
        rule.contains("\"deployment\": \"green\"")
            && rule.contains("\"percent\": 20")
            && rule.contains("http://green-my-endpoint." + NS + ".svc.cluster.local"),
        rule);
    assertEquals(
        revisionBefore,
        f.service().getSpec().getTemplate().getMetadata().getName(),
        "no new revision");
    assertEquals(
        serviceGeneration,
        f.service().getMetadata().getGeneration() == null
            ? 0
            : f.service().getMetadata().getGeneration(),
        "the Service was not rewritten for a mirror change");
  }

  @Test
  void aRestartedReconcilerConvergesToTheSameEndState() {
    f.applyEndpoint(traffic("blue", 90, "green", 10));
    f.applyDeployment("blue");
    f.applyDeployment("green");
    f.fake.byDefault(Outcome.STARTING);
    f.reconcile(); // blue's template written
    f.fake.step("my-endpoint");
    f.reconcile(); // green's template written; nothing Ready
    assertEquals(f.rev("green", 1), f.template());

    f.reconciler = f.newReconciler(); // the leader changed
    f.fake.step("my-endpoint");
    f.fake.set(f.rev("blue", 1), Outcome.READY);
    f.fake.set(f.rev("green", 1), Outcome.READY);
    f.converge();
    assertEquals(
        List.of(f.rev("blue", 1) + ":90:blue", f.rev("green", 1) + ":10:green"), f.traffic());
    assertEquals("Succeeded", f.endpoint().getStatus().provisioningState());
    f.assertSettled();

    // And a fresh one on a settled endpoint writes nothing.
    f.reconciler = f.newReconciler();
    f.assertSettled();
  }

  @Test
  void triggersAreCreatedChangedAndRemovedWithTheSpec() {
    f.applyEndpoint(traffic("blue", 100));
    f.applyDeployment("blue");
    f.editEndpoint(
        s ->
            s.put(
                "triggers",
                List.of(
                    Map.of(
                        "broker", "default", "filter", Map.of("type", "com.example.order.created")),
                    Map.of(
                        "filter", Map.of("type", "com.example.order.updated", "source", "shop")))));
    f.converge();
    List<Trigger> ts = f.knative.triggers().inNamespace(NS).list().getItems();
    assertEquals(2, ts.size());
    String token =
        new String(
            Base64.getDecoder()
                .decode(
                    client
                        .secrets()
                        .inNamespace(NS)
                        .withName("my-endpoint-auth")
                        .get()
                        .getData()
                        .get("events-token")),
            StandardCharsets.UTF_8);
    assertTrue(token.length() >= 40, token);
    for (Trigger t : ts) {
      assertEquals(
          "/events/" + token,
          t.getSpec().getSubscriber().getUri(),
          "delivered to the token's path");
      assertEquals("default", t.getSpec().getBroker());
      assertEquals("my-endpoint", t.getSpec().getSubscriber().getRef().getName());
      assertEquals("Service", t.getSpec().getSubscriber().getRef().getKind());
    }
    f.assertSettled();

    f.editEndpoint(
        s ->
            s.put(
                "triggers",
                List.of(
                    Map.of(
                        "broker",
                        "default",
                        "filter",
                        Map.of("type", "com.example.order.created")))));
    f.converge();
    ts = f.knative.triggers().inNamespace(NS).list().getItems();
    assertEquals(1, ts.size());
    assertEquals(
        Map.of("type", "com.example.order.created"),
        ts.get(0).getSpec().getFilter().getAttributes());

    // Someone edits the Trigger by hand: it is put back.
    Trigger t = ts.get(0);
    t.getSpec().getFilter().setAttributes(Map.of("type", "other"));
    f.knative.triggers().inNamespace(NS).resource(t).update();
    f.reconcile();
    assertEquals(
        Map.of("type", "com.example.order.created"),
        f.knative
            .triggers()
            .inNamespace(NS)
            .list()
            .getItems()
            .get(0)
            .getSpec()
            .getFilter()
            .getAttributes());

    // Deleting the events token from the Secret rotates it: a new one, and the Trigger follows.
    Secret secret = client.secrets().inNamespace(NS).withName("my-endpoint-auth").get();
    secret.getData().remove("events-token");
    client.secrets().inNamespace(NS).resource(secret).update();
    f.converge();
    String rotated =
        new String(
            Base64.getDecoder()
                .decode(
                    client
                        .secrets()
                        .inNamespace(NS)
                        .withName("my-endpoint-auth")
                        .get()
                        .getData()
                        .get("events-token")),
            StandardCharsets.UTF_8);
    assertNotEquals(token, rotated);
    assertEquals(
        "/events/" + rotated,
        f.knative
            .triggers()
            .inNamespace(NS)
            .list()
            .getItems()
            .get(0)
            .getSpec()
            .getSubscriber()
            .getUri());

    // Rotating without losing events: the new token first, the previous one on the next line (pods
    // accept both until they see the file); Triggers deliver to the first.
    secret = client.secrets().inNamespace(NS).withName("my-endpoint-auth").get();
    secret
        .getData()
        .put(
            "events-token",
            Base64.getEncoder()
                .encodeToString(("n3w-token\n" + rotated + "\n").getBytes(StandardCharsets.UTF_8)));
    client.secrets().inNamespace(NS).resource(secret).update();
    f.converge();
    assertEquals(
        "/events/n3w-token",
        f.knative
            .triggers()
            .inNamespace(NS)
            .list()
            .getItems()
            .get(0)
            .getSpec()
            .getSubscriber()
            .getUri());

    f.editEndpoint(s -> s.remove("triggers"));
    f.converge();
    assertEquals(List.of(), f.knative.triggers().inNamespace(NS).list().getItems());
  }

  /**
   * A Trigger the cluster refuses (here by a real ValidatingAdmissionPolicy in the API server, as a
   * cluster's policy or Eventing's webhook would) fails the endpoint's status with the cluster's
   * words, and nothing else: the other Trigger, the Service and its traffic are made. Once the
   * policy goes, the next run makes it.
   */
  @Test
  void aTriggerTheClusterRefusesFailsTheEndpointButNotTheRestOfTheRun() {
    String policy =
        """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata: {name: knoe-test-closed-broker}
        spec:
          failurePolicy: Fail
          matchConstraints:
            resourceRules:
            - {apiGroups: [eventing.knative.dev], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [triggers]}
          validations:
          - expression: "object.spec.broker != 'closed'"
            message: "broker 'closed' takes no new triggers"
        ---
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicyBinding
        metadata: {name: knoe-test-closed-broker}
        spec: {policyName: knoe-test-closed-broker, validationActions: [Deny]}
        """;
    var objects =
        client.load(new java.io.ByteArrayInputStream(policy.getBytes(StandardCharsets.UTF_8)));
    objects.create();
    try {
      // The API server enforces a new policy within a second or so: wait until it does.
      Trigger probe =
          new io.fabric8.knative.eventing.v1.TriggerBuilder()
              .withNewMetadata()
              .withName("probe")
              .withNamespace(NS)
              .endMetadata()
              .withNewSpec()
              .withBroker("closed")
              .withNewSubscriber()
              .withUri("http://x")
              .endSubscriber()
              .endSpec()
              .build();
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(30))
          .until(
              () -> {
                try {
                  f.knative.triggers().inNamespace(NS).resource(probe).dryRun().create();
                  return false;
                } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                  return true;
                }
              });

      f.applyEndpoint(traffic("blue", 100));
      f.editEndpoint(
          s ->
              s.put(
                  "triggers",
                  List.of(
                      Map.of(
                          "broker",
                          "closed",
                          "filter",
                          Map.of("type", "com.example.order.created")),
                      Map.of("filter", Map.of("type", "com.example.order.paid")))));
      f.applyDeployment("blue");
      for (int i = 0;
          i < 10
              && (f.service() == null
                  || !f.traffic().equals(List.of(f.rev("blue", 1) + ":100:blue")));
          i++) {
        f.reconcile();
        f.fake.step("my-endpoint");
      }
      assertEquals(Reconciler.Result.after(Reconciler.RETRY), f.reconcile());
      assertEquals(List.of(f.rev("blue", 1) + ":100:blue"), f.traffic(), "the traffic is served");
      List<Trigger> made = f.knative.triggers().inNamespace(NS).list().getItems();
      assertEquals(List.of("default"), made.stream().map(t -> t.getSpec().getBroker()).toList());
      OnlineEndpointStatus e = f.endpoint().getStatus();
      assertEquals("Failed", e.provisioningState());
      assertEquals("TriggerRefused", e.conditions().get(0).reason());
      assertTrue(
          e.message()
                  .contains(
                      "the trigger on broker 'closed' with filter {type=com.example.order.created} was"
                          + " refused by the cluster")
              && e.message().contains("broker 'closed' takes no new triggers"),
          e.message());
      assertEquals(Map.of("blue", 100), e.traffic());
    } finally {
      objects.delete();
    }
    // Without the policy (once the API server has dropped it), the next runs make the Trigger.
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .until(
            () -> {
              f.reconcile();
              return f.knative.triggers().inNamespace(NS).list().getItems().size() == 2;
            });
    f.converge();
    assertEquals("Succeeded", f.endpoint().getStatus().provisioningState());
  }

  @Test
  void theAuthSecretGetsTwoKeysOnceAndKeepsThem() {
    f.applyEndpoint(traffic("blue", 100));
    f.applyDeployment("blue");
    f.converge();
    Secret s = client.secrets().inNamespace(NS).withName("my-endpoint-auth").get();
    String keys =
        new String(Base64.getDecoder().decode(s.getData().get("keys")), StandardCharsets.UTF_8);
    String[] lines = keys.split("\n");
    assertEquals(2, lines.length, keys);
    assertNotEquals(lines[0], lines[1]);
    assertTrue(lines[0].length() >= 40, lines[0]);
    assertEquals(
        "",
        new String(
            Base64.getDecoder().decode(s.getData().get("token-key.pem")), StandardCharsets.UTF_8));
    // The template mounts it.
    assertEquals(
        "my-endpoint-auth",
        f.service().getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> v.getSecret() != null)
            .findFirst()
            .orElseThrow()
            .getSecret()
            .getSecretName());

    // Rotated by the API: the reconciler leaves the keys alone.
    s.getData()
        .put("keys", Base64.getEncoder().encodeToString("a\nb\n".getBytes(StandardCharsets.UTF_8)));
    client.secrets().inNamespace(NS).resource(s).update();
    f.reconciler = f.newReconciler();
    f.editDeployment("blue", d -> d.put("instance_count", 2));
    f.converge();
    assertEquals(
        Base64.getEncoder().encodeToString("a\nb\n".getBytes(StandardCharsets.UTF_8)),
        client.secrets().inNamespace(NS).withName("my-endpoint-auth").get().getData().get("keys"));
  }

  @Test
  void anInvalidEndpointSpecFailsAndTouchesNothingElse() {
    f.applyEndpoint(traffic("blue", 100));
    f.applyDeployment("blue");
    f.converge();
    Map<String, String> before = f.versions();
    f.editEndpoint(
        s -> {
          s.put("traffic", traffic("blue", 60));
          s.put("auth_mode", "aad_token");
        });
    assertEquals(Reconciler.Result.done(), f.reconcile());
    f.assertValid();
    OnlineEndpointStatus e = f.endpoint().getStatus();
    assertEquals("Failed", e.provisioningState());
    assertTrue(e.message().contains("aad_token"), e.message());
    assertTrue(e.message().contains("traffic"), e.message());
    assertEquals(
        "http://my-endpoint.knoe.example.com/score",
        e.scoringUri(),
        "what is in effect stays shown");
    assertEquals(Map.of("blue", 100), e.traffic());
    Map<String, String> after = f.versions();
    after.remove("OnlineEndpoint/my-endpoint");
    before.remove("OnlineEndpoint/my-endpoint");
    assertEquals(before, after);
    f.assertSettled();
  }

  @Test
  void anInvalidDeploymentSpecFailsWhileItsOldRevisionKeepsServing() {
    f.applyEndpoint(traffic("blue", 100));
    f.applyDeployment("blue");
    f.converge();
    // Valid for the CRD's schema, not for Knoe: Kubernetes allows no other liveness success
    // threshold.
    f.editDeployment("blue", s -> s.put("liveness_probe", Map.of("success_threshold", 2)));
    f.converge();
    OnlineDeploymentStatus d = f.deployment("blue").getStatus();
    assertEquals("Failed", d.provisioningState());
    assertTrue(d.message().contains("liveness_probe.success_threshold"), d.message());
    assertEquals("InvalidSpec", d.conditions().get(0).reason());
    assertEquals(List.of(f.rev("blue", 1) + ":100:blue"), f.traffic());
    assertEquals("Succeeded", f.endpoint().getStatus().provisioningState());
    f.assertSettled();
  }

  @Test
  void aModelThatCannotBeResolvedFailsThatDeploymentOnly() {
    f.reconciler =
        new Reconciler(
            client,
            dev.knoe.control.knative.RenderSettings.defaults(NS),
            (ns, spec) -> {
              if (spec.name().equals("green")) {
                throw new ModelResolver.Unresolved("model green-model:7 is not registered");
              }
              return ClusterFixture.MODELS.resolve(ns, spec);
            });
    f.applyEndpoint(traffic("blue", 100));
    f.applyDeployment("green");
    f.applyDeployment("blue");
    f.converge();
    assertEquals(List.of(f.rev("blue", 1) + ":100:blue"), f.traffic());
    OnlineDeploymentStatus green = f.deployment("green").getStatus();
    assertEquals("Failed", green.provisioningState());
    assertEquals("model green-model:7 is not registered", green.message());
    assertEquals("ModelNotFound", green.conditions().get(0).reason());
    assertEquals("Succeeded", f.endpoint().getStatus().provisioningState());
  }

  @Test
  void explicitSpecNamesAndDuplicates() {
    f.applyEndpoint(traffic("blue", 100));
    OnlineDeployment other = new OnlineDeployment();
    other.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName("x-blue")
            .withNamespace(NS)
            .build());
    Map<String, Object> spec = ClusterFixture.sample("blue-deployment.yml"); // spec.name: blue
    other.setSpec(new AzureYamlSpec(spec));
    f.applyDeployment("blue");
    client.resource(other).create();
    f.converge();
    assertEquals(List.of(f.rev("blue", 1) + ":100:blue"), f.traffic());
    OnlineDeploymentStatus dup =
        client
            .resources(OnlineDeployment.class)
            .inNamespace(NS)
            .withName("x-blue")
            .get()
            .getStatus();
    assertEquals("Failed", dup.provisioningState());
    assertTrue(
        dup.message().contains("already used by OnlineDeployment 'my-endpoint-blue'"),
        dup.message());
    assertFalse(f.deployment("blue").getStatus().provisioningState().equals("Failed"));
  }

  @Test
  void aResourceNameThatDoesNotFitTheEndpointNameIsRefused() {
    OnlineEndpoint e = new OnlineEndpoint();
    e.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName("my-endpoint")
            .withNamespace(NS)
            .build());
    e.setSpec(new AzureYamlSpec(Map.of("name", "other-endpoint")));
    client.resource(e).create();
    assertEquals(Reconciler.Result.done(), f.reconcile());
    assertTrue(
        f.endpoint()
            .getStatus()
            .message()
            .contains("metadata.name 'my-endpoint' must be 'other-endpoint'"),
        f.endpoint().getStatus().message());
    assertNull(f.service());
  }
}
