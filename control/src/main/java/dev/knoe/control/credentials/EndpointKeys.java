package dev.knoe.control.credentials;

/**
 * The two keys of an endpoint with {@code auth_mode: key}; either one is accepted, so a client can
 * move to the secondary while the primary is regenerated.
 */
public record EndpointKeys(String primaryKey, String secondaryKey) {

  public static EndpointKeys generate() {
    return new EndpointKeys(Secrets.newKey(), Secrets.newKey());
  }

  public EndpointKeys regenerate(String keyType) {
    return switch (keyType.toLowerCase()) {
      case "primary" -> new EndpointKeys(Secrets.newKey(), secondaryKey);
      case "secondary" -> new EndpointKeys(primaryKey, Secrets.newKey());
      default ->
          throw new IllegalArgumentException(
              "key_type '" + keyType + "' must be primary or secondary");
    };
  }

  /** Digests for the router, which never holds the keys themselves. */
  public byte[][] digests() {
    return new byte[][] {Secrets.sha256(primaryKey), Secrets.sha256(secondaryKey)};
  }

  @Override
  public String toString() {
    return "EndpointKeys[redacted]";
  }
}
