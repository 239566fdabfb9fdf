package dev.knoe.control.serve;

import dev.knoe.control.cluster.AuthSecrets;
import dev.knoe.control.cluster.OnlineDeployment;
import dev.knoe.control.cluster.OnlineEndpoint;
import dev.knoe.control.cluster.SpecTrees;
import dev.knoe.control.credentials.TokenIssuer;
import dev.knoe.control.knative.KnativeNames;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The endpoint API in cluster mode, read side: endpoints and deployments from their custom
 * resources (spec and the status the reconciler writes), the endpoint's keys from its auth Secret,
 * tokens, and logs of the deployment's pods. Writes are not served here yet ({@link ClusterModeGuard}).
 */
final class ClusterApi {

  private static final Pattern ENDPOINTS = Pattern.compile("/api/v1/endpoints/?");
  private static final Pattern ENDPOINT = Pattern.compile("/api/v1/endpoints/([^/]+)/?");
  private static final Pattern KEYS = Pattern.compile("/api/v1/endpoints/([^/]+)/keys/?");
  private static final Pattern TOKEN = Pattern.compile("/api/v1/endpoints/([^/]+)/token/?");
  private static final Pattern DEPLOYMENTS = Pattern.compile("/api/v1/endpoints/([^/]+)/deployments/?");
  private static final Pattern DEPLOYMENT = Pattern.compile("/api/v1/endpoints/([^/]+)/deployments/([^/]+)/?");
  private static final Pattern LOGS = Pattern.compile("/api/v1/endpoints/([^/]+)/deployments/([^/]+)/logs/?");

  private final KubernetesClient client;
  private final String namespace;
  private final TokenIssuer tokens;

  ClusterApi(KubernetesClient client, String namespace, TokenIssuer tokens) {
    this.client = client;
    this.namespace = namespace;
    this.tokens = tokens;
  }

  /** The answer to a read this class serves; empty for anything else. */
  Optional<Response> handle(String method, String path, Map<String, String> query) {
    Matcher m;
    if (method.equals("GET") && ENDPOINTS.matcher(path).matches()) {
      return Optional.of(ok(client.resources(OnlineEndpoint.class).inNamespace(namespace).list().getItems().stream()
          .sorted(Comparator.comparing(e -> e.getMetadata().getName())).map(ClusterApi::view).toList()));
    }
    if (method.equals("GET") && (m = ENDPOINT.matcher(path)).matches()) {
      String name = m.group(1);
      return Optional.of(endpoint(name).map(e -> ok(view(e))).orElseGet(() -> noEndpoint(name)));
    }
    if (method.equals("GET") && (m = KEYS.matcher(path)).matches()) {
      return Optional.of(keys(m.group(1)));
    }
    if (method.equals("POST") && (m = TOKEN.matcher(path)).matches()) {
      String name = m.group(1);
      return Optional.of(endpoint(name).map(e -> "aml_token".equals(e.getSpec().string("auth_mode"))
          ? ok(tokens.issue(name))
          : error(400, "endpoint '" + name + "' uses auth_mode key: tokens are for aml_token endpoints; use its keys"))
          .orElseGet(() -> noEndpoint(name)));
    }
    if (method.equals("GET") && (m = DEPLOYMENTS.matcher(path)).matches()) {
      String name = m.group(1);
      if (endpoint(name).isEmpty()) {
        return Optional.of(noEndpoint(name));
      }
      return Optional.of(ok(deployments(name).stream().map(d -> view(d, name)).toList()));
    }
    if (method.equals("GET") && (m = DEPLOYMENT.matcher(path)).matches()) {
      String name = m.group(1);
      String dep = m.group(2);
      return Optional.of(deployment(name, dep).map(d -> ok(view(d, name)))
          .orElseGet(() -> error(404, "endpoint '" + name + "' has no deployment '" + dep + "'")));
    }
    if (method.equals("GET") && (m = LOGS.matcher(path)).matches()) {
      return Optional.of(logs(m.group(1), m.group(2), query));
    }
    return Optional.empty();
  }

  private Optional<OnlineEndpoint> endpoint(String name) {
    return Optional.ofNullable(client.resources(OnlineEndpoint.class).inNamespace(namespace)
        .withName(KnativeNames.endpointResource(name)).get());
  }

  private List<OnlineDeployment> deployments(String endpoint) {
    String resource = KnativeNames.endpointResource(endpoint);
    return client.resources(OnlineDeployment.class).inNamespace(namespace).list().getItems().stream()
        .filter(d -> resource.equals(SpecTrees.endpointResourceOf(d)))
        .sorted(Comparator.comparing(d -> d.getMetadata().getName())).toList();
  }

  private Optional<OnlineDeployment> deployment(String endpoint, String name) {
    String resource = KnativeNames.endpointResource(endpoint);
    return deployments(endpoint).stream().filter(d -> name.equals(SpecTrees.deploymentName(d, resource))).findFirst();
  }

