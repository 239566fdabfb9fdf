package dev.knoe.control.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import dev.knoe.control.knative.InstanceType;
import dev.knoe.control.knative.InstanceTypeCatalog;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

  /** What the reconciler and the API do, per "group/resource" (core group ""). */
  static final Map<String, Set<String>> EXPECTED_RULES = new TreeMap<>(Map.ofEntries(
      Map.entry("knoe.dev/onlineendpoints", Set.of("get", "list", "watch", "create", "update", "patch", "delete")),
      Map.entry("knoe.dev/onlinedeployments", Set.of("get", "list", "watch", "create", "update", "patch", "delete")),
      Map.entry("knoe.dev/onlineendpoints/status", Set.of("get", "update", "patch")),
      Map.entry("knoe.dev/onlinedeployments/status", Set.of("get", "update", "patch")),
      Map.entry("serving.knative.dev/services", Set.of("get", "list", "watch", "create", "update", "patch", "delete")),
      Map.entry("serving.knative.dev/revisions", Set.of("get", "list", "watch")),
      Map.entry("eventing.knative.dev/triggers", Set.of("get", "list", "watch", "create", "update", "patch", "delete")),
      Map.entry("/secrets", Set.of("get", "list", "watch", "create", "update", "patch", "delete")),
      Map.entry("/configmaps", Set.of("get", "list", "watch", "create", "update", "patch", "delete")),
      Map.entry("/pods", Set.of("get", "list", "watch")),
      Map.entry("/pods/log", Set.of("get")),
      Map.entry("/events", Set.of("create", "patch")),
      Map.entry("coordination.k8s.io/leases", Set.of("get", "list", "watch", "create", "update", "patch"))));

  // ---------------------------------------------------------------- lint

  @Test
  void lintStrictPassesWithDefaultValues() {
    LintResult result = new Helm(CHART).lint().strict().call();
    assertLintPasses(result);
  }

  @Test
  void lintStrictPassesWithGpuClusterWideValues(@TempDir Path tmp) throws IOException {
    // helm-java's lint takes no values file: lint a copy whose values.yaml has the overlay merged in.
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
    Map<String, Long> kinds = objects.stream()
        .collect(Collectors.groupingBy(o -> o.path("kind").asText(), TreeMap::new, Collectors.counting()));
    assertEquals(new TreeMap<>(Map.of(
        "ConfigMap", 2L, // the instance-type catalog, Knative's config-features
        "Deployment", 1L,
        "NetworkPolicy", 1L,
        "PersistentVolumeClaim", 1L,
        "Role", 2L, // the endpoints', leader election's
        "RoleBinding", 2L,
        "Secret", 2L, // the admin key, the model reader's token
        "Service", 1L,
        "ServiceAccount", 1L)), kinds);
    for (JsonNode o : objects) {
      String where = o.path("kind").asText() + " " + o.path("metadata").path("name").asText();
      if (o.path("metadata").path("name").asText().equals("config-features")) {
        assertEquals("knative-serving", namespace(o), where);
      } else {
        assertEquals(NAMESPACE, namespace(o), where);
        assertEquals("knoe", o.path("metadata").path("labels").path("app.kubernetes.io/part-of").asText(), where);
      }
    }
  }

  @Test
  void rbacGrantsExactlyTheReconcilersVerbsAndNoWildcard() {
    List<JsonNode> objects = render(Map.of());
    assertEquals(EXPECTED_RULES, rules(objects, "Role"));
    assertNoWildcards(objects);

    JsonNode leaderElection = find(objects, "Role", "knoe-leader-election");
    assertEquals("coordination.k8s.io/leases", rules(List.of(leaderElection), "Role").keySet().iterator().next());
    for (JsonNode binding : kinds(objects, "RoleBinding")) {
      assertEquals(binding.path("metadata").path("name").asText(), binding.path("roleRef").path("name").asText());
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
    assertEquals("metadata.name", env.get("POD_NAME").path("valueFrom").path("fieldRef").path("fieldPath").asText());
    assertEquals("metadata.namespace",
        env.get("POD_NAMESPACE").path("valueFrom").path("fieldRef").path("fieldPath").asText());
    Map<String, String> values = env(c);
    assertEquals("knative", values.get("KNOE_BACKEND"));
    assertEquals(NAMESPACE, values.get("KNOE_NAMESPACE"));
    assertEquals("0.0.0.0", values.get("QUARKUS_HTTP_HOST"), "Quarkus listens on loopback otherwise");
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
    assertEquals(deployment.path("spec").path("selector").path("matchLabels"), service.path("spec").path("selector"));
    assertEquals("knoe", pod.path("spec").path("serviceAccountName").asText());
    find(objects, "ServiceAccount", "knoe");
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
    assertEquals("10Gi", pvc.path("spec").path("resources").path("requests").path("storage").asText());
    assertEquals("keep", pvc.path("metadata").path("annotations").path("helm.sh/resource-policy").asText());

    assertEquals("/etc/knoe/instance-types.yaml", env.get("KNOE_INSTANCE_TYPES_FILE"));
    JsonNode catalog = volumes.get(mounts.get("/etc/knoe"));
    JsonNode configMap = find(objects, "ConfigMap", catalog.path("configMap").path("name").asText());
    assertTrue(configMap.path("data").has("instance-types.yaml"));

    // Two replicas on a ReadWriteOnce volume must share its node.
    JsonNode affinity = find(objects, "Deployment", "knoe").path("spec").path("template").path("spec").path("affinity");
    assertEquals("kubernetes.io/hostname", affinity.path("podAffinity")
        .path("requiredDuringSchedulingIgnoredDuringExecution").get(0).path("topologyKey").asText());
  }

  @Test
  void modelReaderTokenReachesTheControlPlaneAndTheEndpointsNamespace() {
    List<JsonNode> objects = render(Map.of("endpointsNamespace", "models"));
    List<String> where = kinds(objects, "Secret").stream()
        .filter(o -> o.path("metadata").path("name").asText().equals("knoe-model-reader"))
        .map(o -> o.path("metadata").path("namespace").asText()).sorted().toList();
    assertEquals(List.of("knoe", "models"), where, "one copy per namespace: the control plane's and the pods'");
    Set<String> tokens = kinds(objects, "Secret").stream()
        .filter(o -> o.path("metadata").path("name").asText().equals("knoe-model-reader"))
        .map(o -> o.path("data").path("token").asText()).collect(Collectors.toSet());
    assertEquals(1, tokens.size(), "both copies hold the same token");
    JsonNode env = find(objects, "Deployment", "knoe").path("spec").path("template").path("spec").path("containers").get(0)
        .path("env");
    boolean wired = false;
    for (JsonNode e : env) {
      if (e.path("name").asText().equals("KNOE_MODEL_READER_TOKEN")) {
        wired = e.path("valueFrom").path("secretKeyRef").path("name").asText().equals("knoe-model-reader");
      }
    }
    assertTrue(wired, "the control plane accepts that token: " + env);
  }

  @Test
  void existingClaimAndExistingAdminSecretAreUsedInsteadOfCreated() {
    List<JsonNode> objects = render(Map.of("persistence.existingClaim", "models-nfs",
        "adminKey.existingSecret", "my-admin", "adminKey.secretKey", "key"));
    assertTrue(kinds(objects, "PersistentVolumeClaim").isEmpty());
    assertEquals(List.of("knoe-model-reader"),
        kinds(objects, "Secret").stream().map(o -> o.path("metadata").path("name").asText()).toList(),
        "only the model reader's token is made");
    assertEquals("models-nfs",
        volumes(objects).get("data").path("persistentVolumeClaim").path("claimName").asText());
    JsonNode ref = envNodes(container(objects)).get("KNOE_ADMIN_KEY").path("valueFrom").path("secretKeyRef");
    assertEquals("my-admin", ref.path("name").asText());
    assertEquals("key", ref.path("key").asText());
  }

  @Test
  void imagesComeFromValues() {
    JsonNode byDefault = container(render(Map.of()));
    assertEquals("ghcr.io/knoe-dev/knoe:0.1.0", byDefault.path("image").asText());
    assertEquals("ghcr.io/knoe-dev/knoe-scoring-function:0.1.0", env(byDefault).get("KNOE_SCORING_IMAGE"));
    assertEquals("ghcr.io/knoe-dev/knoe-scoring-function:0.1.0-cuda", env(byDefault).get("KNOE_GPU_SCORING_IMAGE"));
    assertEquals("busybox:1.36", env(byDefault).get("KNOE_STORAGE_INITIALIZER_IMAGE"));

    JsonNode custom = container(render(Map.of(
        "image.registry", "registry.example.com:5000",
        "image.tag", "1.2.3",
        "scoringImage.repository", "ml/scoring",
        "scoringImage.tag", "1.2.3-cuda",
        "storageInitializerImage", "registry.example.com:5000/busybox:1.36")));
    assertEquals("registry.example.com:5000/knoe-dev/knoe:1.2.3", custom.path("image").asText());
    assertEquals("registry.example.com:5000/ml/scoring:1.2.3-cuda", env(custom).get("KNOE_SCORING_IMAGE"));
    assertEquals("registry.example.com:5000/ml/scoring:1.2.3-cuda", env(custom).get("KNOE_GPU_SCORING_IMAGE"),
        "a tag of the user's own: no invented -cuda name");
    assertEquals("registry.example.com:5000/ml/scoring:gpu", env(container(render(Map.of(
        "image.registry", "registry.example.com:5000", "scoringImage.repository", "ml/scoring",
        "scoringImage.gpuTag", "gpu")))).get("KNOE_GPU_SCORING_IMAGE"));
    assertEquals("registry.example.com:5000/busybox:1.36", env(custom).get("KNOE_STORAGE_INITIALIZER_IMAGE"));
  }

  @Test
  void gpuClusterWideValuesFileRenders() {
    List<JsonNode> objects = render(new Helm(CHART).template()
        .withValuesFile(RESOURCES.resolve("values-gpu-clusterwide.yaml")));
    assertEquals(3, find(objects, "Deployment", "knoe").path("spec").path("replicas").asInt());
    JsonNode c = container(objects);
    assertEquals("registry.example.com:5000/knoe-dev/knoe:1.2.3", c.path("image").asText());
    assertEquals("registry.example.com:5000/ml/knoe-scoring-function-cuda:1.2.3-cuda",
        env(c).get("KNOE_SCORING_IMAGE"));
    assertEquals("ReadWriteMany",
        find(objects, "PersistentVolumeClaim", "knoe-data").path("spec").path("accessModes").get(0).asText());
    assertEquals("nfs", find(objects, "PersistentVolumeClaim", "knoe-data").path("spec").path("storageClassName").asText());
    assertTrue(find(objects, "Deployment", "knoe").path("spec").path("template").path("spec").path("affinity")
        .isMissingNode(), "a ReadWriteMany volume lets the replicas spread");
    assertEquals(1, kinds(objects, "ClusterRole").size());
    assertEquals(List.of("knoe", "models", "knative-serving", "ingress-nginx"), allowedNamespaces(objects));
  }

  // ---------------------------------------------------------------- Knative and the catalog

  @Test
  void knativeConfigFeaturesEnablesTagHeaderRoutingAndWhatScoringPodsUse() {
    JsonNode features = find(render(Map.of()), "ConfigMap", "config-features");
    assertEquals("knative-serving", namespace(features));
    JsonNode data = features.path("data");
    assertEquals("Enabled", data.path("tag-header-based-routing").asText());
    for (String flag : List.of("kubernetes.podspec-init-containers", "kubernetes.podspec-volumes-emptydir",
        "kubernetes.podspec-securitycontext", "kubernetes.podspec-nodeselector", "kubernetes.podspec-tolerations")) {
      assertEquals("enabled", data.path(flag).asText(), flag);
    }
    assertEquals("keep", features.path("metadata").path("annotations").path("helm.sh/resource-policy").asText(),
        "uninstalling Knoe must not delete Knative's ConfigMap");
  }

  @Test
  void knativeConfigFeaturesIsAbsentWhenNotManaged() {
    List<JsonNode> objects = render(Map.of("knative.manageConfig", "false"));
    assertTrue(objects.stream().noneMatch(o -> o.path("metadata").path("name").asText().equals("config-features")));
    assertEquals(1, kinds(objects, "ConfigMap").size());
  }

  @Test
  void instanceTypeCatalogHasGpuSmallAskingForAnNvidiaGpuAndAzureSkus(@TempDir Path tmp) throws IOException {
    String file = find(render(Map.of()), "ConfigMap", "knoe-instance-types")
        .path("data").path("instance-types.yaml").asText();
    JsonNode catalog = YAML.readTree(file);
    assertEquals(Set.of("cpu-small", "cpu-medium", "cpu-large", "gpu-small"), fieldNames(catalog.path("instanceTypes")));
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
    assertEquals(List.of(new InstanceType.Toleration("nvidia.com/gpu", "Exists", null, "NoSchedule")), nc6.tolerations());
    assertEquals("cpu-medium", read.require("Standard_DS3_v2").name());
    assertEquals("cpu-large", read.require("Standard_F4s_v2").name());
  }

  @Test
  void anAzureSkuMappedToAMissingInstanceTypeFailsTheRender() {
    Exception e = assertThrows(Exception.class, () -> render(Map.of("azureSkus.Standard_X", "gpu-huge")));
    assertTrue(e.getMessage().contains("azureSkus.Standard_X = gpu-huge, which is not a key of instanceTypes"),
        e.getMessage());
  }

  // ---------------------------------------------------------------- NetworkPolicy

  @Test
  void networkPolicyAdmitsTheReleaseAndKnativeNamespacesToTheApiPort() {
    List<JsonNode> objects = render(Map.of());
    JsonNode policy = find(objects, "NetworkPolicy", "knoe");
    assertEquals(find(objects, "Deployment", "knoe").path("spec").path("selector").path("matchLabels"),
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

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"onlineendpoints.knoe.dev", "onlinedeployments.knoe.dev"})
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
    assertTrue(v.getAdditionalPrinterColumns().stream().anyMatch(c -> c.getJsonPath().equals(".status.provisioning_state")));
    JSONSchemaProps spec = v.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    assertTrue(spec.getXKubernetesPreserveUnknownFields(), "other Azure keys are accepted");

    StructuralSchema schema = StructuralSchema.ofCrd(CHART.resolve("crds").resolve(name + ".yaml"), "v1alpha1");
    assertEquals(List.of(), schema.structuralProblems());
  }

  @Test
  void crdNamesKindsAndRequiredFields() throws IOException {
    CustomResourceDefinition endpoints = crd("onlineendpoints.knoe.dev");
    assertEquals("OnlineEndpoint", endpoints.getSpec().getNames().getKind());
    assertEquals(List.of("oe"), endpoints.getSpec().getNames().getShortNames());
    JSONSchemaProps endpointSpec = versionSchema(endpoints).getProperties().get("spec");
    assertEquals(List.of("key", "aml_token", "aad_token"),
        endpointSpec.getProperties().get("auth_mode").getEnum().stream().map(JsonNode::asText).toList());
    assertEquals(Set.of("State", "URI", "Age"), columns(endpoints));

    CustomResourceDefinition deployments = crd("onlinedeployments.knoe.dev");
    assertEquals("OnlineDeployment", deployments.getSpec().getNames().getKind());
    assertEquals(List.of("od"), deployments.getSpec().getNames().getShortNames());
    JSONSchemaProps deploymentSpec = versionSchema(deployments).getProperties().get("spec");
    assertEquals(List.of("endpoint_name"), deploymentSpec.getRequired());
    assertEquals(1, deploymentSpec.getProperties().get("instance_count").getMinimum().intValue());
    assertTrue(deploymentSpec.getProperties().get("model").getXKubernetesPreserveUnknownFields());
    assertEquals(Set.of("Endpoint", "State", "Revision", "Age"), columns(deployments));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sample-endpoint.yaml", "sample-deployment.yaml"})
  void sampleResourceIsValidAgainstItsCrd(String file) throws IOException {
    JsonNode resource = StructuralSchema.readYaml(RESOURCES.resolve(file));
    assertEquals(List.of(), schemaFor(resource).validate(resource));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"endpoint.yml", "blue-deployment.yml", "green-deployment.yml"})
  void everyRepositorySamplePastedUnderSpecIsValid(String file) throws IOException {
    ObjectNode spec = (ObjectNode) YAML.readTree(SAMPLES.resolve(file).toFile());
    String name = spec.remove("name").asText();
    ObjectNode resource = YAML.createObjectNode();
    resource.put("apiVersion", "knoe.dev/v1alpha1");
    resource.put("kind", spec.has("endpoint_name") ? "OnlineDeployment" : "OnlineEndpoint");
    resource.putObject("metadata").put("name", name);
    resource.set("spec", spec);
    assertEquals(List.of(), schemaFor(resource).validate(resource));
  }

  @Test
  void aBadDeploymentIsRejectedWithThePathsAtFault() throws IOException {
    ObjectNode resource = (ObjectNode) StructuralSchema.readYaml(RESOURCES.resolve("sample-deployment.yaml"));
    ObjectNode spec = (ObjectNode) resource.get("spec");
    spec.remove("endpoint_name");
    spec.put("instance_count", "two");
    ((ObjectNode) spec.get("request_settings")).put("request_timeout_ms", 0);
    spec.putObject("scale_settings").put("type", "manual");
    ((ObjectNode) spec.get("batching")).put("max_batch_sise", 8);
    ((ObjectNode) resource.get("status")).put("ready_instances", 1.5);

    List<String> errors = schemaFor(resource).validate(resource);
    assertEquals(List.of(
        "spec.endpoint_name: Required value",
        "spec.instance_count: must be of type integer, is string \"two\"",
        "spec.request_settings.request_timeout_ms: 0 must be greater than or equal to 1",
        "spec.batching.max_batch_sise: unknown field (not in the schema)",
        "spec.scale_settings.type: Unsupported value \"manual\", must be one of [\"default\",\"target_utilization\"]",
        "status.ready_instances: must be of type integer, is number 1.5"), errors);
  }

  @Test
  void aBadEndpointIsRejectedWithThePathsAtFault() throws IOException {
    ObjectNode resource = (ObjectNode) StructuralSchema.readYaml(RESOURCES.resolve("sample-endpoint.yaml"));
    ObjectNode spec = (ObjectNode) resource.get("spec");
    spec.put("auth_mode", "password");
    ((ObjectNode) spec.get("traffic")).put("blue", 150);
    ((ObjectNode) spec.get("tags")).put("team", 7);
    ((ObjectNode) spec.get("triggers").get(0)).putObject("filter");
    spec.put("triggers_typo", "x"); // spec preserves unknown Azure keys: not an error

    List<String> errors = schemaFor(resource).validate(resource);
    assertEquals(List.of(
        "spec.auth_mode: Unsupported value \"password\", must be one of [\"key\",\"aml_token\",\"aad_token\"]",
        "spec.tags.team: must be of type string, is integer 7",
        "spec.traffic.blue: 150 must be less than or equal to 100",
        "spec.triggers[0].filter: has 0 properties, must have at least 1"), errors);
  }

  @Test
  void aSchemaThatIsNotStructuralIsReported() throws IOException {
    JsonNode schema = YAML.readTree("""
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
        """);
    assertEquals(List.of(
        "spec: no type (needed unless x-kubernetes-preserve-unknown-fields or x-kubernetes-int-or-string)",
        "spec: properties and additionalProperties are mutually exclusive",
        "spec: properties need type object",
        "list: an array needs items",
        "free: no type (needed unless x-kubernetes-preserve-unknown-fields or x-kubernetes-int-or-string)",
        "odd: keyword oneOf is not supported by this check"), StructuralSchema.of(schema).structuralProblems());
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
    String yaml = template.withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion("1.30.0").call();
    List<JsonNode> objects = new ArrayList<>();
    try {
      for (Iterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml); it.hasNext(); ) {
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
    assertTrue(result.getMessages().stream().noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]")),
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

  /** "group/resource" -> verbs over every rule of every object of {@code kind}; a resource granted twice fails. */
  static Map<String, Set<String>> rules(List<JsonNode> objects, String kind) {
    Map<String, Set<String>> rules = new TreeMap<>();
    for (JsonNode role : kinds(objects, kind)) {
      for (JsonNode rule : role.path("rules")) {
        assertFalse(rule.has("resourceNames") || rule.has("nonResourceURLs"), rule.toString());
        for (String group : strings(rule.path("apiGroups"))) {
          for (String resource : strings(rule.path("resources"))) {
            Set<String> verbs = new TreeSet<>(strings(rule.path("verbs")));
            assertTrue(rules.put(group + "/" + resource, verbs) == null, "granted twice: " + group + "/" + resource);
          }
        }
      }
    }
    return rules;
  }

  static void assertNoWildcards(List<JsonNode> objects) {
    for (JsonNode role : Stream.concat(kinds(objects, "Role").stream(), kinds(objects, "ClusterRole").stream()).toList()) {
      for (JsonNode rule : role.path("rules")) {
        for (String field : List.of("apiGroups", "resources", "verbs")) {
          assertFalse(strings(rule.path(field)).stream().anyMatch(s -> s.contains("*")),
              role.path("metadata").path("name").asText() + " has a wildcard: " + rule);
        }
      }
    }
  }

  static JsonNode container(List<JsonNode> objects) {
    JsonNode containers = find(objects, "Deployment", "knoe").path("spec").path("template").path("spec").path("containers");
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
    container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText(null)));
    return env;
  }

  /** Mount path -> volume name. */
  static Map<String, String> mounts(JsonNode container) {
    Map<String, String> mounts = new LinkedHashMap<>();
    container.path("volumeMounts").forEach(m -> mounts.put(m.path("mountPath").asText(), m.path("name").asText()));
    return mounts;
  }

  static Map<String, JsonNode> volumes(List<JsonNode> objects) {
    Map<String, JsonNode> volumes = new LinkedHashMap<>();
    find(objects, "Deployment", "knoe").path("spec").path("template").path("spec").path("volumes")
        .forEach(v -> volumes.put(v.path("name").asText(), v));
    return volumes;
  }

  static List<String> allowedNamespaces(List<JsonNode> objects) {
    JsonNode from = find(objects, "NetworkPolicy", "knoe").path("spec").path("ingress").get(0).path("from");
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

  static Set<String> columns(CustomResourceDefinition crd) {
    return crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns().stream()
        .map(c -> c.getName()).collect(Collectors.toSet());
  }

  /** The schema of the CRD for the resource's kind. */
  static StructuralSchema schemaFor(JsonNode resource) throws IOException {
    String kind = resource.path("kind").asText();
    String file = switch (kind) {
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
    overlay.fields().forEachRemaining(e -> {
      JsonNode current = base.get(e.getKey());
      if (current instanceof ObjectNode c && e.getValue().isObject()) {
        merge(c, e.getValue());
      } else {
        base.set(e.getKey(), e.getValue());
      }
    });
  }
}
