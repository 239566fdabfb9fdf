package dev.knoe.control.knative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.control.spec.AuthMode;
import dev.knoe.control.spec.DeploymentSpec;
import dev.knoe.control.spec.EndpointSpec;
import dev.knoe.control.spec.RequestSettings;
import dev.knoe.control.spec.ScaleSettings;
import dev.knoe.control.spec.SpecParser;
import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.serving.v1.RevisionTemplateSpec;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.TrafficTarget;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The desired Knative objects of the sample endpoint and its variations, as a cluster would get
 * them.
 */
class KnativeRendererTest {

  static final Path SAMPLES = Path.of("../samples").toAbsolutePath().normalize();
  static final String SHA = "6d3c85a511802009f3fe20a8646dfdba5de3cd559c5fc00e05e3f991f53f7218";
  final KnativeRenderer renderer = new KnativeRenderer(RenderSettings.defaults("models"));

  static EndpointSpec endpoint() throws Exception {
    return SpecParser.endpoint(SAMPLES.resolve("endpoint.yml"), List.of()).spec();
  }

  static DeploymentSpec deployment(String file) throws Exception {
    return SpecParser.deployment(SAMPLES.resolve(file), List.of()).spec();
  }

  static DeploymentRevision revision(DeploymentSpec d, long generation) {
    return new DeploymentRevision(
        d,
        null,
        generation,
        d.endpointName() + "-" + d.name(),
        "1",
        new ArtifactSource(
            "http://knoe:8500/api/v1/models/m/versions/1/content", SHA, "model.onnx"),
        null);
  }

  static Map<String, String> env(Container c) {
    return c.getEnv().stream()
        .collect(Collectors.toMap(EnvVar::getName, e -> e.getValue() == null ? "" : e.getValue()));
  }

  @Test
  void sampleEndpointBecomesOneServiceWithARevisionPerDeployment() throws Exception {
    EndpointSpec e = endpoint().withTraffic(Map.of("blue", 90, "green", 10));
    List<HasMetadata> all =
        KnativeManifests.render(
            renderer,
            e,
            List.of(
                revision(deployment("blue-deployment.yml"), 1),
                revision(deployment("green-deployment.yml"), 2)));
    assertEquals(
        List.of("OnlineEndpoint", "OnlineDeployment", "OnlineDeployment", "ConfigMap", "Service"),
        all.stream().map(HasMetadata::getKind).toList());
    Service s = (Service) all.get(4);
    assertEquals(List.of(), KnativeRules.problems(s));
    assertEquals("my-endpoint", s.getMetadata().getName());
    assertEquals("models", s.getMetadata().getNamespace());
    assertEquals("my-endpoint-green-2", s.getSpec().getTemplate().getMetadata().getName());
    List<TrafficTarget> t = s.getSpec().getTraffic();
    assertEquals(
        List.of("my-endpoint-blue-1:90:blue", "my-endpoint-green-2:10:green"),
        t.stream()
            .map(x -> x.getRevisionName() + ":" + x.getPercent() + ":" + x.getTag())
            .toList());
    assertTrue(
        t.stream().noneMatch(x -> Boolean.TRUE.equals(x.getLatestRevision())),
        "traffic is pinned to revisions, never to whatever is latest");
  }

  @Test
  void noTrafficGoesToTheRevisionThatAnswers404AndKeepsDeploymentsTagged() throws Exception {
    Service s =
        renderer.service(
            endpoint(),
            renderer.noTrafficTemplate(endpoint()),
            renderer.traffic(endpoint(), Map.of("blue", "my-endpoint-blue-1")));
    assertEquals(List.of(), KnativeRules.problems(s), "Knative's sum of 100 holds");
    assertEquals(
        List.of("my-endpoint-blue-1:0:blue", "my-endpoint-no-traffic:100:null"),
        s.getSpec().getTraffic().stream()
            .map(x -> x.getRevisionName() + ":" + x.getPercent() + ":" + x.getTag())
            .toList());
    Container c = s.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertEquals("my-endpoint", env(c).get("KNOE_NO_TRAFFIC_ENDPOINT"));
  }

