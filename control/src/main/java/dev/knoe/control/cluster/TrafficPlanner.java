package dev.knoe.control.cluster;

import dev.knoe.control.knative.KnativeNames;
import dev.knoe.control.knative.KnativeRenderer;
import dev.knoe.control.spec.EndpointSpec;
import io.fabric8.knative.serving.v1.TrafficTarget;
import io.fabric8.knative.serving.v1.TrafficTargetBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which split the Knative Service gets, as a pure function (table-tested).
 *
 * <p>A deployment is <em>serving</em> when it has a Ready revision to route to: its current
 * generation's once Ready, else the revision its tag routes to now. When every deployment the
 * endpoint gives a share has a serving revision, the split is the endpoint's ({@link
 * KnativeRenderer#traffic}). Otherwise traffic does not move onto anything that is not Ready: each
 * serving deployment keeps the share it has now (a rolled deployment's share moves to its new
 * revision), deployments that are gone lose theirs, and what is left goes to the endpoint's 404
 * revision ({@link KnativeNames#noTrafficRevision}), so the sum stays 100.
 */
public final class TrafficPlanner {

  private TrafficPlanner() {}

  /**
   * @param targets what {@code spec.traffic} should be
   * @param split the effective share of each routed deployment (0 % ones included), by name
   * @param waitingFor deployments the endpoint gives a share that have no Ready revision (so the
   *     endpoint's split is not in effect); empty when it is
   * @param usesPlaceholder true when the 404 revision is among the targets
   */
  public record Plan(
      List<TrafficTarget> targets,
      Map<String, Integer> split,
      List<String> waitingFor,
      boolean usesPlaceholder) {}

  /**
   * @param endpoint the endpoint (its traffic in the author's order)
   * @param serving deployment name → its Ready revision, for every deployment that has one (order
   *     kept after the endpoint's own)
   * @param current deployment name → the share its tag has in the Service now (deployments that are
   *     gone left out)
   */
  public static Plan plan(
      KnativeRenderer renderer,
      EndpointSpec endpoint,
      Map<String, String> serving,
      Map<String, Integer> current) {
    Map<String, String> ordered = new LinkedHashMap<>();
    endpoint
        .traffic()
        .keySet()
        .forEach(
            d -> {
              if (serving.containsKey(d)) {
                ordered.put(d, serving.get(d));
              }
            });
    serving.forEach(ordered::putIfAbsent);
    List<String> waiting =
        endpoint.traffic().entrySet().stream()
            .filter(e -> e.getValue() > 0 && !serving.containsKey(e.getKey()))
            .map(Map.Entry::getKey)
            .toList();

    List<TrafficTarget> targets;
    if (waiting.isEmpty()) {
      targets = renderer.traffic(endpoint, ordered);
    } else {
      targets = new ArrayList<>();
      long sum = 0;
      for (var e : ordered.entrySet()) {
        int percent = Math.max(0, current.getOrDefault(e.getKey(), 0));
        sum += percent;
        targets.add(target(e.getValue(), percent, KnativeNames.tag(endpoint.name(), e.getKey())));
      }
      if (sum > 100) { // not from a Service Knative accepted; start over from nothing
        targets.replaceAll(t -> target(t.getRevisionName(), 0, t.getTag()));
        sum = 0;
      }
      if (sum < 100) {
        targets.add(target(KnativeNames.noTrafficRevision(endpoint.name()), 100 - sum, null));
      }
    }
    Map<String, Integer> split = new LinkedHashMap<>();
    ordered
        .keySet()
        .forEach(
            d ->
                targets.stream()
                    .filter(t -> KnativeNames.tag(endpoint.name(), d).equals(t.getTag()))
                    .findFirst()
                    .ifPresent(t -> split.put(d, t.getPercent().intValue())));
    String placeholder = KnativeNames.noTrafficRevision(endpoint.name());
    boolean usesPlaceholder =
        targets.stream().anyMatch(t -> placeholder.equals(t.getRevisionName()));
    return new Plan(List.copyOf(targets), split, waiting, usesPlaceholder);
  }

  static TrafficTarget target(String revision, long percent, String tag) {
    return new TrafficTargetBuilder()
        .withRevisionName(revision)
        .withPercent(percent)
        .withTag(tag)
        .withLatestRevision(false)
        .build();
  }

  /**
   * Two splits are the same when each target names the same revision, share, tag and
   * latestRevision.
   */
  public static boolean same(List<TrafficTarget> a, List<TrafficTarget> b) {
    return key(a).equals(key(b));
  }

  private static List<String> key(List<TrafficTarget> targets) {
    if (targets == null) {
      return List.of();
    }
    return targets.stream()
        .map(
            t ->
                t.getRevisionName()
                    + "|"
                    + t.getConfigurationName()
                    + "|"
                    + (t.getPercent() == null ? 0 : t.getPercent())
                    + "|"
                    + t.getTag()
                    + "|"
                    + Boolean.TRUE.equals(t.getLatestRevision()))
        .toList();
  }
}
