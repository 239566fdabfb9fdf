package dev.knoe.control.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Finds the control API and its admin key, so that after {@code knoe serve} every command works
 * without flags.
 *
 * <p>URL: {@code --url}, then {@code KNOE_URL}, then the config file's {@code url}. Admin key:
 * {@code --admin-key}, then {@code KNOE_ADMIN_KEY}, then the config file's {@code admin_key}. The
 * config file is {@code KNOE_CONFIG}, else {@code KNOE_CLI_CONFIG} (the variable {@code knoe serve}
 * itself reads to choose where to write it), else {@code ~/.knoe/config.json}: {@code {"url":
 * "http://127.0.0.1:8500", "admin_key": "..."}}. It is read only when a flag or variable is
 * missing.
 *
 * <p>Trust, for an {@code https://} server: {@code --ca-file}, then {@code KNOE_CA_FILE}, then the
 * config file's {@code ca_cert} (PEM, written by a {@code knoe serve} with TLS; used only for the
 * config's own URL, like its key), else the JDK's trusted CAs. Never "trust anything".
 */
final class ServerLocator {

  private ServerLocator() {}

  /**
   * A control API to call; {@link #toString} leaves the key out.
   *
   * @param caCerts PEM certificates to trust for it, or null for the JDK's trusted CAs
   * @param caSource where {@code caCerts} came from, for messages ({@code --ca-file /x.pem})
   */
  record Server(URI url, String adminKey, String caCerts, String caSource) {

    Server(URI url, String adminKey) {
      this(url, adminKey, null, null);
    }

    @Override
    public String toString() {
      return url.toString();
    }
  }

  static Server locate(String urlFlag, String keyFlag, Map<String, String> env, Path home) {
    return locate(urlFlag, keyFlag, null, env, home);
  }

  /**
   * @param urlFlag {@code --url}, or null
   * @param keyFlag {@code --admin-key}, or null
   * @param caFlag {@code --ca-file}, or null
   * @throws CliException naming what is missing and how to provide it
   */
  static Server locate(
      String urlFlag, String keyFlag, String caFlag, Map<String, String> env, Path home) {
    String url = firstSet(urlFlag, env.get("KNOE_URL"));
    String key = firstSet(keyFlag, env.get("KNOE_ADMIN_KEY"));
    String caFile = firstSet(caFlag, env.get("KNOE_CA_FILE"));
    String ca = null;
    String caSource = null;
    if (caFile != null) {
      caSource = (caFlag != null ? "--ca-file " : "KNOE_CA_FILE ") + caFile;
      ca = readCaFile(Path.of(caFile), caSource);
    }
    Path configFile = configFile(env, home);
    if (url == null || key == null || ca == null) {
      JsonNode config = readConfig(configFile);
      String configUrl = text(config, "url");
      // The file's admin key and CA belong to the file's server: never used for another URL.
      boolean configServer = url == null || configUrl == null || sameServer(url, configUrl);
      if (key == null && configServer) {
        key = text(config, "admin_key");
      }
      if (ca == null && configServer && text(config, "ca_cert") != null) {
        ca = text(config, "ca_cert");
        caSource = "the CA in " + configFile;
      }
      if (url == null) {
        url = configUrl;
      }
    }
    if (url == null) {
      throw CliException.failed(
          "no Knoe control API configured: run 'knoe serve' (it writes "
              + configFile
              + "), or pass --url or set KNOE_URL");
    }
    URI uri = parseUrl(url, urlFlag != null ? "--url" : "KNOE_URL");
    if (key == null) {
      throw CliException.failed(
          "no admin key for "
              + uri
              + ": pass --admin-key, set KNOE_ADMIN_KEY, or run 'knoe serve' (it writes "
              + configFile
              + ")");
    }
    return new Server(uri, key, ca, caSource);
  }

  private static String readCaFile(Path file, String source) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      String message =
          "cannot read "
              + source
              + ": "
              + (e instanceof NoSuchFileException ? "no such file" : e.getMessage());
      throw source.startsWith("--") ? CliException.usage(message) : CliException.failed(message);
    }
  }

  private static boolean sameServer(String a, String b) {
    return a.replaceAll("/+$", "").equalsIgnoreCase(b.replaceAll("/+$", ""));
  }

  static Path configFile(Map<String, String> env, Path home) {
    String file = firstSet(env.get("KNOE_CONFIG"), env.get("KNOE_CLI_CONFIG"));
    return file != null ? Path.of(file) : home.resolve(".knoe").resolve("config.json");
  }

  private static JsonNode readConfig(Path file) {
    try {
      JsonNode config = Json.MAPPER.readTree(Files.readAllBytes(file));
      if (config == null || !config.isObject()) {
        throw CliException.failed("the Knoe config " + file + " is not a JSON object");
      }
      return config;
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw CliException.failed("cannot read the Knoe config " + file + ": " + e.getMessage(), e);
    }
  }

  private static URI parseUrl(String url, String source) {
    String trimmed = url.trim().replaceAll("/+$", "");
    try {
      URI uri = new URI(trimmed);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    String message = "'" + url + "' is not an http:// or https:// URL";
    throw source.equals("--url")
        ? CliException.usage("--url " + message)
        : CliException.failed("the control API URL " + message);
  }

  private static String text(JsonNode config, String field) {
    if (config == null) {
      return null;
    }
    JsonNode v = config.get(field);
    return v != null && v.isTextual() && !v.asText().isBlank() ? v.asText() : null;
  }

  private static String firstSet(String a, String b) {
    if (a != null && !a.isBlank()) {
      return a;
    }
    return b != null && !b.isBlank() ? b : null;
  }
}
