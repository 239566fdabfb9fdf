package dev.knoe.control.cluster;

import dev.knoe.control.credentials.EndpointKeys;
import dev.knoe.control.knative.KnativeRenderer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * The files of an endpoint's auth Secret, in the one format both sides use: the reconciler writes
 * them, the scoring function reads them ({@code KNOE_KEYS_FILE}: one key per line; {@code
 * KNOE_EVENTS_TOKEN_FILE}: the token in the path Triggers deliver to) and the control API shows the
 * keys.
 */
public final class AuthSecrets {

  /** The key of the keys file in the Secret's data. */
  public static final String KEYS_FILE = KnativeRenderer.KEYS_FILE;

  /** The key of the events token in the Secret's data (what KNOE_EVENTS_TOKEN_FILE points at). */
  public static final String EVENTS_TOKEN_FILE = KnativeRenderer.EVENTS_TOKEN_FILE;

  private AuthSecrets() {}

  /** A new events token, base64 as Secret data holds it. */
  public static String newEventsTokenData() {
    return Base64.getEncoder()
        .encodeToString(
            dev.knoe.control.credentials.Secrets.newKey().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The events token in a Secret's data, the one Triggers deliver to: the file's first token (a
   * second line, during a rotation, is the previous one, which pods still accept); empty when it
   * has none yet.
   */
  public static Optional<String> eventsToken(Map<String, String> data) {
    if (data == null || data.get(EVENTS_TOKEN_FILE) == null) {
      return Optional.empty();
    }
    String file =
        new String(Base64.getDecoder().decode(data.get(EVENTS_TOKEN_FILE)), StandardCharsets.UTF_8);
    return file.lines()
        .map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#"))
        .findFirst();
  }

  /** The file's content, base64 as Secret data holds it: primary, then secondary. */
  public static String keysData(EndpointKeys keys) {
    String file = keys.primaryKey() + "\n" + keys.secondaryKey() + "\n";
    return Base64.getEncoder().encodeToString(file.getBytes(StandardCharsets.UTF_8));
  }

  /** The keys in a Secret's data; empty when it has no keys file. */
  public static Optional<EndpointKeys> keys(Map<String, String> data) {
    if (data == null || data.get(KEYS_FILE) == null) {
      return Optional.empty();
    }
    String[] lines =
        new String(Base64.getDecoder().decode(data.get(KEYS_FILE)), StandardCharsets.UTF_8)
            .strip()
            .split("\\s*\\n\\s*");
    return Optional.of(new EndpointKeys(lines[0], lines.length > 1 ? lines[1] : ""));
  }
}
