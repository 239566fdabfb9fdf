package dev.knoe.control.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import dev.knoe.control.cluster.AzureYamlSpec;
import dev.knoe.control.cluster.OnlineDeployment;
import dev.knoe.control.cluster.OnlineDeploymentStatus;
import dev.knoe.control.cluster.OnlineEndpoint;
import dev.knoe.control.cluster.OnlineEndpointStatus;
import dev.knoe.control.cluster.StatusCondition;
import dev.knoe.control.knative.ArtifactSource;
import dev.knoe.control.knative.DeploymentRevision;
import dev.knoe.control.knative.InstanceType;
import dev.knoe.control.knative.InstanceTypeCatalog;
import dev.knoe.control.knative.KnativeRenderer;
import dev.knoe.control.knative.RenderSettings;
import dev.knoe.control.spec.DeploymentSpec;
import dev.knoe.control.spec.EndpointSpec;
import dev.knoe.control.spec.Format;
import dev.knoe.control.spec.SpecParser;
import dev.knoe.control.spec.SpecWriter;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Helm chart {@code charts/knoe}: linted (strict) and rendered in-process with helm-java, the
 * rendered objects parsed and checked; its CRDs checked as apiextensions v1 structural schemas and
 * used to validate sample custom resources.
 */
class ChartTest {

  /** The chart, from the control module (the tests' working directory). */
  static final Path CHART = Path.of("..", "charts", "knoe");

  static final Path SAMPLES = Path.of("..", "samples");
  static final Path RESOURCES = Path.of("src", "test", "resources", "chart");
  static final String RELEASE = "knoe";
  static final String NAMESPACE = "knoe";

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final ObjectMapper JSON = new ObjectMapper();
  static final KnativeRenderer RENDERER = new KnativeRenderer(RenderSettings.defaults(NAMESPACE));

  /** What the reconciler and the API do, per "group/resource" (core group ""). */
  static final Map<String, Set<String>> EXPECTED_RULES =
      new TreeMap<>(
          Map.ofEntries(
              Map.entry(
                  "knoe.dev/onlineendpoints",
                  Set.of("get", "list", "watch", "create", "update", "patch", "delete")),
              Map.entry(
                  "knoe.dev/onlinedeployments",
                  Set.of("get", "list", "watch", "create", "update", "patch", "delete")),
              Map.entry("knoe.dev/onlineendpoints/status", Set.of("get", "update", "patch")),
              Map.entry("knoe.dev/onlinedeployments/status", Set.of("get", "update", "patch")),
              Map.entry(
                  "serving.knative.dev/services",
                  Set.of("get", "list", "watch", "create", "update", "patch", "delete")),
              Map.entry("serving.knative.dev/revisions", Set.of("get", "list", "watch")),
              Map.entry(
                  "eventing.knative.dev/triggers",
                  Set.of("get", "list", "watch", "create", "update", "patch", "delete")),
              Map.entry(
                  "/secrets",
                  Set.of("get", "list", "watch", "create", "update", "patch", "delete")),
              Map.entry(
                  "/configmaps",
                  Set.of("get", "list", "watch", "create", "update", "patch", "delete")),
              Map.entry("/pods", Set.of("get", "list", "watch")),
              Map.entry("/pods/log", Set.of("get")),
              Map.entry("/events", Set.of("create", "patch")),
              Map.entry(
                  "coordination.k8s.io/leases",
                  Set.of("get", "list", "watch", "create", "update", "patch"))));

  // ---------------------------------------------------------------- lint

  @Test
  void lintStrictPassesWithDefaultValues() {
    LintResult result = new Helm(CHART).lint().strict().call();
    assertLintPasses(result);
  }

  @Test
  void lintStrictPassesWithGpuClusterWideValues(@TempDir Path tmp) throws IOException {
    // helm-java's lint takes no values file: lint a copy whose values.yaml has the overlay merged
    // in.
    Path copy = copyChart(tmp);
    ObjectNode values = (ObjectNode) YAML.readTree(CHART.resolve("values.yaml").toFile());
    merge(values, YAML.readTree(RESOURCES.resolve("values-gpu-clusterwide.yaml").toFile()));
    YAML.writeValue(copy.resolve("values.yaml").toFile(), values);

    LintResult result = new Helm(copy).lint().strict().call();
    assertLintPasses(result);
  }

  // ---------------------------------------------------------------- what is rendered

  @Test
  void defaultRenderHasExactlyTheExpectedObjects() {
    List<JsonNode> objects = render(Map.of());
    Map<String, Long> kinds =
        objects.stream()
            .collect(
                Collectors.groupingBy(
                    o -> o.path("kind").asText(), TreeMap::new, Collectors.counting()));
    assertEquals(
        new TreeMap<>(
            Map.of(
                "ConfigMap", 2L, // the instance-type catalog, Knative's config-features
                "Deployment", 1L,
                "NetworkPolicy", 1L,
                "PersistentVolumeClaim", 1L,
                "Role", 2L, // the endpoints', leader election's
                "RoleBinding", 2L,
                "Secret", 2L, // the admin key, the model reader's token
                "Service", 1L,
                "ServiceAccount", 1L)),
        kinds);
    for (JsonNode o : objects) {
      String where = o.path("kind").asText() + " " + o.path("metadata").path("name").asText();
      if (o.path("metadata").path("name").asText().equals("config-features")) {
        assertEquals("knative-serving", namespace(o), where);
      } else {
        assertEquals(NAMESPACE, namespace(o), where);
        assertEquals(
            "knoe",
            o.path("metadata").path("labels").path("app.kubernetes.io/part-of").asText(),
            where);
      }
    }
  }

  @Test
  void rbacGrantsExactlyTheReconcilersVerbsAndNoWildcard() {
    List<JsonNode> objects = render(Map.of());
    assertEquals(EXPECTED_RULES, rules(objects, "Role"));
    assertNoWildcards(objects);

    JsonNode leaderElection = find(objects, "Role", "knoe-leader-election");
    assertEquals(
        "coordination.k8s.io/leases",
        rules(List.of(leaderElection), "Role").keySet().iterator().next());
    for (JsonNode binding : kinds(objects, "RoleBinding")) {
      assertEquals(
          binding.path("metadata").path("name").asText(),
          binding.path("roleRef").path("name").asText());
      assertEquals("knoe", binding.path("subjects").get(0).path("name").asText());
      assertEquals(NAMESPACE, binding.path("subjects").get(0).path("namespace").asText());
    }
  }

  @Test
  void clusterWideRbacIsAClusterRoleWithTheSameRulesAndLeasesStayNamespaced() {
    List<JsonNode> objects = render(Map.of("rbac.clusterWide", "true"));
    assertNoWildcards(objects);
    assertEquals(1, kinds(objects, "ClusterRole").size());
    assertEquals(1, kinds(objects, "ClusterRoleBinding").size());
    Map<String, Set<String>> all = new TreeMap<>(rules(objects, "ClusterRole"));
    all.putAll(rules(objects, "Role"));
    assertEquals(EXPECTED_RULES, all);
    assertEquals(Set.of("coordination.k8s.io/leases"), rules(objects, "Role").keySet());
    JsonNode binding = kinds(objects, "ClusterRoleBinding").get(0);
    assertEquals("ClusterRole", binding.path("roleRef").path("kind").asText());
    assertFalse(binding.path("metadata").has("namespace"));
  }

