package dev.knoe.control.spec;

import java.util.Locale;
import java.util.Optional;

/** The two syntaxes a spec may be written in. */
public enum Format {
  YAML("application/yaml"),
  JSON("application/json");

  private final String mediaType;

  Format(String mediaType) {
    this.mediaType = mediaType;
  }

  /** The media type to send or answer with. */
  public String mediaType() {
    return mediaType;
  }

  /**
   * The format a Content-Type names: {@code application/yaml}, {@code application/x-yaml}, {@code
   * text/yaml}, {@code text/x-yaml} and {@code *+yaml} are YAML; {@code application/json} and
   * {@code *+json} are JSON; parameters such as {@code charset} are ignored. Empty for anything
   * else (an API may answer 415).
   */
  public static Optional<Format> forMediaType(String contentType) {
    if (contentType == null) {
      return Optional.empty();
    }
    String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    switch (type) {
      case "application/yaml":
      case "application/x-yaml":
      case "text/yaml":
      case "text/x-yaml":
        return Optional.of(YAML);
      case "application/json":
      case "text/json":
        return Optional.of(JSON);
      default:
        if (type.endsWith("+yaml")) {
          return Optional.of(YAML);
        }
        if (type.endsWith("+json")) {
          return Optional.of(JSON);
        }
        return Optional.empty();
    }
  }

  /** The format the Content-Type names, else the one the content looks like ({@link #sniff}). */
  public static Format of(String contentType, byte[] content) {
    return forMediaType(contentType).orElseGet(() -> sniff(content));
  }

  /**
   * JSON when the content (after a byte-order mark and white space) starts like a JSON object,
   * {@code {"} or {@code {}}, or like an array; YAML otherwise, which includes YAML flow style
   * {@code {name: x}}.
   */
  public static Format sniff(byte[] content) {
    int i = 0;
    if (content.length >= 3
        && (content[0] & 0xff) == 0xef
        && (content[1] & 0xff) == 0xbb
        && (content[2] & 0xff) == 0xbf) {
      i = 3;
    }
    i = skipSpace(content, i);
    if (i < content.length && content[i] == '[') {
      return JSON;
    }
    if (i < content.length && content[i] == '{') {
      int j = skipSpace(content, i + 1);
      if (j >= content.length || content[j] == '"' || content[j] == '}') {
        return JSON;
      }
    }
    return YAML;
  }

  /** JSON for a {@code .json} file, YAML for anything else ({@code .yml}, {@code .yaml}). */
  public static Format forFileName(String fileName) {
    return fileName.toLowerCase(Locale.ROOT).endsWith(".json") ? JSON : YAML;
  }

  private static int skipSpace(byte[] content, int i) {
    while (i < content.length
        && (content[i] == ' ' || content[i] == '\t' || content[i] == '\n' || content[i] == '\r')) {
      i++;
    }
    return i;
  }
}
