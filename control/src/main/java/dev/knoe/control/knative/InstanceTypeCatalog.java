package dev.knoe.control.knative;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The instance types a cluster offers, and Azure SKU names mapped onto them (so a deployment YAML
 * written for Azure, {@code instance_type: Standard_DS3_v2}, runs unchanged). Read from the chart's
 * ConfigMap ({@code instanceTypes:} and {@code azureSkus:} maps), else {@link #DEFAULT}.
 */
public final class InstanceTypeCatalog {

  private static final InstanceType.Toleration GPU_TOLERATION =
      new InstanceType.Toleration("nvidia.com/gpu", "Exists", null, "NoSchedule");

  /** The chart's default catalog. */
  public static final InstanceTypeCatalog DEFAULT =
      new InstanceTypeCatalog(
          List.of(
              new InstanceType("cpu-small", "1", "2Gi", 0, Map.of(), List.of()),
              new InstanceType("cpu-medium", "2", "4Gi", 0, Map.of(), List.of()),
              new InstanceType("cpu-large", "4", "8Gi", 0, Map.of(), List.of()),
              new InstanceType(
                  "gpu-small",
                  "4",
                  "16Gi",
                  1,
                  Map.of("nvidia.com/gpu.present", "true"),
                  List.of(GPU_TOLERATION))),
          Map.of(
              "Standard_DS1_v2", "cpu-small",
              "Standard_DS2_v2", "cpu-small",
              "Standard_DS3_v2", "cpu-medium",
              "Standard_F4s_v2", "cpu-large",
              "Standard_DS4_v2", "cpu-large",
              "Standard_NC4as_T4_v3", "gpu-small",
              "Standard_NC6s_v3", "gpu-small"));

  private final Map<String, InstanceType> types;
  private final Map<String, String> azureSkus;

  public InstanceTypeCatalog(List<InstanceType> types, Map<String, String> azureSkus) {
    Map<String, InstanceType> m = new LinkedHashMap<>();
    types.forEach(t -> m.put(t.name(), t));
    this.types = Map.copyOf(m);
    azureSkus.forEach(
        (sku, type) -> {
          if (!m.containsKey(type)) {
            throw new IllegalArgumentException(
                "azureSkus."
                    + sku
                    + " = "
                    + type
                    + ", which is not an instance type ("
                    + String.join(", ", new TreeMap<>(m).keySet())
                    + ")");
          }
        });
    this.azureSkus = Map.copyOf(azureSkus);
  }

  /**
   * The catalog in a YAML file: {@code instanceTypes: {name: {cpu, memory, gpu, nodeSelector,
   * tolerations}}, azureSkus: {sku: name}}.
   */
  public static InstanceTypeCatalog read(Path file) throws IOException {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    if (root == null || !root.path("instanceTypes").isObject()) {
      throw new IOException(file + ": no instanceTypes map");
    }
    List<InstanceType> types = new ArrayList<>();
    root.path("instanceTypes")
        .fields()
        .forEachRemaining(
            e -> {
              JsonNode t = e.getValue();
              Map<String, String> selector = new LinkedHashMap<>();
              t.path("nodeSelector")
                  .fields()
                  .forEachRemaining(s -> selector.put(s.getKey(), s.getValue().asText()));
              List<InstanceType.Toleration> tolerations = new ArrayList<>();
              t.path("tolerations")
                  .forEach(
                      x ->
                          tolerations.add(
                              new InstanceType.Toleration(
                                  text(x, "key"),
                                  Optional.ofNullable(text(x, "operator")).orElse("Equal"),
                                  text(x, "value"),
                                  text(x, "effect"))));
              types.add(
                  new InstanceType(
                      e.getKey(),
                      text(t, "cpu"),
                      text(t, "memory"),
                      t.path("gpu").asInt(0),
                      selector,
                      tolerations));
            });
    Map<String, String> skus = new LinkedHashMap<>();
    root.path("azureSkus")
        .fields()
        .forEachRemaining(e -> skus.put(e.getKey(), e.getValue().asText()));
    return new InstanceTypeCatalog(types, skus);
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** The type a deployment's {@code instance_type} names, directly or through an Azure SKU. */
  public Optional<InstanceType> find(String instanceType) {
    InstanceType t = types.get(instanceType);
    if (t == null && azureSkus.containsKey(instanceType)) {
      t = types.get(azureSkus.get(instanceType));
    }
    return Optional.ofNullable(t);
  }

  /** Like {@link #find}, or an error naming what the catalog has. */
  public InstanceType require(String instanceType) {
    return find(instanceType)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "instance_type '"
                        + instanceType
                        + "' is not in the instance-type catalog (types: "
                        + String.join(", ", new TreeMap<>(types).keySet())
                        + "; Azure SKUs: "
                        + String.join(", ", new TreeMap<>(azureSkus).keySet())
                        + ")"));
  }
}