  @Test
  void endpointsNamespaceMovesTheRoleAndTheNetworkPolicyLetsItIn() {
    List<JsonNode> objects = render(Map.of("endpointsNamespace", "models"));
    assertEquals("models", namespace(find(objects, "Role", "knoe")));
    assertEquals("models", namespace(find(objects, "RoleBinding", "knoe")));
    assertEquals(NAMESPACE, namespace(find(objects, "Role", "knoe-leader-election")));
    assertEquals("models", env(container(objects)).get("KNOE_NAMESPACE"));
    assertEquals(List.of("knoe", "models", "knative-serving"), allowedNamespaces(objects));
  }

  // ---------------------------------------------------------------- the control plane Deployment

  @Test
  void deploymentRunsServeWithTwoReplicasProbesAndLeaderElectionEnv() {
    List<JsonNode> objects = render(Map.of());
    JsonNode deployment = find(objects, "Deployment", "knoe");
    assertEquals(2, deployment.path("spec").path("replicas").asInt());
    JsonNode c = container(objects);
    assertEquals(List.of("serve", "--port", "8500"), strings(c.path("args")));
    assertEquals(8500, c.path("ports").get(0).path("containerPort").asInt());
    assertEquals("http", c.path("ports").get(0).path("name").asText());
    for (String probe : List.of("livenessProbe", "readinessProbe")) {
      assertEquals("http", c.path(probe).path("tcpSocket").path("port").asText(), probe);
    }

    Map<String, JsonNode> env = envNodes(c);
    assertEquals(
        "metadata.name",
        env.get("POD_NAME").path("valueFrom").path("fieldRef").path("fieldPath").asText());
    assertEquals(
        "metadata.namespace",
        env.get("POD_NAMESPACE").path("valueFrom").path("fieldRef").path("fieldPath").asText());
    Map<String, String> values = env(c);
    assertEquals("knative", values.get("KNOE_BACKEND"));
    assertEquals(NAMESPACE, values.get("KNOE_NAMESPACE"));
    assertEquals(
        "0.0.0.0", values.get("QUARKUS_HTTP_HOST"), "Quarkus listens on loopback otherwise");
    assertEquals("http://knoe.knoe.svc:8500", values.get("KNOE_CONTROL_URL"));
    JsonNode adminKey = env.get("KNOE_ADMIN_KEY").path("valueFrom").path("secretKeyRef");
    assertEquals("knoe-admin", adminKey.path("name").asText());
    JsonNode secret = find(objects, "Secret", "knoe-admin");
    assertTrue(secret.path("data").path(adminKey.path("key").asText()).asText().length() >= 48);

    JsonNode pod = deployment.path("spec").path("template");
    assertTrue(pod.path("spec").path("securityContext").path("runAsNonRoot").asBoolean());
    assertTrue(c.path("securityContext").path("readOnlyRootFilesystem").asBoolean());
    assertTrue(mounts(c).containsKey("/tmp"), "a writable /tmp under a read-only root");
    assertTrue(c.path("resources").path("requests").has("memory"));

    JsonNode service = find(objects, "Service", "knoe");
    assertEquals(8500, service.path("spec").path("ports").get(0).path("port").asInt());
    assertEquals("http", service.path("spec").path("ports").get(0).path("targetPort").asText());
    assertEquals(
        deployment.path("spec").path("selector").path("matchLabels"),
        service.path("spec").path("selector"));
    assertEquals("knoe", pod.path("spec").path("serviceAccountName").asText());
    find(objects, "ServiceAccount", "knoe");
  }

  @Test
  void prometheusUrlReachesTheControlPlaneOnlyWhenSet() {
    assertFalse(env(container(render(Map.of()))).containsKey("KNOE_METRICS_PROMETHEUS_URL"));

    Map<String, String> env =
        env(
            container(
                render(Map.of("metrics.prometheusUrl", "http://prometheus.monitoring.svc:9090"))));

    assertEquals("http://prometheus.monitoring.svc:9090", env.get("KNOE_METRICS_PROMETHEUS_URL"));
  }

  @Test
  void deploymentMountsTheModelStorageClaimAndTheCatalog() {
    List<JsonNode> objects = render(Map.of());
    JsonNode c = container(objects);
    Map<String, String> env = env(c);
    Map<String, String> mounts = mounts(c);
    Map<String, JsonNode> volumes = volumes(objects);

    assertEquals("/var/lib/knoe", env.get("KNOE_DATA_DIR"));
    JsonNode data = volumes.get(mounts.get("/var/lib/knoe"));
    String claim = data.path("persistentVolumeClaim").path("claimName").asText();
    JsonNode pvc = find(objects, "PersistentVolumeClaim", claim);
    assertEquals(
        "10Gi", pvc.path("spec").path("resources").path("requests").path("storage").asText());
    assertEquals(
        "keep", pvc.path("metadata").path("annotations").path("helm.sh/resource-policy").asText());

    assertEquals("/etc/knoe/instance-types.yaml", env.get("KNOE_INSTANCE_TYPES_FILE"));
    JsonNode catalog = volumes.get(mounts.get("/etc/knoe"));
    JsonNode configMap =
        find(objects, "ConfigMap", catalog.path("configMap").path("name").asText());
    assertTrue(configMap.path("data").has("instance-types.yaml"));

    // Two replicas on a ReadWriteOnce volume must share its node.
    JsonNode affinity =
        find(objects, "Deployment", "knoe")
            .path("spec")
            .path("template")
            .path("spec")
            .path("affinity");
    assertEquals(
        "kubernetes.io/hostname",
        affinity
            .path("podAffinity")
            .path("requiredDuringSchedulingIgnoredDuringExecution")
            .get(0)
            .path("topologyKey")
            .asText());
  }

  @Test
  void modelReaderTokenReachesTheControlPlaneAndTheEndpointsNamespace() {
    List<JsonNode> objects = render(Map.of("endpointsNamespace", "models"));
    List<String> where =
        kinds(objects, "Secret").stream()
            .filter(o -> o.path("metadata").path("name").asText().equals("knoe-model-reader"))
            .map(o -> o.path("metadata").path("namespace").asText())
            .sorted()
            .toList();
    assertEquals(
        List.of("knoe", "models"),
        where,
        "one copy per namespace: the control plane's and the pods'");
    Set<String> tokens =
        kinds(objects, "Secret").stream()
            .filter(o -> o.path("metadata").path("name").asText().equals("knoe-model-reader"))
            .map(o -> o.path("data").path("token").asText())
            .collect(Collectors.toSet());
    assertEquals(1, tokens.size(), "both copies hold the same token");
    JsonNode env =
        find(objects, "Deployment", "knoe")
            .path("spec")
            .path("template")
            .path("spec")
            .path("containers")
            .get(0)
            .path("env");
    boolean wired = false;
    for (JsonNode e : env) {
      if (e.path("name").asText().equals("KNOE_MODEL_READER_TOKEN")) {
        wired =
            e.path("valueFrom")
                .path("secretKeyRef")
                .path("name")
                .asText()
                .equals("knoe-model-reader");
      }
    }
    assertTrue(wired, "the control plane accepts that token: " + env);
  }

