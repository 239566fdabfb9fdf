package dev.knoe.control.knative;

import java.util.List;
import java.util.Map;

/**
 * One entry of the instance-type catalog: what a deployment's {@code instance_type} asks of the
 * cluster.
 *
 * @param name catalog name, e.g. {@code cpu-small}
 * @param cpu CPU request and limit, a Kubernetes quantity ({@code "1"}, {@code "500m"})
 * @param memory memory request and limit ({@code "2Gi"})
 * @param gpus NVIDIA GPUs ({@code nvidia.com/gpu}); more than 0 also sets {@code KNOE_DEVICE=cuda}
 * @param nodeSelector node labels the pods must match, never null
 * @param tolerations taints the pods tolerate, never null
 */
public record InstanceType(
    String name,
    String cpu,
    String memory,
    int gpus,
    Map<String, String> nodeSelector,
    List<Toleration> tolerations) {

  public InstanceType {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("an instance type needs a name");
    }
    if (gpus < 0) {
      throw new IllegalArgumentException(
          "instance type " + name + ": gpu = " + gpus + ", must be at least 0");
    }
    nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
    tolerations = tolerations == null ? List.of() : List.copyOf(tolerations);
  }

  /** A Kubernetes toleration; {@code value} may be null (operator Exists). */
  public record Toleration(String key, String operator, String value, String effect) {}
}
