package dev.knoe.control.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.knoe.control.spec.DeploymentSpec;
import dev.knoe.control.spec.EndpointSpec;
import dev.knoe.control.spec.Parsed;
import dev.knoe.control.spec.SpecException;
import dev.knoe.control.spec.SpecParser;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Specs on the CLI side: parsed by {@link SpecParser} (so relative paths resolve against the file's
 * folder, here, before the JSON goes to the server), re-read from the API's views for {@code
 * update} without {@code -f}, and the flags that override their fields.
 */
final class Specs {

  private Specs() {}

  static Parsed<EndpointSpec> endpoint(Path file, List<String> sets) {
    try {
      return SpecParser.endpoint(file, sets);
    } catch (SpecException e) {
      throw CliException.failed(file + ": " + e.getMessage(), e);
    }
  }

  static Parsed<EndpointSpec> endpoint(JsonNode view, List<String> sets) {
    try {
      return SpecParser.endpoint(tree(view, SpecParser.ENDPOINT_KEYS), null, sets);
    } catch (SpecException e) {
      throw CliException.failed(e.getMessage(), e);
    }
  }

  static Parsed<DeploymentSpec> deployment(Path file, List<String> sets) {
    try {
      return SpecParser.deployment(file, sets);
    } catch (SpecException e) {
      throw CliException.failed(file + ": " + e.getMessage(), e);
    }
  }

  static Parsed<DeploymentSpec> deployment(JsonNode view, List<String> sets) {
    try {
      return SpecParser.deployment(tree(view, SpecParser.DEPLOYMENT_KEYS), null, sets);
    } catch (SpecException e) {
      throw CliException.failed(e.getMessage(), e);
    }
  }

  /** An endpoint with other traffic rules; null keeps the current ones. */
  static EndpointSpec withTraffic(
      EndpointSpec spec, Map<String, Integer> traffic, Map<String, Integer> mirror) {
    try {
      return new EndpointSpec(
          spec.name(),
          spec.authMode(),
          spec.description(),
          spec.tags(),
          traffic != null ? traffic : spec.traffic(),
          mirror != null ? mirror : spec.mirrorTraffic(),
          spec.triggers());
    } catch (SpecException e) {
      throw CliException.failed("endpoint '" + spec.name() + "': " + e.getMessage(), e);
    }
  }

  /**
   * {@code --traffic "blue=90 green=10"} (or {@code --mirror-traffic}) as a map; null when the flag
   * is absent. Bad syntax is a usage error.
   */
  static Map<String, Integer> traffic(String flag, String text) {
    if (text == null) {
      return null;
    }
    try {
      return SpecParser.parseTraffic(text);
    } catch (SpecException e) {
      throw CliException.usage(flag + " \"" + text + "\": " + e.getMessage());
    }
  }

  /**
   * The {@code --set} overrides followed by {@code key=value} for a flag that names the resource
   * ({@code -n}, {@code -e}), which therefore wins over the file, as in the Azure CLI; the value is
   * quoted so that a name such as {@code null} stays a string.
   */
  static List<String> sets(List<String> sets, String key, String value) {
    var all = new ArrayList<>(sets);
    if (value != null) {
      all.add(key + "=\"" + value + "\"");
    }
    return all;
  }

  /** Local parse warnings (Azure keys Knoe ignores), and the server's, on stderr. */
  static void warn(PrintWriter err, String source, List<String> warnings) {
    for (String w : warnings) {
      KnoeCommand.warning(err, source == null ? w : source + ": " + w);
    }
  }

  static void warnFromServer(PrintWriter err, JsonNode view) {
    JsonNode warnings = view.get("warnings");
    if (warnings != null && warnings.isArray()) {
      warnings.forEach(w -> KnoeCommand.warning(err, w.asText()));
    }
  }

  /** The spec in an API view: its {@code keys}, without the status around them. */
  private static Map<String, Object> tree(JsonNode view, List<String> keys) {
    Map<String, Object> all = Json.toMap(view);
    var spec = new LinkedHashMap<String, Object>();
    for (String key : keys) {
      Object value = all.get(key);
      if (value != null) {
        spec.put(key, value);
      }
    }
    return spec;
  }
}