  @Test
  void existingClaimAndExistingAdminSecretAreUsedInsteadOfCreated() {
    List<JsonNode> objects =
        render(
            Map.of(
                "persistence.existingClaim",
                "models-nfs",
                "adminKey.existingSecret",
                "my-admin",
                "adminKey.secretKey",
                "key"));
    assertTrue(kinds(objects, "PersistentVolumeClaim").isEmpty());
    assertEquals(
        List.of("knoe-model-reader"),
        kinds(objects, "Secret").stream()
            .map(o -> o.path("metadata").path("name").asText())
            .toList(),
        "only the model reader's token is made");
    assertEquals(
        "models-nfs",
        volumes(objects).get("data").path("persistentVolumeClaim").path("claimName").asText());
    JsonNode ref =
        envNodes(container(objects)).get("KNOE_ADMIN_KEY").path("valueFrom").path("secretKeyRef");
    assertEquals("my-admin", ref.path("name").asText());
    assertEquals("key", ref.path("key").asText());
  }

  @Test
  void imagesComeFromValues() {
    JsonNode byDefault = container(render(Map.of()));
    assertEquals("ghcr.io/knoe-dev/knoe:0.1.0", byDefault.path("image").asText());
    assertEquals(
        "ghcr.io/knoe-dev/knoe-scoring-function:0.1.0", env(byDefault).get("KNOE_SCORING_IMAGE"));
    assertEquals(
        "ghcr.io/knoe-dev/knoe-scoring-function:0.1.0-cuda",
        env(byDefault).get("KNOE_GPU_SCORING_IMAGE"));
    assertEquals("busybox:1.36", env(byDefault).get("KNOE_STORAGE_INITIALIZER_IMAGE"));

    JsonNode custom =
        container(
            render(
                Map.of(
                    "image.registry", "registry.example.com:5000",
                    "image.tag", "1.2.3",
                    "scoringImage.repository", "ml/scoring",
                    "scoringImage.tag", "1.2.3-cuda",
                    "storageInitializerImage", "registry.example.com:5000/busybox:1.36")));
    assertEquals("registry.example.com:5000/knoe-dev/knoe:1.2.3", custom.path("image").asText());
    assertEquals(
        "registry.example.com:5000/ml/scoring:1.2.3-cuda", env(custom).get("KNOE_SCORING_IMAGE"));
    assertEquals(
        "registry.example.com:5000/ml/scoring:1.2.3-cuda",
        env(custom).get("KNOE_GPU_SCORING_IMAGE"),
        "a tag of the user's own: no invented -cuda name");
    assertEquals(
        "registry.example.com:5000/ml/scoring:gpu",
        env(container(
                render(
                    Map.of(
                        "image.registry",
                        "registry.example.com:5000",
                        "scoringImage.repository",
                        "ml/scoring",
                        "scoringImage.gpuTag",
                        "gpu"))))
            .get("KNOE_GPU_SCORING_IMAGE"));
    assertEquals(
        "registry.example.com:5000/busybox:1.36",
        env(custom).get("KNOE_STORAGE_INITIALIZER_IMAGE"));
  }

  @Test
  void gpuClusterWideValuesFileRenders() {
    List<JsonNode> objects =
        render(
            new Helm(CHART)
                .template()
                .withValuesFile(RESOURCES.resolve("values-gpu-clusterwide.yaml")));
    assertEquals(3, find(objects, "Deployment", "knoe").path("spec").path("replicas").asInt());
    JsonNode c = container(objects);
    assertEquals("registry.example.com:5000/knoe-dev/knoe:1.2.3", c.path("image").asText());
    assertEquals(
        "registry.example.com:5000/ml/knoe-scoring-function-cuda:1.2.3-cuda",
        env(c).get("KNOE_SCORING_IMAGE"));
    assertEquals(
        "ReadWriteMany",
        find(objects, "PersistentVolumeClaim", "knoe-data")
            .path("spec")
            .path("accessModes")
            .get(0)
            .asText());
    assertEquals(
        "nfs",
        find(objects, "PersistentVolumeClaim", "knoe-data")
            .path("spec")
            .path("storageClassName")
            .asText());
    assertTrue(
        find(objects, "Deployment", "knoe")
            .path("spec")
            .path("template")
            .path("spec")
            .path("affinity")
            .isMissingNode(),
        "a ReadWriteMany volume lets the replicas spread");
    assertEquals(1, kinds(objects, "ClusterRole").size());
    assertEquals(
        List.of("knoe", "models", "knative-serving", "ingress-nginx"), allowedNamespaces(objects));
  }

  // ---------------------------------------------------------------- Knative and the catalog

  @Test
  void knativeConfigFeaturesEnablesTagHeaderRoutingAndWhatScoringPodsUse() {
    JsonNode features = find(render(Map.of()), "ConfigMap", "config-features");
    assertEquals("knative-serving", namespace(features));
    JsonNode data = features.path("data");
    assertEquals("Enabled", data.path("tag-header-based-routing").asText());
    for (String flag :
        List.of(
            "kubernetes.podspec-init-containers",
            "kubernetes.podspec-volumes-emptydir",
            "kubernetes.podspec-securitycontext",
            "kubernetes.podspec-nodeselector",
            "kubernetes.podspec-tolerations")) {
      assertEquals("enabled", data.path(flag).asText(), flag);
    }
    assertEquals(
        "keep",
        features.path("metadata").path("annotations").path("helm.sh/resource-policy").asText(),
        "uninstalling Knoe must not delete Knative's ConfigMap");
  }

  @Test
  void knativeConfigFeaturesIsAbsentWhenNotManaged() {
    List<JsonNode> objects = render(Map.of("knative.manageConfig", "false"));
    assertTrue(
        objects.stream()
            .noneMatch(o -> o.path("metadata").path("name").asText().equals("config-features")));
    assertEquals(1, kinds(objects, "ConfigMap").size());
  }

  @Test
  void instanceTypeCatalogHasGpuSmallAskingForAnNvidiaGpuAndAzureSkus(@TempDir Path tmp)
      throws IOException {
    String file =
        find(render(Map.of()), "ConfigMap", "knoe-instance-types")
            .path("data")
            .path("instance-types.yaml")
            .asText();
    JsonNode catalog = YAML.readTree(file);
    assertEquals(
        Set.of("cpu-small", "cpu-medium", "cpu-large", "gpu-small"),
        fieldNames(catalog.path("instanceTypes")));
    JsonNode gpu = catalog.path("instanceTypes").path("gpu-small");
    assertEquals(1, gpu.path("gpu").asInt());
    assertEquals("true", gpu.path("nodeSelector").path("nvidia.com/gpu.present").asText());
    assertEquals("nvidia.com/gpu", gpu.path("tolerations").get(0).path("key").asText());
    assertEquals("NoSchedule", gpu.path("tolerations").get(0).path("effect").asText());
    assertEquals("1", catalog.path("instanceTypes").path("cpu-small").path("cpu").asText());
    assertEquals("2Gi", catalog.path("instanceTypes").path("cpu-small").path("memory").asText());

    // The control plane reads this file: what it makes of it.
    Path written = Files.writeString(tmp.resolve("instance-types.yaml"), file);
    InstanceTypeCatalog read = InstanceTypeCatalog.read(written);
    InstanceType nc6 = read.require("Standard_NC6s_v3");
    assertEquals("gpu-small", nc6.name());
    assertEquals(1, nc6.gpus());
    assertEquals(
        List.of(new InstanceType.Toleration("nvidia.com/gpu", "Exists", null, "NoSchedule")),
        nc6.tolerations());
    assertEquals("cpu-medium", read.require("Standard_DS3_v2").name());
    assertEquals("cpu-large", read.require("Standard_F4s_v2").name());
  }

