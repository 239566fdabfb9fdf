package dev.knoe.control.knative;

import dev.knoe.control.credentials.Secrets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every Kubernetes name Knoe gives, from one place. Knoe names allow capitals and 32 characters;
 * Kubernetes wants DNS labels (lowercase, at most 63), and Knative wants a revision name to start
 * with its Service's name. A name that had capitals gets a short hash of the original, so {@code
 * Blue} and {@code blue} never meet.
 */
public final class KnativeNames {

  /** Longest DNS label. */
  public static final int MAX = 63;

  private KnativeNames() {}

  /** The Knative Service of an endpoint, e.g. {@code my-endpoint}. */
  public static String service(String endpoint) {
    return label(endpoint);
  }

  /**
   * The fixed revision name of one generation of a deployment, {@code
   * <service>-<deployment>-<life>-<generation>}, e.g. {@code my-endpoint-blue-7f3a2-3}; the
   * deployment part is shortened (with a hash) when the whole would pass 63 characters.
   *
   * <p>The life tells one life of a deployment from the next: the first five hex digits of its
   * OnlineDeployment's uid ({@link #life}). A deployment deleted and created again starts at
   * generation 1 again, and Knative keeps revisions that lost their route ({@code config-gc} keeps
   * the 20 newest at least): a name without the life would find the earlier life's revision, its
   * old model, Ready.
   *
   * @param uid the OnlineDeployment's uid; null only where none exists yet ({@code knoe render}'s
   *     preview, named without the life)
   */
  public static String revision(String endpoint, String deployment, String uid, long generation) {
    String prefix = service(endpoint) + "-";
    String suffix = (uid == null ? "" : "-" + life(uid)) + "-" + generation;
    String dep = label(deployment);
    if (prefix.length() + dep.length() + suffix.length() > MAX) {
      String hash = hash(deployment, 4);
      int keep = Math.max(1, MAX - prefix.length() - suffix.length() - hash.length() - 1);
      dep = trimDash(dep.substring(0, Math.min(keep, dep.length()))) + "-" + hash;
    }
    return prefix + dep + suffix;
  }

  /**
   * A regular expression (RE2, as Prometheus' {@code =~} takes it, anchored at both ends) matching
   * the names of every revision of a deployment, whatever its life and generation below a million,
   * e.g. {@code my-endpoint-blue-[0-9a-f]{5}-[0-9]+}; no other deployment's revision matches it (a
   * deployment {@code blue-2}'s names have another part before the life). A long name shortened
   * differently by the generation's digits gets one alternative per number of digits.
   */
  public static String revisionPattern(String endpoint, String deployment) {
    Map<String, StringBuilder> digitsByHead = new LinkedHashMap<>();
    for (int digits = 1; digits <= 6; digits++) {
      long generation = (long) Math.pow(10, digits - 1);
      String tail = "-00000-" + generation;
      String name = revision(endpoint, deployment, "00000", generation);
      String head = name.substring(0, name.length() - tail.length());
      digitsByHead.computeIfAbsent(head, h -> new StringBuilder()).append(digits);
    }
    // Names are DNS labels ([a-z0-9-]): nothing in them needs quoting in a regular expression.
    if (digitsByHead.size() == 1) {
      return digitsByHead.keySet().iterator().next() + "-[0-9a-f]{5}-[0-9]+";
    }
    List<String> alternatives = new ArrayList<>();
    digitsByHead.forEach(
        (head, digits) -> {
          String counts =
              digits.length() == 1
                  ? "{" + digits + "}"
                  : "{" + digits.charAt(0) + "," + digits.charAt(digits.length() - 1) + "}";
          alternatives.add(head + "-[0-9a-f]{5}-[0-9]" + counts);
        });
    return String.join("|", alternatives);
  }

  /** The life part of revision names: the first five hex digits of the OnlineDeployment's uid. */
  static String life(String uid) {
    String hex = uid.replace("-", "").toLowerCase(Locale.ROOT);
    return hex.substring(0, Math.min(5, hex.length()));
  }

  /**
   * The traffic tag of a deployment of an endpoint: its name as a DNS label, shortened (with a
   * hash) when the tag's host label {@code <tag>-<service>} would pass 63 characters.
   */
  public static String tag(String endpoint, String deployment) {
    String tag = label(deployment);
    int room = MAX - service(endpoint).length() - 1;
    if (tag.length() > room) {
      String hash = hash(deployment, 4);
      tag = trimDash(tag.substring(0, Math.max(1, room - hash.length() - 1))) + "-" + hash;
    }
    return tag;
  }

  /** The OnlineEndpoint custom resource of an endpoint (its spec keeps the Knoe name). */
  public static String endpointResource(String endpoint) {
    return service(endpoint);
  }

  /**
   * The OnlineDeployment custom resource of a deployment: {@code <service>-<deployment>}, shortened
   * like a revision.
   */
  public static String deploymentResource(String endpoint, String deployment) {
    String r = revision(endpoint, deployment, null, 0);
    return r.substring(0, r.length() - 2);
  }

  /**
   * The revision that answers 404 while no deployment has traffic (Knative needs 100 % somewhere).
   */
  public static String noTrafficRevision(String endpoint) {
    return service(endpoint) + "-no-traffic";
  }

  /** The Secret with the endpoint's keys and token verification key, mounted by every revision. */
  public static String authSecret(String endpoint) {
    return service(endpoint) + "-auth";
  }

  /**
   * The ConfigMap with the endpoint's mirror rule, mounted by every revision (changing it makes no
   * revision).
   */
  public static String routingConfigMap(String endpoint) {
    return service(endpoint) + "-routing";
  }

  /** A Trigger of an endpoint: its broker and a hash of its filter, stable while they are. */
  public static String trigger(String endpoint, String broker, Map<String, String> filter) {
    String h = hash(broker + "|" + new TreeMap<>(filter), 6);
    String base = service(endpoint) + "-" + label(broker);
    if (base.length() + 1 + h.length() > MAX) {
      base = trimDash(base.substring(0, MAX - 1 - h.length()));
    }
    return base + "-" + h;
  }

  /** {@code name} as a DNS label: lowercase, with a hash of the original when that changed it. */
  static String label(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.equals(name) ? name : lower + "-" + hash(name, 4);
  }

  private static String trimDash(String s) {
    return s.endsWith("-") ? s.substring(0, s.length() - 1) : s;
  }

  static String hash(String s, int hexChars) {
    return HexFormat.of().formatHex(Secrets.sha256(s)).substring(0, hexChars);
  }
}
