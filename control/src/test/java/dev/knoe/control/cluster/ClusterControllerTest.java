package dev.knoe.control.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Informers drive the reconciler, and only the replica holding the Lease reconciles: on a real
 * kube-apiserver (watches, leases and resourceVersions as a cluster has them).
 */
class ClusterControllerTest {

  // A short retry so the follower takes a released Lease at once; a long lease so a starved CI
  // machine does not
  // lose it mid-test (the hand-over here is by release, not expiry).
  static final ClusterController.Timing FAST =
      new ClusterController.Timing(
          Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofMillis(250));

  KubernetesClient client;
  ClusterFixture f;
  final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  ClusterController a;
  ClusterController b;

  @BeforeEach
  void setUp() {
    f = new ClusterFixture();
    client = f.client;
  }

  @AfterEach
  void tearDown() {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
    f.close();
    assertEquals(
        List.of(), f.fake.refusals(), "Knative's validation accepts every Service written");
  }

  ClusterController controller(String identity) {
    Reconciler reconciler = f.newReconciler();
    return new ClusterController(
        client,
        ClusterFixture.NS,
        (ns, endpoint) -> {
          calls.computeIfAbsent(identity, k -> new AtomicInteger()).incrementAndGet();
          return reconciler.reconcile(ns, endpoint);
        },
        identity,
        new ClusterController.LeaseId("knoe-system", "knoe-leader"),
        FAST);
  }

  int calls(String identity) {
    return calls.getOrDefault(identity, new AtomicInteger()).get();
  }

  @Test
  void eventsOnResourcesAndRevisionsDriveTheRollout() {
    a = controller("a");
    a.start();
    await().atMost(Duration.ofSeconds(10)).until(a::leading);
    f.applyEndpoint(Map.of("blue", 100));
    f.applyDeployment("blue");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> f.service() != null && f.rev("blue", 1).equals(f.template()));
    // Knative's controllers keep stepping: the Revision appears Ready, its event brings the
    // traffic,
    // then the route reports it.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(300))
        .ignoreExceptions()
        .until(
            () -> {
              f.fake.step("my-endpoint");
              return f.traffic().equals(List.of(f.rev("blue", 1) + ":100:blue"));
            });
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(300))
        .ignoreExceptions()
        .until(
            () -> {
              f.fake.step("my-endpoint");
              return f.endpoint().getStatus() != null
                  && "Succeeded".equals(f.endpoint().getStatus().provisioningState());
            });
    f.assertValid();
  }

  @Test
  void reconcilesReadTheDeploymentsFromTheInformerCacheNotFromListCalls() {
    // The API server counts the list calls it answers (its own metrics): the informer's one list,
    // and none from the reconciles.
    double before = onlineDeploymentLists();
    a =
        new ClusterController(
            client,
            ClusterFixture.NS,
            ClusterController.work(f.newReconciler()),
            "a",
            new ClusterController.LeaseId("knoe-system", "knoe-leader"),
            FAST);
    a.start();
    await().atMost(Duration.ofSeconds(10)).until(a::leading);
    f.applyEndpoint(Map.of("blue", 100));
    f.applyDeployment("blue");
    f.applyDeployment("green");
    await().atMost(Duration.ofSeconds(10)).until(() -> f.service() != null);
    // Knative's controllers keep running: step until both revisions are rolled out, however slow
    // the machine
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(300))
        .ignoreExceptions()
        .until(
            () -> {
              f.fake.step("my-endpoint");
              return f.endpoint().getStatus() != null
                  && "Succeeded".equals(f.endpoint().getStatus().provisioningState());
            });
    assertEquals(
        1, onlineDeploymentLists() - before, "the informer's one list; reconciles took the cache");
  }

  /** LIST requests for onlinedeployments the API server has answered, from its /metrics. */
  double onlineDeploymentLists() {
    String metrics = client.raw("/metrics");
    double sum = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith("apiserver_request_total{")
          && line.contains("resource=\"onlinedeployments\"")
          && line.contains("verb=\"LIST\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /**
   * A rotated events token moves the Triggers at once (the Secret is watched), not at the 10-minute
   * resync.
   */
  @Test
  void aRotatedEventsTokenMovesTheTriggersAtOnce() {
    a = controller("a");
    a.start();
    await().atMost(Duration.ofSeconds(10)).until(a::leading);
    f.applyEndpoint(Map.of("blue", 100));
    f.editEndpoint(
        s ->
            s.put(
                "triggers",
                List.of(Map.of("filter", Map.of("type", "com.example.order.created")))));
    f.applyDeployment("blue");
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(300))
        .ignoreExceptions()
        .until(
            () -> {
              f.fake.step("my-endpoint");
              return "Succeeded".equals(f.endpoint().getStatus().provisioningState())
                  && f.knative.triggers().inNamespace(ClusterFixture.NS).list().getItems().size()
                      == 1;
            });
    var secret = client.secrets().inNamespace(ClusterFixture.NS).withName("my-endpoint-auth").get();
    secret
        .getData()
        .put(
            "events-token",
            java.util.Base64.getEncoder()
                .encodeToString(
                    "r0tated\nprevious\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    client.secrets().inNamespace(ClusterFixture.NS).resource(secret).update();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                "/events/r0tated"
                    .equals(
                        f.knative
                            .triggers()
                            .inNamespace(ClusterFixture.NS)
                            .list()
                            .getItems()
                            .get(0)
                            .getSpec()
                            .getSubscriber()
                            .getUri()));
  }

  @Test
  void onlyTheLeaderReconcilesAndTheOtherTakesOverWhenItLeaves() {
    a = controller("a");
    b = controller("b");
    a.start();
    await().atMost(Duration.ofSeconds(10)).until(a::leading);
    b.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> "a".equals(b.leader()));
    f.applyEndpoint(Map.of("blue", 100));
    f.applyDeployment("blue");
    await().atMost(Duration.ofSeconds(10)).until(() -> f.service() != null);
    assertTrue(calls("a") > 0);
    assertEquals(0, calls("b"));
    assertFalse(b.leading());
    assertEquals(
        "a",
        client
            .leases()
            .inNamespace("knoe-system")
            .withName("knoe-leader")
            .get()
            .getSpec()
            .getHolderIdentity());

    a.close(); // releases the Lease
    await().atMost(Duration.ofSeconds(10)).until(b::leading);
    assertFalse(a.leading());
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(300))
        .ignoreExceptions()
        .until(
            () -> {
              f.fake.step("my-endpoint");
              return f.traffic().equals(List.of(f.rev("blue", 1) + ":100:blue"));
            });
    assertTrue(calls("b") > 0, "the new leader lists everything and reconciles it");
  }
}