  @Test
  void anAzureSkuMappedToAMissingInstanceTypeFailsTheRender() {
    Exception e =
        assertThrows(Exception.class, () -> render(Map.of("azureSkus.Standard_X", "gpu-huge")));
    assertTrue(
        e.getMessage()
            .contains("azureSkus.Standard_X = gpu-huge, which is not a key of instanceTypes"),
        e.getMessage());
  }

  // ---------------------------------------------------------------- NetworkPolicy

  @Test
  void networkPolicyAdmitsTheReleaseAndKnativeNamespacesToTheApiPort() {
    List<JsonNode> objects = render(Map.of());
    JsonNode policy = find(objects, "NetworkPolicy", "knoe");
    assertEquals(
        find(objects, "Deployment", "knoe").path("spec").path("selector").path("matchLabels"),
        policy.path("spec").path("podSelector").path("matchLabels"));
    assertEquals(List.of("Ingress"), strings(policy.path("spec").path("policyTypes")));
    JsonNode rule = policy.path("spec").path("ingress").get(0);
    assertEquals("http", rule.path("ports").get(0).path("port").asText());
    assertEquals(List.of("knoe", "knative-serving"), allowedNamespaces(objects));
  }

  @Test
  void networkPolicyIsAbsentWhenDisabled() {
    assertTrue(kinds(render(Map.of("networkPolicy.enabled", "false")), "NetworkPolicy").isEmpty());
  }

  // ---------------------------------------------------------------- CRDs

  static final String ENDPOINTS = "onlineendpoints.knoe.dev";
  static final String DEPLOYMENTS = "onlinedeployments.knoe.dev";

