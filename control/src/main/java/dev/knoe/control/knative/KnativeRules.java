package dev.knoe.control.knative;

import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.TrafficTarget;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules Knative's admission webhook enforces on a Service that its CRD schema does not express:
 * names are DNS labels, a revision name starts with {@code <service>-}, traffic percentages sum to
 * 100, tags are unique, each target names exactly one revision source.
 */
public final class KnativeRules {

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  private KnativeRules() {}

  /** What Knative would refuse in {@code service}; empty when it is acceptable. */
  public static List<String> problems(Service service) {
    List<String> problems = new ArrayList<>();
    String name = service.getMetadata().getName();
    label(problems, "metadata.name", name);
    String prefix = name + "-";
    var template = service.getSpec().getTemplate();
    if (template != null
        && template.getMetadata() != null
        && template.getMetadata().getName() != null) {
      String revision = template.getMetadata().getName();
      if (!revision.startsWith(prefix)) {
        problems.add(
            "spec.template.metadata.name '" + revision + "' must start with '" + prefix + "'");
      }
      label(problems, "spec.template.metadata.name", revision);
    }
    List<TrafficTarget> traffic =
        service.getSpec().getTraffic() == null ? List.of() : service.getSpec().getTraffic();
    long sum = 0;
    Set<String> tags = new HashSet<>();
    for (int i = 0; i < traffic.size(); i++) {
      TrafficTarget t = traffic.get(i);
      String at = "spec.traffic[" + i + "]";
      boolean latest = Boolean.TRUE.equals(t.getLatestRevision());
      int sources =
          (t.getRevisionName() != null ? 1 : 0)
              + (t.getConfigurationName() != null ? 1 : 0)
              + (latest ? 1 : 0);
      if (sources != 1) {
        problems.add(
            at + " must name exactly one of revisionName, configurationName, latestRevision: true");
      }
      if (t.getRevisionName() != null && !t.getRevisionName().startsWith(prefix)) {
        problems.add(
            at + ".revisionName '" + t.getRevisionName() + "' must start with '" + prefix + "'");
      }
      long percent = t.getPercent() == null ? 0 : t.getPercent();
      if (percent < 0 || percent > 100) {
        problems.add(at + ".percent = " + percent + ", must be between 0 and 100");
      }
      sum += percent;
      if (t.getTag() != null) {
        label(problems, at + ".tag", t.getTag());
        if (!tags.add(t.getTag())) {
          problems.add(at + ".tag '" + t.getTag() + "' is used twice");
        }
        // The tag's host is <tag>-<service>: one DNS label.
        if ((t.getTag() + "-" + name).length() > KnativeNames.MAX) {
          problems.add(
              at
                  + ".tag '"
                  + t.getTag()
                  + "' makes the host label '"
                  + t.getTag()
                  + "-"
                  + name
                  + "' longer than 63 characters");
        }
      }
    }
    if (!traffic.isEmpty() && sum != 100) {
      problems.add("spec.traffic percentages sum to " + sum + ", must be 100");
    }
    return problems;
  }

  private static void label(List<String> problems, String at, String value) {
    if (value == null || value.length() > KnativeNames.MAX || !DNS_LABEL.matcher(value).matches()) {
      problems.add(
          at
              + " '"
              + value
              + "' is not a DNS label (lowercase letters, digits and '-', at most 63)");
    }
  }
}