  private Response keys(String name) {
    Optional<OnlineEndpoint> e = endpoint(name);
    if (e.isEmpty()) {
      return noEndpoint(name);
    }
    if ("aml_token".equals(e.get().getSpec().string("auth_mode"))) {
      return error(400, "endpoint '" + name + "' uses auth_mode aml_token: get a token with 'knoe online-endpoint get-credentials'");
    }
    Secret s = client.secrets().inNamespace(namespace).withName(KnativeNames.authSecret(name)).get();
    return AuthSecrets.keys(s == null ? null : s.getData())
        .map(k -> ok(Map.of("primaryKey", k.primaryKey(), "secondaryKey", k.secondaryKey())))
        .orElseGet(() -> error(409, "endpoint '" + name + "' has no keys yet: the reconciler makes them; try again in a moment"));
  }

  private Response logs(String endpoint, String name, Map<String, String> query) {
    Optional<OnlineDeployment> d = deployment(endpoint, name);
    if (d.isEmpty()) {
      return error(404, "endpoint '" + endpoint + "' has no deployment '" + name + "'");
    }
    String revision = d.get().getStatus() == null ? null : d.get().getStatus().revision();
    String container = query.getOrDefault("container", "inference-server");
    String pod = container.equals("storage-initializer") ? "storage-initializer" : "scoring-function";
    int lines;
    try {
      lines = Integer.parseInt(query.getOrDefault("lines", "100"));
    } catch (NumberFormatException e) {
      return error(400, "lines '" + query.get("lines") + "' is not a number");
    }
    List<String> out = new ArrayList<>();
    if (revision == null) {
      out.add("(no revision of deployment '" + name + "' has been made yet)");
    } else {
      List<Pod> pods = client.pods().inNamespace(namespace).withLabel("serving.knative.dev/revision", revision)
          .list().getItems();
      if (pods.isEmpty()) {
        out.add("(no pod of revision " + revision + " runs now: scaled to zero, or not started)");
      }
      for (Pod p : pods) {
        try {
          String log = client.pods().inNamespace(namespace).withName(p.getMetadata().getName()).inContainer(pod)
              .tailingLines(lines).getLog();
          log.lines().forEach(l -> out.add(p.getMetadata().getName() + " " + l));
        } catch (KubernetesClientException e) {
          out.add("(" + p.getMetadata().getName() + ": cannot read the logs of " + pod + ": " + e.getMessage() + ")");
        }
      }
    }
    return ok(out);
  }

  private static Map<String, Object> view(OnlineEndpoint e) {
    Map<String, Object> v = new LinkedHashMap<>(e.getSpec() == null ? Map.of() : e.getSpec().getFields());
    v.putIfAbsent("name", SpecTrees.endpointName(e));
    if (e.getStatus() != null) {
      v.put("provisioning_state", e.getStatus().provisioningState());
      putIf(v, "message", e.getStatus().message());
      putIf(v, "scoring_uri", e.getStatus().scoringUri());
      putIf(v, "openapi_uri", e.getStatus().openapiUri());
      putIf(v, "effective_traffic", e.getStatus().traffic());
      putIf(v, "deployments", e.getStatus().deployments());
    } else {
      v.put("provisioning_state", "Creating");
    }
    v.put("generation", e.getMetadata().getGeneration());
    return v;
  }

  private static Map<String, Object> view(OnlineDeployment d, String endpoint) {
    Map<String, Object> v = new LinkedHashMap<>(d.getSpec() == null ? Map.of() : d.getSpec().getFields());
    v.putIfAbsent("name", SpecTrees.deploymentName(d, KnativeNames.endpointResource(endpoint)));
    if (d.getStatus() != null) {
      v.put("provisioning_state", d.getStatus().provisioningState());
      putIf(v, "message", d.getStatus().message());
      putIf(v, "revision", d.getStatus().revision());
      putIf(v, "scoring_uri", d.getStatus().scoringUri());
      putIf(v, "url", d.getStatus().url());
      v.put("ready_instances", d.getStatus().readyInstances() == null ? 0 : d.getStatus().readyInstances());
    } else {
      v.put("provisioning_state", "Creating");
      v.put("ready_instances", 0);
    }
    v.put("generation", d.getMetadata().getGeneration());
    return v;
  }

  private static void putIf(Map<String, Object> v, String key, Object value) {
    if (value != null) {
      v.put(key, value);
    }
  }

  private static Response ok(Object body) {
    return Response.ok(body, MediaType.APPLICATION_JSON).build();
  }

  private static Response noEndpoint(String name) {
    return error(404, "no endpoint '" + name + "'");
  }

  private static Response error(int status, String message) {
    return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message)).build();
  }
}