  /**
   * The only nodes that keep fields the schema does not declare: a value that is a string or an
   * object (no structural type says so) and Azure's objects that Knoe ignores.
   */
  static final Map<String, Set<String>> PRESERVED =
      Map.of(
          ENDPOINTS, Set.of("spec.identity", "spec.properties"),
          DEPLOYMENTS,
              Set.of(
                  "spec.model",
                  "spec.environment",
                  "spec.data_collector",
                  "spec.identity",
                  "spec.properties",
                  "spec.resources"));

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {ENDPOINTS, DEPLOYMENTS})
  void crdIsAnApiextensionsV1CrdWithAStructuralSchemaAndStatus(String name) throws IOException {
    CustomResourceDefinition crd = crd(name);
    assertEquals("apiextensions.k8s.io/v1", crd.getApiVersion());
    assertEquals(name, crd.getMetadata().getName());
    assertEquals("knoe.dev", crd.getSpec().getGroup());
    assertEquals("Namespaced", crd.getSpec().getScope());
    assertEquals(name, crd.getSpec().getNames().getPlural() + "." + crd.getSpec().getGroup());
    assertEquals(1, crd.getSpec().getVersions().size());
    CustomResourceDefinitionVersion v = crd.getSpec().getVersions().get(0);
    assertEquals("v1alpha1", v.getName());
    assertTrue(v.getServed() && v.getStorage());
    assertNotNull(v.getSubresources().getStatus(), "status subresource");
    JSONSchemaProps spec = v.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    assertNotEquals(
        Boolean.TRUE,
        spec.getXKubernetesPreserveUnknownFields(),
        "spec declares every key Knoe accepts; the API server prunes the others");

    StructuralSchema schema = crdSchema(name);
    assertEquals(List.of(), schema.structuralProblems());
    assertEquals(PRESERVED.get(name), new TreeSet<>(schema.preservedPaths()));
  }

  @Test
  void crdNamesKindsAndRequiredFields() throws IOException {
    CustomResourceDefinition endpoints = crd(ENDPOINTS);
    assertEquals("OnlineEndpoint", endpoints.getSpec().getNames().getKind());
    assertEquals(List.of("oe"), endpoints.getSpec().getNames().getShortNames());
    JSONSchemaProps endpointSpec = versionSchema(endpoints).getProperties().get("spec");
    assertEquals(
        List.of("key", "aml_token", "token", "aad_token"),
        endpointSpec.getProperties().get("auth_mode").getEnum().stream()
            .map(JsonNode::asText)
            .toList(),
        "the parser's values; aad_token too, which Knoe refuses with a message of its own");

    CustomResourceDefinition deployments = crd(DEPLOYMENTS);
    assertEquals("OnlineDeployment", deployments.getSpec().getNames().getKind());
    assertEquals(List.of("od"), deployments.getSpec().getNames().getShortNames());
    JSONSchemaProps deploymentSpec = versionSchema(deployments).getProperties().get("spec");
    assertEquals(List.of("endpoint_name"), deploymentSpec.getRequired());
    assertTrue(
        deploymentSpec.getProperties().get("instance_count").getXKubernetesIntOrString(),
        "an integer, or a string of digits as the parser takes it");
    assertTrue(
        deploymentSpec.getProperties().get("model").getXKubernetesPreserveUnknownFields(),
        "name:version or {path}");
    assertEquals(
        List.of("default", "target_utilization"),
        deploymentSpec
            .getProperties()
            .get("scale_settings")
            .getProperties()
            .get("type")
            .getEnum()
            .stream()
            .map(JsonNode::asText)
            .toList());
  }

  @Test
  void printerColumnsShowDeclaredFields() throws IOException {
    assertEquals(
        List.of(
            "State .status.provisioning_state",
            "Auth .spec.auth_mode",
            "Traffic .status.traffic",
            "URI .status.scoring_uri",
            "Age .metadata.creationTimestamp",
            "Message .status.message (wide)"),
        columns(crd(ENDPOINTS)));
    assertEquals(
        List.of(
            "Endpoint .spec.endpoint_name",
            "State .status.provisioning_state",
            "Model .spec.model",
            "Ready .status.ready_instances",
            "Instance-Type .spec.instance_type",
            "Age .metadata.creationTimestamp",
            "Revision .status.revision (wide)",
            "URL .status.url (wide)",
            "Message .status.message (wide)"),
        columns(crd(DEPLOYMENTS)));
    for (String name : List.of(ENDPOINTS, DEPLOYMENTS)) {
      StructuralSchema schema = crdSchema(name);
      for (CustomResourceColumnDefinition c :
          crd(name).getSpec().getVersions().get(0).getAdditionalPrinterColumns()) {
        String where = name + " column " + c.getName() + " (" + c.getJsonPath() + ")";
        if (c.getJsonPath().startsWith(".metadata.")) {
          assertEquals("date", c.getType(), where);
          continue;
        }
        JsonNode field = schema.at(c.getJsonPath());
        assertNotNull(field, where + " is not in the schema");
        if (c.getType().equals("integer")) {
          assertEquals("integer", field.path("type").asText(), where);
        } else {
          assertEquals(
              "string", c.getType(), where + ": a string column prints any value (a map as JSON)");
        }
      }
    }
  }

  @Test
  void theSchemasDeclareExactlyTheKeysTheParserAccepts() throws Exception {
    StructuralSchema endpoints = crdSchema(ENDPOINTS);
    Set<String> endpointKeys = parserKeys("ENDPOINT_KEYS", "ENDPOINT_AZURE");
    endpointKeys.add("$schema");
    assertEquals(endpointKeys, fieldNames(endpoints.at(".spec").path("properties")));
    assertEquals(
        parserKeys("TRIGGER_KEYS"),
        fieldNames(endpoints.at(".spec.triggers").path("items").path("properties")));

    StructuralSchema deployments = crdSchema(DEPLOYMENTS);
    Set<String> deploymentKeys = parserKeys("DEPLOYMENT_KEYS", "DEPLOYMENT_AZURE");
    deploymentKeys.add("$schema");
    assertEquals(deploymentKeys, fieldNames(deployments.at(".spec").path("properties")));
    Map<String, String> groups =
        Map.of(
            "code_configuration",
            "CODE_KEYS",
            "scale_settings",
            "SCALE_KEYS",
            "request_settings",
            "REQUEST_KEYS",
            "liveness_probe",
            "PROBE_KEYS",
            "readiness_probe",
            "PROBE_KEYS",
            "batching",
            "BATCHING_KEYS");
    for (Map.Entry<String, String> g : groups.entrySet()) {
      assertEquals(
          parserKeys(g.getValue()),
          fieldNames(deployments.at(".spec." + g.getKey()).path("properties")),
          g.getKey());
    }
    // model and environment keep whatever they hold (see PRESERVED): their keys are the parser's to
    // check.
  }

  /**
   * Every key the parser takes, in the forms it takes: quoted integers, unquoted numbers as text,
   * Azure's keys.
   */
  static final String EVERY_ENDPOINT_KEY =
      """
      $schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json
      name: my-endpoint
      auth_mode: aml_token
      description: fraud scoring
      tags: {team: fraud, cost: 1234}
      traffic: {blue: 90, green: "10"}
      mirror_traffic: {red: 20}
      triggers:
        - broker: orders
          filter: {type: com.example.order.created, source: shop}
        - filter: {type: com.example.order.cancelled}
      location: westeurope
      public_network_access: disabled
      kind: Managed
      compute: azureml:k8s-compute
      identity: {type: user_assigned, user_assigned_identities: [{resource_id: /subscriptions/0/id}]}
      properties: {enforce_access_to_default_secret_stores: enabled}
      """;

  static final String EVERY_DEPLOYMENT_KEY =
      """
      $schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json
      name: green
      endpoint_name: my-endpoint
      description: the challenger
      tags: {stage: canary, build: 42}
      model: {name: fraud, version: 3, type: custom_model, description: gbm, tags: {a: b}, properties: {c: d},
        stage: Production}
      code_configuration: {code: ./handler/, scoring_script: com.example.Score}
      environment:
        image: registry.example.com/scorer:1
        name: scorer
        version: 1
        description: the scorer
        tags: {a: b}
        conda_file: conda.yml
        os_type: linux
        build: {path: ./docker, dockerfile_path: Dockerfile}
        inference_config:
          liveness_route: {path: /live, port: 5001}
          readiness_route: {path: /ready, port: 5001}
          scoring_route: {path: /score, port: 5001}
      environment_variables: {LOG_LEVEL: debug, THREADS: 4}
      instance_type: Standard_DS3_v2
      instance_count: "2"
      scale_settings: {type: target_utilization, min_instances: 0, max_instances: "5", target_utilization_percentage: 60,
        polling_interval: 1}
      request_settings: {request_timeout_ms: 9000, max_concurrent_requests_per_instance: 8, max_queue_wait_ms: 500}
      liveness_probe: {initial_delay: 30, period: 5, timeout: 3, success_threshold: 1, failure_threshold: 4}
      readiness_probe: {initial_delay: 0, period: 2, timeout: 2, success_threshold: 1, failure_threshold: "30"}
      batching: {max_batch_size: 64, max_delay_ms: "5"}
      app_insights_enabled: true
      egress_public_network_access: disabled
      private_network_connection: false
      public_network_access: enabled
      data_collector: {collections: {model_inputs: {enabled: "True"}}, sampling_rate: 0.5}
      model_mount_path: /var/azureml-models
      resources: {requests: {cpu: "1", memory: 2Gi}, limits: {nvidia.com/gpu: 1}}
      type: managed
      kind: Managed
      compute: azureml:k8s-compute
      identity: {type: system_assigned}
      properties: {c: d}
      """;

  @Test
  void aSpecWithEveryKeyTheParserTakesIsKeptWhole() throws IOException {
    SpecParser.endpoint(
        bytes(EVERY_ENDPOINT_KEY), Format.YAML, null, List.of()); // throws on a problem
    assertKeptWhole(resource("OnlineEndpoint", "my-endpoint", YAML.readTree(EVERY_ENDPOINT_KEY)));
    SpecParser.deployment(bytes(EVERY_DEPLOYMENT_KEY), Format.YAML, null, List.of());
    assertKeptWhole(
        resource("OnlineDeployment", "my-endpoint-green", YAML.readTree(EVERY_DEPLOYMENT_KEY)));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "model: fraud:3",
        "model: azureml:fraud:3",
        "model: {path: ./model/}",
        "model: {path: ./model/model.onnx}",
        "model: {name: fraud, version: '3'}",
        "model: fraud:3\nenvironment: azureml:sklearn-env:1",
        "model: fraud:3\nenvironment: {image: registry.example.com/scorer:1}",
        "model: fraud:3\nenvironment: {image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04, conda_file: conda.yml}",
        "model: fraud:3\nscale_settings: {type: default}"
      })
  void everyFormOfModelAndEnvironmentIsKeptWhole(String lines) throws IOException {
    String yaml = "name: blue\nendpoint_name: my-endpoint\n" + lines + "\n";
    SpecParser.deployment(bytes(yaml), Format.YAML, null, List.of()); // throws on a problem
    assertKeptWhole(resource("OnlineDeployment", "my-endpoint-blue", YAML.readTree(yaml)));
  }

  @Test
  void enumsHaveAzuresSpellingThoughTheParserTakesAnyCase() throws IOException {
    String yaml =
        "name: blue\nendpoint_name: my-endpoint\nmodel: fraud:3\nscale_settings: {type: Target_Utilization}\n";
    SpecParser.deployment(bytes(yaml), Format.YAML, null, List.of());
    JsonNode resource = resource("OnlineDeployment", "my-endpoint-blue", YAML.readTree(yaml));
    assertEquals(
        List.of(
            "spec.scale_settings.type: Unsupported value \"Target_Utilization\", must be one of"
                + " [\"default\",\"target_utilization\"]"),
        schemaFor(resource).validate(resource));
  }

  @Test
  void aNullIsDroppedLikeAnAbsentKey() throws IOException {
    ObjectNode resource =
        (ObjectNode) StructuralSchema.readYaml(RESOURCES.resolve("sample-deployment.yaml"));
    ObjectNode spec = (ObjectNode) resource.get("spec");
    spec.putNull("description");
    spec.putNull("endpoint_name");
    StructuralSchema schema = schemaFor(resource);
    assertEquals(List.of("spec.endpoint_name: Required value"), schema.validate(resource));
    JsonNode pruned = schema.prune(resource);
    assertFalse(pruned.path("spec").has("description"));
    assertFalse(pruned.path("spec").has("endpoint_name"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sample-endpoint.yaml", "sample-deployment.yaml"})
  void sampleResourceIsValidAgainstItsCrd(String file) throws IOException {
    assertKeptWhole(StructuralSchema.readYaml(RESOURCES.resolve(file)));
  }

  static List<String> repositorySamples() throws IOException {
    try (Stream<Path> files = Files.list(SAMPLES)) {
      List<String> names =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".yml") || n.endsWith(".yaml"))
              .sorted()
              .toList();
      assertTrue(names.size() >= 3, "samples: " + names);
      return names;
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("repositorySamples")
  void everyRepositorySamplePastedUnderSpecIsKeptWhole(String file) throws IOException {
    ObjectNode spec = (ObjectNode) YAML.readTree(SAMPLES.resolve(file).toFile());
    String name = spec.remove("name").asText();
    boolean deployment = spec.has("endpoint_name");
    String resourceName = deployment ? spec.path("endpoint_name").asText() + "-" + name : name;
    assertKeptWhole(
        resource(deployment ? "OnlineDeployment" : "OnlineEndpoint", resourceName, spec));
  }

  /** Deployments as the CLI and API take them, for what Knoe writes back. */
  static List<String> deploymentSpecs() {
    String minimal = "name: blue\nendpoint_name: my-endpoint\nmodel: model-1:1\n";
    return List.of(
        minimal,
        minimal + "instance_count: 3\n",
        minimal
            + "scale_settings: {type: target_utilization, min_instances: 0, max_instances: 4}\n",
        minimal + "code_configuration: {scoring_script: com.example.Score}\n",
        minimal
            + "environment: {image: registry.example.com/scorer:1}\nenvironment_variables: {THREADS: 4}\n",
        "name: blue\nendpoint_name: my-endpoint\nmodel: {path: ./model/}\n",
        EVERY_DEPLOYMENT_KEY,
        "file:blue-deployment.yml",
        "file:green-deployment.yml");
  }

  static List<String> endpointSpecs() {
    return List.of(
        "name: my-endpoint\n",
        "name: my-endpoint\nauth_mode: token\n",
        EVERY_ENDPOINT_KEY,
        "file:endpoint.yml");
  }

  @ParameterizedTest(name = "[{index}]")
  @MethodSource("deploymentSpecs")
  void theDeploymentsKnoeWritesAreKeptWhole(String yaml) throws IOException {
    DeploymentSpec spec =
        yaml.startsWith("file:")
            ? SpecParser.deployment(SAMPLES.resolve(yaml.substring(5)), List.of()).spec()
            : SpecParser.deployment(bytes(yaml), Format.YAML, null, List.of()).spec();
    String name = spec.endpointName() + "-" + spec.name();
    assertKeptWhole(
        resource("OnlineDeployment", name, YAML.valueToTree(SpecWriter.deployment(spec))));

    DeploymentRevision revision =
        new DeploymentRevision(
            spec,
            null,
            2,
            name,
            "1",
            new ArtifactSource(
                "http://knoe:8500/api/v1/models/" + name + "/versions/1/content",
                "0".repeat(64),
                "model.onnx"),
            null);
    assertKeptWhole(JSON.readTree(Serialization.asJson(RENDERER.deploymentResource(revision))));
  }

  @ParameterizedTest(name = "[{index}]")
  @MethodSource("endpointSpecs")
  void theEndpointsKnoeWritesAreKeptWhole(String yaml) throws IOException {
    EndpointSpec spec =
        yaml.startsWith("file:")
            ? SpecParser.endpoint(SAMPLES.resolve(yaml.substring(5)), List.of()).spec()
            : SpecParser.endpoint(bytes(yaml), Format.YAML, null, List.of()).spec();
    assertKeptWhole(
        resource("OnlineEndpoint", spec.name(), YAML.valueToTree(SpecWriter.endpoint(spec))));
    assertKeptWhole(JSON.readTree(Serialization.asJson(RENDERER.endpointResource(spec))));
  }

  @Test
  void theStatusTheReconcilerWritesIsKeptWholeAndEveryStatusFieldIsOneItWrites()
      throws IOException {
    StatusCondition condition =
        new StatusCondition(
            "Ready",
            "False",
            "RevisionFailed",
            "revision my-endpoint-green-2 failed: ContainerMissing",
            "2026-01-01T00:00:00Z");
    EndpointSpec endpointSpec =
        SpecParser.endpoint(
                bytes("name: my-endpoint\ntraffic: {blue: 100}\n"), Format.YAML, null, List.of())
            .spec();
    OnlineEndpoint endpoint = new OnlineEndpoint();
    endpoint.setMetadata(
        new ObjectMetaBuilder()
            .withName("my-endpoint")
            .withNamespace(NAMESPACE)
            .withGeneration(3L)
            .build());
    endpoint.setSpec(new AzureYamlSpec(SpecWriter.endpoint(endpointSpec)));
    endpoint.setStatus(
        new OnlineEndpointStatus(
            "Updating",
            "deployment green: revision my-endpoint-green-2 failed",
            "http://my-endpoint.knoe.example.com/score",
            "http://my-endpoint.knoe.example.com/swagger.json",
            Map.of("blue", 100, "green", 0),
            3L,
            Map.of(
                "blue",
                new OnlineEndpointStatus.DeploymentSummary(
                    "Succeeded", "my-endpoint-blue-1", "http://blue-my-endpoint.knoe.example.com"),
                "green",
                new OnlineEndpointStatus.DeploymentSummary("Failed", "my-endpoint-green-2", null)),
            List.of(condition)));
    JsonNode e = JSON.readTree(Serialization.asJson(endpoint));
    assertKeptWhole(e);
    StructuralSchema endpoints = crdSchema(ENDPOINTS);
    assertEquals(
        fieldNames(endpoints.at(".status").path("properties")),
        fieldNames(e.path("status")),
        "every status field is declared, and every declared one is written");
    assertEquals(
        fieldNames(
            endpoints.at(".status.deployments").path("additionalProperties").path("properties")),
        fieldNames(e.path("status").path("deployments").path("blue")));
    assertEquals(
        fieldNames(endpoints.at(".status.conditions").path("items").path("properties")),
        fieldNames(e.path("status").path("conditions").get(0)));

    DeploymentSpec deploymentSpec =
        SpecParser.deployment(
                bytes("name: green\nendpoint_name: my-endpoint\nmodel: fraud:3\n"),
                Format.YAML,
                null,
                List.of())
            .spec();
    OnlineDeployment deployment = new OnlineDeployment();
    deployment.setMetadata(
        new ObjectMetaBuilder()
            .withName("my-endpoint-green")
            .withNamespace(NAMESPACE)
            .withGeneration(2L)
            .build());
    deployment.setSpec(new AzureYamlSpec(SpecWriter.deployment(deploymentSpec)));
    deployment.setStatus(
        new OnlineDeploymentStatus(
            "Updating",
            "revision my-endpoint-green-2 is not Ready yet",
            "my-endpoint-green-2",
            "http://my-endpoint.knoe.example.com/score",
            "http://green-my-endpoint.knoe.example.com",
            2,
            2L,
            List.of(condition)));
    JsonNode d = JSON.readTree(Serialization.asJson(deployment));
    assertKeptWhole(d);
    assertEquals(
        fieldNames(crdSchema(DEPLOYMENTS).at(".status").path("properties")),
        fieldNames(d.path("status")),
        "every status field is declared, and every declared one is written");
  }

  @Test
  void aBadDeploymentIsRejectedWithThePathsAtFault() throws IOException {
    ObjectNode resource =
        (ObjectNode) StructuralSchema.readYaml(RESOURCES.resolve("sample-deployment.yaml"));
    ObjectNode spec = (ObjectNode) resource.get("spec");
    spec.remove("endpoint_name");
    spec.put("instance_count", true);
    ((ObjectNode) spec.get("request_settings"))
        .put("request_timeout_ms", 0); // Knoe's rule to check, not the schema's
    ((ObjectNode) spec.get("batching")).put("max_batch_sise", 8);
    spec.put("instance_typ", "cpu-large");
    spec.putObject("scale_settings").put("type", "manual");
    spec.put("app_insights_enabled", "yes");
    ((ObjectNode) resource.get("status")).put("ready_instances", 1.5);

    List<String> errors = schemaFor(resource).validate(resource);
    assertEquals(
        List.of(
            "spec.endpoint_name: Required value",
            "spec.instance_count: must be an integer or a string, is boolean true",
            "spec.batching.max_batch_sise: unknown field (not in the schema)",
            "spec.instance_typ: unknown field (not in the schema)",
            "spec.scale_settings.type: Unsupported value \"manual\", must be one of [\"default\",\"target_utilization\"]",
            "spec.app_insights_enabled: must be of type boolean, is string \"yes\"",
            "status.ready_instances: must be of type integer, is number 1.5"),
        errors);
  }

  @Test
  void aBadEndpointIsRejectedWithThePathsAtFault() throws IOException {
    ObjectNode resource =
        (ObjectNode) StructuralSchema.readYaml(RESOURCES.resolve("sample-endpoint.yaml"));
    ObjectNode spec = (ObjectNode) resource.get("spec");
    spec.put("auth_mode", "password");
    ((ObjectNode) spec.get("traffic")).put("blue", 150); // Knoe's rule to check, not the schema's
    ((ObjectNode) spec.get("tags")).putObject("team");
    ((ObjectNode) spec.get("triggers").get(0)).put("name", "orders");
    spec.put("triggers_typo", "x");

    List<String> errors = schemaFor(resource).validate(resource);
    assertEquals(
        List.of(
            "spec.auth_mode: Unsupported value \"password\", must be one of [\"key\",\"aml_token\",\"token\",\"aad_token\"]",
            "spec.tags.team: must be an integer or a string, is object",
            "spec.triggers[0].name: unknown field (not in the schema)",
            "spec.triggers_typo: unknown field (not in the schema)"),
        errors);
    JsonNode pruned = schemaFor(resource).prune(resource);
    assertFalse(
        pruned.path("spec").has("triggers_typo"),
        "what the API server drops without strict field validation");
    assertFalse(pruned.path("spec").path("triggers").get(0).has("name"));
    assertEquals(150, pruned.path("spec").path("traffic").path("blue").asInt());
  }

  @Test
  void aSchemaThatIsNotStructuralIsReported() throws IOException {
    JsonNode schema =
        YAML.readTree(
            """
        type: object
        properties:
          spec:
            properties:
              a: {type: string}
            additionalProperties: {type: string}
          list:
            type: array
          free: {}
          odd:
            type: string
            oneOf: [{type: string}]
          port:
            x-kubernetes-int-or-string: true
            x-kubernetes-preserve-unknown-fields: true
        """);
    assertEquals(
        List.of(
            "spec: no type (needed unless x-kubernetes-preserve-unknown-fields or x-kubernetes-int-or-string)",
            "spec: properties and additionalProperties are mutually exclusive",
            "spec: properties need type object",
            "list: an array needs items",
            "free: no type (needed unless x-kubernetes-preserve-unknown-fields or x-kubernetes-int-or-string)",
            "odd: keyword oneOf is not supported by this check",
            "port: x-kubernetes-preserve-unknown-fields must be false if x-kubernetes-int-or-string is true"),
        StructuralSchema.of(schema).structuralProblems());
    assertEquals(
        List.of("<root>: additionalProperties must not be used at the root"),
        StructuralSchema.of(YAML.readTree("{type: object, additionalProperties: {type: string}}"))
            .structuralProblems());
  }

  // ---------------------------------------------------------------- helpers

  /** Renders the chart as release "knoe" in namespace "knoe" with {@code --set} values. */
  static List<JsonNode> render(Map<String, String> set) {
    TemplateCommand template = new Helm(CHART).template();
    for (Map.Entry<String, String> e : new TreeMap<>(set).entrySet()) {
      template = template.set(e.getKey(), e.getValue());
    }
    return render(template);
  }

  static List<JsonNode> render(TemplateCommand template) {
    // helm-java renders for Kubernetes 1.20 unless told; the chart needs 1.28+.
    String yaml =
        template.withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion("1.30.0").call();
    List<JsonNode> objects = new ArrayList<>();
    try {
      for (Iterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml);
          it.hasNext(); ) {
        JsonNode doc = it.next();
        if (doc != null && doc.isObject() && doc.size() > 0) {
          objects.add(doc);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("the rendered chart is not YAML:\n" + yaml, e);
    }
    return objects;
  }

  static void assertLintPasses(LintResult result) {
    assertFalse(result.isFailed(), () -> String.join("\n", result.getMessages()));
    assertTrue(
        result.getMessages().stream()
            .noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]")),
        () -> String.join("\n", result.getMessages()));
  }

  static List<JsonNode> kinds(List<JsonNode> objects, String kind) {
    return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
  }

  static JsonNode find(List<JsonNode> objects, String kind, String name) {
    return kinds(objects, kind).stream()
        .filter(o -> o.path("metadata").path("name").asText().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " rendered"));
  }

  static String namespace(JsonNode object) {
    return object.path("metadata").path("namespace").asText();
  }

  /**
   * "group/resource" -> verbs over every rule of every object of {@code kind}; a resource granted
   * twice fails.
   */
  static Map<String, Set<String>> rules(List<JsonNode> objects, String kind) {
    Map<String, Set<String>> rules = new TreeMap<>();
    for (JsonNode role : kinds(objects, kind)) {
      for (JsonNode rule : role.path("rules")) {
        assertFalse(rule.has("resourceNames") || rule.has("nonResourceURLs"), rule.toString());
        for (String group : strings(rule.path("apiGroups"))) {
          for (String resource : strings(rule.path("resources"))) {
            Set<String> verbs = new TreeSet<>(strings(rule.path("verbs")));
            assertTrue(
                rules.put(group + "/" + resource, verbs) == null,
                "granted twice: " + group + "/" + resource);
          }
        }
      }
    }
    return rules;
  }

  static void assertNoWildcards(List<JsonNode> objects) {
    for (JsonNode role :
        Stream.concat(kinds(objects, "Role").stream(), kinds(objects, "ClusterRole").stream())
            .toList()) {
      for (JsonNode rule : role.path("rules")) {
        for (String field : List.of("apiGroups", "resources", "verbs")) {
          assertFalse(
              strings(rule.path(field)).stream().anyMatch(s -> s.contains("*")),
              role.path("metadata").path("name").asText() + " has a wildcard: " + rule);
        }
      }
    }
  }

  static JsonNode container(List<JsonNode> objects) {
    JsonNode containers =
        find(objects, "Deployment", "knoe")
            .path("spec")
            .path("template")
            .path("spec")
            .path("containers");
    assertEquals(1, containers.size());
    return containers.get(0);
  }

  static Map<String, JsonNode> envNodes(JsonNode container) {
    Map<String, JsonNode> env = new LinkedHashMap<>();
    container.path("env").forEach(e -> env.put(e.path("name").asText(), e));
    return env;
  }

  static Map<String, String> env(JsonNode container) {
    Map<String, String> env = new LinkedHashMap<>();
    container
        .path("env")
        .forEach(e -> env.put(e.path("name").asText(), e.path("value").asText(null)));
    return env;
  }

  /** Mount path -> volume name. */
  static Map<String, String> mounts(JsonNode container) {
    Map<String, String> mounts = new LinkedHashMap<>();
    container
        .path("volumeMounts")
        .forEach(m -> mounts.put(m.path("mountPath").asText(), m.path("name").asText()));
    return mounts;
  }

  static Map<String, JsonNode> volumes(List<JsonNode> objects) {
    Map<String, JsonNode> volumes = new LinkedHashMap<>();
    find(objects, "Deployment", "knoe")
        .path("spec")
        .path("template")
        .path("spec")
        .path("volumes")
        .forEach(v -> volumes.put(v.path("name").asText(), v));
    return volumes;
  }

  static List<String> allowedNamespaces(List<JsonNode> objects) {
    JsonNode from =
        find(objects, "NetworkPolicy", "knoe").path("spec").path("ingress").get(0).path("from");
    JsonNode expression = from.get(0).path("namespaceSelector").path("matchExpressions").get(0);
    assertEquals("kubernetes.io/metadata.name", expression.path("key").asText());
    assertEquals("In", expression.path("operator").asText());
    return strings(expression.path("values"));
  }

  static List<String> strings(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(n -> list.add(n.asText()));
    return list;
  }

  static Set<String> fieldNames(JsonNode object) {
    Set<String> names = new TreeSet<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  static CustomResourceDefinition crd(String name) throws IOException {
    try (InputStream in = Files.newInputStream(CHART.resolve("crds").resolve(name + ".yaml"))) {
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    }
  }

  static JSONSchemaProps versionSchema(CustomResourceDefinition crd) {
    return crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
  }

  /**
   * "Name .json.path" per printer column in order, "(wide)" after those only {@code -o wide} shows.
   */
  static List<String> columns(CustomResourceDefinition crd) {
    return crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns().stream()
        .map(
            c ->
                c.getName()
                    + " "
                    + c.getJsonPath()
                    + (c.getPriority() != null && c.getPriority() > 0 ? " (wide)" : ""))
        .toList();
  }

  static StructuralSchema crdSchema(String name) throws IOException {
    return StructuralSchema.ofCrd(CHART.resolve("crds").resolve(name + ".yaml"), "v1alpha1");
  }

  /** A custom resource of {@code kind} with {@code spec}, as {@code kubectl apply} sends it. */
  static ObjectNode resource(String kind, String name, JsonNode spec) {
    ObjectNode resource = YAML.createObjectNode();
    resource.put("apiVersion", "knoe.dev/v1alpha1");
    resource.put("kind", kind);
    resource.putObject("metadata").put("name", name).put("namespace", NAMESPACE);
    resource.set("spec", spec);
    return resource;
  }

  /**
   * Valid under strict field validation (no field the schema does not declare), and so unchanged by
   * the API server's pruning: what was sent is what is stored.
   */
  static void assertKeptWhole(JsonNode resource) throws IOException {
    StructuralSchema schema = schemaFor(resource);
    assertEquals(List.of(), schema.validate(resource), () -> resource.toPrettyString());
    assertEquals(resource, schema.prune(resource), "pruned");
  }

  /**
   * The keys the parser reads and the Azure keys it accepts, from its (private) key lists and maps.
   */
  static Set<String> parserKeys(String... constants) throws ReflectiveOperationException {
    Set<String> keys = new TreeSet<>();
    for (String constant : constants) {
      Field field = SpecParser.class.getDeclaredField(constant);
      field.setAccessible(true);
      Object value = field.get(null);
      Collection<?> names = value instanceof Map<?, ?> map ? map.keySet() : (Collection<?>) value;
      names.forEach(k -> keys.add((String) k));
    }
    return keys;
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** The schema of the CRD for the resource's kind. */
  static StructuralSchema schemaFor(JsonNode resource) throws IOException {
    String kind = resource.path("kind").asText();
    String file =
        switch (kind) {
          case "OnlineEndpoint" -> "onlineendpoints.knoe.dev.yaml";
          case "OnlineDeployment" -> "onlinedeployments.knoe.dev.yaml";
          default -> throw new IllegalArgumentException("not a Knoe kind: " + kind);
        };
    assertEquals("knoe.dev/v1alpha1", resource.path("apiVersion").asText());
    return StructuralSchema.ofCrd(CHART.resolve("crds").resolve(file), "v1alpha1");
  }

  static Path copyChart(Path target) throws IOException {
    Path root = target.resolve("knoe");
    try (Stream<Path> files = Files.walk(CHART)) {
      for (Path p : files.toList()) {
        Path to = root.resolve(CHART.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    return root;
  }

  /** Helm's merge of a values file over the defaults: maps merge, everything else replaces. */
  static void merge(ObjectNode base, JsonNode overlay) {
    overlay
        .fields()
        .forEachRemaining(
            e -> {
              JsonNode current = base.get(e.getKey());
              if (current instanceof ObjectNode c && e.getValue().isObject()) {
                merge(c, e.getValue());
              } else {
                base.set(e.getKey(), e.getValue());
              }
            });
  }
}
