package dev.knoe.control.spec;

import java.util.Locale;
import java.util.Optional;

/** How clients of an endpoint authenticate. */
public enum AuthMode {
  /** A primary and a secondary key, either accepted as {@code Authorization: Bearer <key>}. */
  KEY("key"),
  /** Short-lived RS256 tokens whose audience is the endpoint. */
  AML_TOKEN("aml_token");

  private final String value;

  AuthMode(String value) {
    this.value = value;
  }

  /** The YAML value: {@code key} or {@code aml_token}. */
  public String value() {
    return value;
  }

  /** {@code key}, {@code aml_token} or its alias {@code token}, in any case. */
  public static Optional<AuthMode> fromValue(String value) {
    switch (value.toLowerCase(Locale.ROOT)) {
      case "key":
        return Optional.of(KEY);
      case "aml_token":
      case "token":
        return Optional.of(AML_TOKEN);
      default:
        return Optional.empty();
    }
  }
}