  @Test
  void revisionRunsTheScoringFunctionWithAuthModelAndLimitsOfItsSpec() throws Exception {
    DeploymentSpec blue = deployment("blue-deployment.yml");
    RevisionTemplateSpec t = renderer.template(endpoint(), revision(blue, 3));
    assertEquals("my-endpoint-blue-3", t.getMetadata().getName());
    assertEquals("blue", t.getMetadata().getLabels().get(KnativeRenderer.LABEL_DEPLOYMENT));
    Container c = t.getSpec().getContainers().get(0);
    Map<String, String> env = env(c);
    assertEquals("required", env.get("KNOE_AUTH"));
    assertEquals("/var/run/knoe/auth/keys", env.get("KNOE_KEYS_FILE"));
    assertEquals("/mnt/models/model.onnx", env.get("KNOE_MODEL_DIR"));
    assertEquals("blue", env.get("KNOE_DEPLOYMENT_NAME"));
    assertEquals(RenderSettings.DEFAULT_SCORING_IMAGE, c.getImage());
    assertEquals("/v2/health/ready", c.getReadinessProbe().getHttpGet().getPath());
    assertEquals("/v2/health/live", c.getLivenessProbe().getHttpGet().getPath());
    assertEquals(
        "1", c.getResources().getLimits().get("cpu").toString(), "cpu-small from the catalog");
    // The container-aware JVM sizes its heap from this limit: on a cluster it is the instance
    // type's bound (locally, JvmMemory passes the same memory as -XX:MaxRAM).
    assertEquals(
        "2Gi",
        c.getResources().getLimits().get("memory").toString(),
        "cpu-small's memory from the catalog");
    assertEquals(32L, t.getSpec().getContainerConcurrency());
    assertEquals(5L, t.getSpec().getTimeoutSeconds(), "request_timeout_ms 5000");
    assertEquals(
        "my-endpoint-auth",
        t.getSpec().getVolumes().stream()
            .filter(v -> v.getSecret() != null)
            .findFirst()
            .orElseThrow()
            .getSecret()
            .getSecretName(),
        "keys arrive as a Secret's files, reloaded without a revision");
    Container init = t.getSpec().getInitContainers().get(0);
    assertEquals("storage-initializer", init.getName());
    String script = init.getCommand().get(2);
    assertTrue(
        script.contains("wget")
            && script.contains(SHA + "  /mnt/models/model.onnx' | sha256sum -c -"),
        script);
    assertEquals("1", t.getMetadata().getAnnotations().get("autoscaling.knative.dev/min-scale"));
    assertEquals("1", t.getMetadata().getAnnotations().get("autoscaling.knative.dev/max-scale"));
  }

  /**
   * The container-aware JVM reads the pod's memory limit but would give the heap only 25 % of it:
   * the pod gets the same share as a local instance, and the user's own KNOE_JAVA_OPTS after it (so
   * that a user's -Xmx wins).
   */
  @Test
  void heapIsHalfThePodsMemoryUnlessTheDeploymentSaysOtherwise() throws Exception {
    DeploymentSpec blue = deployment("blue-deployment.yml");
    Container plain =
        renderer.template(endpoint(), revision(blue, 1)).getSpec().getContainers().get(0);
    assertEquals("-XX:MaxRAMPercentage=50.0", env(plain).get("KNOE_JAVA_OPTS"));

    DeploymentSpec own = blue.withEnvironmentVariables(Map.of("KNOE_JAVA_OPTS", "-Xmx300m"));
    Container c = renderer.template(endpoint(), revision(own, 2)).getSpec().getContainers().get(0);
    assertEquals("-XX:MaxRAMPercentage=50.0 -Xmx300m", env(c).get("KNOE_JAVA_OPTS"));
    assertEquals(
        1,
        c.getEnv().stream().filter(e -> e.getName().equals("KNOE_JAVA_OPTS")).count(),
        "one variable, not the user's and Knoe's side by side");
  }

  @Test
  void mirrorTrafficIsAMountedRuleSoChangingItMakesNoRevision() throws Exception {
    EndpointSpec e =
        endpoint().withTraffic(Map.of("blue", 100)).withMirrorTraffic(Map.of("green", 10));
    var cm = renderer.routing(e);
    assertEquals("my-endpoint-routing", cm.getMetadata().getName());
    assertEquals(
        "{\"deployment\": \"green\", \"url\": \"http://green-my-endpoint.models.svc.cluster.local\", \"percent\": 10}",
        cm.getData().get("mirror.json"));
    assertEquals(
        "{}",
        renderer.routing(endpoint()).getData().get("mirror.json"),
        "no mirror: an empty rule");
    RevisionTemplateSpec before =
        renderer.template(endpoint(), revision(deployment("blue-deployment.yml"), 1));
    RevisionTemplateSpec after =
        renderer.template(e, revision(deployment("blue-deployment.yml"), 1));
    assertEquals(before, after, "the revision template does not depend on the mirror");
    assertEquals(
        "/var/run/knoe/routing/mirror.json",
        env(after.getSpec().getContainers().get(0)).get("KNOE_MIRROR_FILE"));
  }

  @Test
  void tokenEndpointsGetTheVerificationKeyFile() throws Exception {
    EndpointSpec e = endpoint().withAuthMode(AuthMode.AML_TOKEN);
    Map<String, String> env =
        env(
            renderer
                .template(e, revision(deployment("blue-deployment.yml"), 1))
                .getSpec()
                .getContainers()
                .get(0));
    assertEquals("/var/run/knoe/auth/token-key.pem", env.get("KNOE_JWT_PUBLIC_KEY_FILE"));
    assertEquals("my-endpoint", env.get("KNOE_JWT_AUDIENCE"));
    assertFalse(env.containsKey("KNOE_KEYS_FILE"));
  }

