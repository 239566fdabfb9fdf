package dev.knoe.control.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An endpoint's figures over a window: what {@code GET /api/v1/endpoints/{name}/metrics} answers.
 *
 * @param source {@code local} (this process' router), {@code prometheus} (a cluster's), or {@code
 *     none}
 * @param message where the figures are, when {@code source} is {@code none}; else null
 * @param timestamps the start of each step in epoch seconds, oldest first
 * @param deployments by name, in the order asked; each series as long as {@code timestamps}
 */
public record Figures(
    String endpoint,
    String source,
    String message,
    long windowSeconds,
    long stepSeconds,
    List<Long> timestamps,
    Map<String, DeploymentSeries> deployments) {

  public static final String LOCAL = "local";
  public static final String PROMETHEUS = "prometheus";
  public static final String NONE = "none";

  /**
   * No figures here: the query's timestamps, every deployment empty, and a sentence saying where
   * the figures are.
   */
  public static Figures none(Query q, long endSecond, String message) {
    Map<String, DeploymentSeries> empty = new LinkedHashMap<>();
    q.deployments().forEach(d -> empty.put(d, DeploymentSeries.empty(q.steps())));
    return new Figures(
        q.endpoint(),
        NONE,
        message,
        q.windowSeconds(),
        q.stepSeconds(),
        q.timestamps(endSecond),
        Collections.unmodifiableMap(empty));
  }

  static List<Long> timestamps(long first, int steps, long stepSeconds) {
    List<Long> t = new ArrayList<>(steps);
    for (int k = 0; k < steps; k++) {
      t.add(first + k * stepSeconds);
    }
    return Collections.unmodifiableList(t);
  }
}
