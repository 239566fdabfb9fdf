package dev.knoe.control.scoring;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM memory bound of a scoring-function instance, one rule for both backends: the heap is
 * {@value #HEAP_PERCENT} % of the instance type's memory.
 *
 * <p>On a cluster the JVM is container-aware and reads the memory from the pod's {@code
 * resources.limits.memory} ({@code KnativeRenderer} sets it from the instance type), so the pod
 * gets only the share ({@link #heapShare}); without it the JVM's container default is 25 %. A local
 * instance has no container: {@link #flags} also passes the type's memory as {@code -XX:MaxRAM}
 * (the catalog is the caller's: {@code serve.Platform} passes the chart's). Without that a local
 * instance sizes its heap from the whole machine (a quarter of 24 GiB, and an initial heap of 1/64
 * of it, 384 MiB, before the first request).
 */
public final class JvmMemory {

  /**
   * Share of the instance type's memory given to the heap. Not the JVM's container default of 25 %
   * (too little for a batch of large tensors) nor the 75 % often used for pure-Java services: ONNX
   * Runtime keeps the model's weights, its arena and the tensors of every request in flight in
   * native memory outside the heap, next to the JVM's own (metaspace, code cache, thread stacks,
   * direct buffers). E.g. cpu-small, 2 GiB: a 1 GiB heap, 1 GiB left for a model of some hundreds
   * of MiB with its arena, and ~200 MiB of JVM overhead.
   */
  public static final int HEAP_PERCENT = 50;

  private JvmMemory() {}

  /**
   * The heap's share of the memory the JVM sees: {@code -XX:MaxRAMPercentage}={@value
   * #HEAP_PERCENT}; all a pod needs, its container limit being the memory.
   */
  public static List<String> heapShare() {
    return List.of("-XX:MaxRAMPercentage=" + HEAP_PERCENT + ".0");
  }

  /**
   * JVM flags that bound an instance of an instance type with {@code memory}: {@code -XX:MaxRAM} =
   * the memory in bytes and {@code -XX:MaxRAMPercentage} = {@value #HEAP_PERCENT}; none when {@code
   * memory} is null or blank.
   *
   * @param memory a Kubernetes quantity, {@code "2Gi"} (2147483648 bytes) or {@code "1.5G"}
   */
  public static List<String> flags(String memory) {
    if (memory == null || memory.isBlank()) {
      return List.of();
    }
    BigDecimal bytes = Quantity.getAmountInBytes(new Quantity(memory));
    List<String> flags = new ArrayList<>(List.of("-XX:MaxRAM=" + bytes.toBigInteger()));
    flags.addAll(heapShare());
    return List.copyOf(flags);
  }

  /**
   * {@code KNOE_JAVA_OPTS} of an instance: the bound first, then the user's own options (from
   * {@code knoe serve}'s environment or the deployment's {@code environment_variables}), so that a
   * user's {@code -Xmx} or {@code -XX:MaxRAMPercentage} wins (the last of two equal flags counts,
   * and an explicit heap size overrides any percentage).
   *
   * @param bound flags from {@link #flags}
   * @param userOpts the user's {@code KNOE_JAVA_OPTS}, null or blank when none
   */
  public static String javaOpts(List<String> bound, String userOpts) {
    String own = String.join(" ", bound);
    if (userOpts == null || userOpts.isBlank()) {
      return own;
    }
    return own.isEmpty() ? userOpts : own + " " + userOpts.strip();
  }
}