  @Test
  void scaleAndRequestSettingsBecomeTheAutoscalerAnnotations() throws Exception {
    DeploymentSpec d =
        deployment("blue-deployment.yml")
            .withScaleSettings(
                new ScaleSettings(ScaleSettings.Type.TARGET_UTILIZATION, 0, 5, 60, 1))
            .withRequestSettings(new RequestSettings(30_500, 8, 500));
    RevisionTemplateSpec t = renderer.template(endpoint(), revision(d, 1));
    Map<String, String> a = t.getMetadata().getAnnotations();
    assertEquals("0", a.get("autoscaling.knative.dev/min-scale"));
    assertEquals("5", a.get("autoscaling.knative.dev/max-scale"));
    assertEquals("8", a.get("autoscaling.knative.dev/target"));
    assertEquals("60", a.get("autoscaling.knative.dev/target-utilization-percentage"));
    assertEquals("concurrency", a.get("autoscaling.knative.dev/metric"));
    assertEquals(8L, t.getSpec().getContainerConcurrency());
    assertEquals(31L, t.getSpec().getTimeoutSeconds(), "30.5 s rounds up");
  }

  @Test
  void gpuInstanceTypesAskForAGpuAndTheNodesThatHaveOne() throws Exception {
    DeploymentSpec d = deployment("blue-deployment.yml").withInstanceType("Standard_NC6s_v3");
    RevisionTemplateSpec t = renderer.template(endpoint(), revision(d, 1));
    Container c = t.getSpec().getContainers().get(0);
    assertEquals("1", c.getResources().getLimits().get("nvidia.com/gpu").toString());
    assertEquals("cuda", env(c).get("KNOE_DEVICE"));
    assertEquals("true", t.getSpec().getNodeSelector().get("nvidia.com/gpu.present"));
    assertEquals("nvidia.com/gpu", t.getSpec().getTolerations().get(0).getKey());
    assertEquals(
        RenderSettings.DEFAULT_GPU_SCORING_IMAGE,
        c.getImage(),
        "the image with CUDA beside the function");
    // Configured images win; a custom scoring image alone serves GPU types too (no invented name).
    assertEquals("me/gpu:1", RenderSettings.gpuScoringImage("me/gpu:1", "me/cpu:1"));
    assertEquals("me/cpu:1", RenderSettings.gpuScoringImage(null, "me/cpu:1"));
    assertEquals(
        RenderSettings.DEFAULT_GPU_SCORING_IMAGE, RenderSettings.gpuScoringImage(null, null));
    assertEquals(
        RenderSettings.DEFAULT_SCORING_IMAGE,
        renderer
            .template(endpoint(), revision(deployment("blue-deployment.yml"), 1))
            .getSpec()
            .getContainers()
            .get(0)
            .getImage());
  }

  @Test
  void unknownInstanceTypeNamesTheCatalog() throws Exception {
    DeploymentSpec d = deployment("blue-deployment.yml").withInstanceType("huge");
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> renderer.template(endpoint(), revision(d, 1)));
    assertTrue(
        e.getMessage()
            .contains(
                "instance_type 'huge' is not in the instance-type catalog (types: cpu-large, cpu-medium"),
        e.getMessage());
  }

  @Test
  void triggerSubscribesTheEndpointsServiceToItsBroker() throws Exception {
    var trigger =
        new dev.knoe.control.spec.Trigger("orders", Map.of("type", "com.example.order.created"));
    Trigger t = renderer.trigger(endpoint(), trigger, "tok3n");
    assertEquals("orders", t.getSpec().getBroker());
    assertEquals(
        "/events/tok3n",
        t.getSpec().getSubscriber().getUri(),
        "a Broker sends no key: the path holds the token");
    assertEquals(
        Map.of("type", "com.example.order.created"), t.getSpec().getFilter().getAttributes());
    assertEquals("my-endpoint", t.getSpec().getSubscriber().getRef().getName());
    assertEquals("Service", t.getSpec().getSubscriber().getRef().getKind());
    assertTrue(
        t.getMetadata().getName().startsWith("my-endpoint-orders-"), t.getMetadata().getName());
  }

  @Test
  void deploymentResourceRefersToTheRegisteredModel() throws Exception {
    var r = renderer.deploymentResource(revision(deployment("green-deployment.yml"), 1));
    assertEquals("my-endpoint-green", r.getMetadata().getName());
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) r.getAdditionalProperties().get("spec");
    assertEquals("my-endpoint-green:1", spec.get("model"));
    assertEquals("my-endpoint", spec.get("endpoint_name"));
    assertEquals(
        SHA, r.getMetadata().getAnnotations().get(KnativeRenderer.ANNOTATION_MODEL_SHA256));
  }

  @Test
  void trafficToADeploymentNotGivenIsRefused() throws Exception {
    EndpointSpec e = endpoint().withTraffic(new LinkedHashMap<>(Map.of("blue", 100)));
    var x =
        assertThrows(
            IllegalArgumentException.class, () -> KnativeManifests.render(renderer, e, List.of()));
    assertTrue(
        x.getMessage()
            .contains("sends traffic to deployment 'blue', which is not among the files given"),
        x.getMessage());
  }
}
