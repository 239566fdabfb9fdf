package dev.knoe.control.cluster;

import dev.knoe.control.knative.KnativeNames;
import dev.knoe.control.spec.DeploymentSpec;
import dev.knoe.control.spec.EndpointSpec;
import dev.knoe.control.spec.Parsed;
import dev.knoe.control.spec.SpecException;
import dev.knoe.control.spec.SpecParser;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Knoe specs from the custom resources, and the names that tie them together.
 *
 * <p>Naming: an endpoint's Knoe name is {@code spec.name}, else {@code metadata.name}; its {@code
 * metadata.name} must be {@link KnativeNames#endpointResource} of that name (for a lowercase name,
 * the name itself), so the resource name is also the Knative Service's name and the value of the
 * {@code knoe.dev/endpoint} label, which lets the reconciler find what it made even after the
 * resource is gone. A deployment belongs to the endpoint whose resource name is {@code
 * endpointResource(spec.endpoint_name)}; its Knoe name is {@code spec.name}, else its {@code
 * metadata.name} minus {@code <endpoint resource>-} ({@code my-endpoint-blue} is {@code blue}),
 * which is how {@code KnativeRenderer#deploymentResource} names it.
 */
public final class SpecTrees {

  private SpecTrees() {}

  /** The endpoint's Knoe name. */
  public static String endpointName(OnlineEndpoint e) {
    String named = spec(e.getSpec()).string("name");
    return named != null ? named : e.getMetadata().getName();
  }

  /**
   * The endpoint's spec.
   *
   * @throws SpecException with every problem, including a resource name that does not fit the Knoe
   *     name
   */
  public static Parsed<EndpointSpec> endpoint(OnlineEndpoint e) {
    String name = endpointName(e);
    Map<String, Object> tree = new LinkedHashMap<>(spec(e.getSpec()).getFields());
    tree.put("name", name);
    Parsed<EndpointSpec> parsed = SpecParser.endpoint(tree, null, List.of());
    String expected = KnativeNames.endpointResource(name);
    if (!expected.equals(e.getMetadata().getName())) {
      throw new SpecException(
          "metadata.name '"
              + e.getMetadata().getName()
              + "' must be '"
              + expected
              + "' for the endpoint named '"
              + name
              + "' (the resource, the Knative Service and its labels share it)");
    }
    return parsed;
  }

  /**
   * The OnlineEndpoint resource name a deployment belongs to, or null without a string {@code
   * spec.endpoint_name}.
   */
  public static String endpointResourceOf(OnlineDeployment d) {
    String endpoint = spec(d.getSpec()).string("endpoint_name");
    return endpoint == null || endpoint.isBlank() ? null : KnativeNames.endpointResource(endpoint);
  }

  /**
   * The deployment's Knoe name: {@code spec.name}, else the resource name minus {@code
   * <endpointResource>-}; null when neither gives one.
   */
  public static String deploymentName(OnlineDeployment d, String endpointResource) {
    String named = spec(d.getSpec()).string("name");
    if (named != null) {
      return named;
    }
    String prefix = endpointResource + "-";
    String resource = d.getMetadata().getName();
    return resource.startsWith(prefix) && resource.length() > prefix.length()
        ? resource.substring(prefix.length())
        : null;
  }

  /**
   * The deployment's spec, under its endpoint's Knoe name.
   *
   * @throws SpecException with every problem
   */
  public static Parsed<DeploymentSpec> deployment(OnlineDeployment d, String endpointResource) {
    String name = deploymentName(d, endpointResource);
    if (name == null) {
      throw new SpecException(
          "spec.name is missing and metadata.name '"
              + d.getMetadata().getName()
              + "' does not start with '"
              + endpointResource
              + "-': give spec.name, or name the resource "
              + endpointResource
              + "-<deployment>");
    }
    Map<String, Object> tree = new LinkedHashMap<>(spec(d.getSpec()).getFields());
    tree.put("name", name);
    return SpecParser.deployment(tree, null, List.of());
  }

  private static AzureYamlSpec spec(AzureYamlSpec spec) {
    return spec == null ? new AzureYamlSpec() : spec;
  }
}
