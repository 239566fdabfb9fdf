package dev.knoe.control.cluster;

import dev.knoe.control.credentials.EndpointKeys;
import dev.knoe.control.knative.KnativeRenderer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code keys} file of an endpoint's auth Secret, in the one format both sides use: the
 * reconciler writes it, the scoring function reads it ({@code KNOE_KEYS_FILE}: one key per line)
 * and the control API shows it.
 */
public final class AuthSecrets {

  /** The key of the keys file in the Secret's data. */
  public static final String KEYS_FILE = KnativeRenderer.KEYS_FILE;

  private AuthSecrets() {}

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
    String[] lines = new String(Base64.getDecoder().decode(data.get(KEYS_FILE)), StandardCharsets.UTF_8).strip()
        .split("\\s*\\n\\s*");
    return Optional.of(new EndpointKeys(lines[0], lines.length > 1 ? lines[1] : ""));
  }
}
