package dev.knoe.control.spec;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** The known key closest to a mistyped one, when it is close enough to be the likely intent. */
final class Suggest {

  private Suggest() {}

  /**
   * Compares keys without case, {@code _} and {@code -}, so {@code maxInstances} finds {@code
   * max_instances}; then allows one edit per three characters, at most three: {@code max_instance}
   * (1 edit) finds {@code max_instances}, {@code image} (2 edits from {@code name}, 5 characters)
   * finds nothing.
   */
  static Optional<String> closest(String key, Collection<String> candidates) {
    String k = normal(key);
    int allowed = Math.min(3, Math.max(1, k.length() / 3));
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = distance(k, normal(c));
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return bestDistance <= allowed ? Optional.ofNullable(best) : Optional.empty();
  }

  private static String normal(String key) {
    return key.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] t = previous;
      previous = current;
      current = t;
    }
    return previous[b.length()];
  }
}
