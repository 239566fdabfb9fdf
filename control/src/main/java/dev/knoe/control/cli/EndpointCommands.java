package dev.knoe.control.cli;

import static dev.knoe.control.cli.ControlApi.path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.knoe.control.cli.ControlApi.Reply;
import dev.knoe.control.knative.KnativeNames;
import dev.knoe.control.spec.EndpointSpec;
import dev.knoe.control.spec.Parsed;
import dev.knoe.control.spec.SpecWriter;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code knoe online-endpoint ...}, as {@code az ml online-endpoint}. */
@Command(
    name = "online-endpoint",
    mixinStandardHelpOptions = true,
    description = "Manage online endpoints: stable scoring addresses with auth and traffic rules.",
    subcommands = {
      EndpointCommands.Create.class,
      EndpointCommands.Update.class,
      EndpointCommands.Show.class,
      EndpointCommands.ListEndpoints.class,
      EndpointCommands.Delete.class,
      EndpointCommands.Invoke.class,
      EndpointCommands.GetCredentials.class,
      EndpointCommands.RegenerateKeys.class,
      EndpointCommands.Metrics.class
    })
final class EndpointCommands implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw KnoeCommand.missingSubcommand(spec);
  }

  static String endpointPath(String name) {
    return path("endpoints", name);
  }

  static String what(String name) {
    return "endpoint '" + name + "'";
  }

  /**
   * After a create or update was accepted: the server's warnings on stderr, the wait for Succeeded
   * (see {@link #awaitEndpoint}), and the endpoint on stdout.
   */
  static int finish(
      ApiOptions api,
      ControlApi client,
      JsonNode accepted,
      String name,
      WaitOptions wait,
      OutputOptions output) {
    CliContext ctx = api.context();
    Specs.warnFromServer(ctx.err(), accepted);
    JsonNode view = awaitEndpoint(api, client, accepted, name, wait);
    output.print(ctx, view, OutputFormat.yaml, Tables.ENDPOINTS);
    return 0;
  }

  /**
   * Endpoints answer Succeeded at once with the local backend; one that is still Creating or
   * Updating (a cluster) is waited for like a deployment.
   */
  static JsonNode awaitEndpoint(
      ApiOptions api, ControlApi client, JsonNode view, String name, WaitOptions wait) {
    String state = Json.text(view, "provisioning_state");
    if (wait.noWait || state == null || state.equals("Succeeded")) {
      return view;
    }
    return new Waiter(api.context())
        .await(
            what(name),
            view,
            () -> client.getJson(endpointPath(name)),
            wait.timeout(),
            "knoe online-endpoint show -n " + name);
  }

  /**
   * Reads the endpoint and writes back the spec that {@code change} makes of the answer, with
   * {@code If-Match}, so a concurrent change is refused, never lost.
   */
  static Reply update(ControlApi client, String endpoint, Function<Reply, EndpointSpec> change) {
    String path = endpointPath(endpoint);
    Reply current = client.get(path);
    EndpointSpec spec = change.apply(current);
    return client.put(path, SpecWriter.endpoint(spec), current.etag(), what(endpoint));
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Create an endpoint from a YAML or JSON file, or from a name alone (key auth, no traffic).",
        "Fails if it exists: change it with 'update'."
      })
  static final class Create implements Callable<Integer> {

    @Option(
        names = {"-f", "--file"},
        paramLabel = "FILE",
        description = "endpoint.yml (or .json)")
    Path file;

    @Option(
        names = {"-n", "--name"},
        paramLabel = "NAME",
        description = "The endpoint's name; overrides the file's.")
    String name;

    @Option(
        names = "--set",
        paramLabel = "KEY=VALUE",
        description = "Override a field, e.g. --set auth_mode=aml_token (repeatable).")
    List<String> sets = new ArrayList<>();

    @Mixin WaitOptions wait;
    @Mixin ApiOptions api;
    @Mixin OutputOptions output;

    @Override
    public Integer call() {
      if (file == null && name == null) {
        throw CliException.usage("give the endpoint as -f/--file FILE or -n/--name NAME");
      }
      CliContext ctx = api.context();
      Parsed<EndpointSpec> parsed =
          file != null
              ? Specs.endpoint(file, Specs.sets(sets, "name", name))
              : Specs.endpoint(Json.MAPPER.createObjectNode().put("name", name), sets);
      Specs.warn(ctx.err(), file == null ? null : file.toString(), parsed.warnings());
      ControlApi client = api.connect();
      JsonNode accepted = client.post(path("endpoints"), SpecWriter.endpoint(parsed.spec())).json();
      return finish(api, client, accepted, parsed.spec().name(), wait, output);
    }
  }

  @Command(
      name = "update",
      mixinStandardHelpOptions = true,
      description = {
        "Update an endpoint: from a file, or by changing its traffic or fields in place.",
        "Reads the endpoint and writes it back with If-Match, so a concurrent change is refused,"
            + " never lost."
      })
  static final class Update implements Callable<Integer> {

    @Option(
        names = {"-f", "--file"},
        paramLabel = "FILE",
        description = "endpoint.yml with the whole new spec.")
    Path file;

    @Option(
        names = {"-n", "--name"},
        paramLabel = "NAME",
        description = "The endpoint; overrides the file's name.")
    String name;

    @Option(
        names = "--traffic",
        paramLabel = "\"NAME=PERCENT ...\"",
        description =
            "The new traffic split, replacing the current one, e.g. \"blue=90 green=10\"; the"
                + " percentages sum to 100 (or 0).")
    String traffic;

    @Option(
        names = "--mirror-traffic",
        paramLabel = "\"NAME=PERCENT\"",
        description =
            "The new mirror, e.g. \"green=10\" (at most 50, to a deployment without live traffic);"
                + " \"green=0\" stops it.")
    String mirrorTraffic;

    @Option(
        names = "--set",
        paramLabel = "KEY=VALUE",
        description = "Override a field, e.g. --set tags.team=fraud (repeatable).")
    List<String> sets = new ArrayList<>();

    @Mixin WaitOptions wait;
    @Mixin ApiOptions api;
    @Mixin OutputOptions output;

    @Override
    public Integer call() {
      Map<String, Integer> newTraffic = Specs.traffic("--traffic", traffic);
      Map<String, Integer> newMirror = Specs.traffic("--mirror-traffic", mirrorTraffic);
      if (file == null && name == null) {
        throw CliException.usage("give the endpoint as -n/--name NAME (or -f/--file FILE)");
      }
      if (file == null && newTraffic == null && newMirror == null && sets.isEmpty()) {
        throw CliException.usage(
            "nothing to update: give --traffic, --mirror-traffic, --set or -f/--file");
      }
      Parsed<EndpointSpec> fromFile =
          file != null ? Specs.endpoint(file, Specs.sets(sets, "name", name)) : null;
      if (fromFile != null) {
        Specs.warn(api.context().err(), file.toString(), fromFile.warnings());
      }
      String endpoint = fromFile != null ? fromFile.spec().name() : name;
      ControlApi client = api.connect();
      Reply accepted =
          update(
              client,
              endpoint,
              current -> {
                EndpointSpec spec =
                    fromFile != null
                        ? fromFile.spec()
                        : Specs.endpoint(current.json(), sets).spec();
                return Specs.withTraffic(spec, newTraffic, newMirror);
              });
      return finish(api, client, accepted.json(), endpoint, wait, output);
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show an endpoint: its spec, state, scoring URI and deployments.")
  static final class Show implements Callable<Integer> {

    @Option(
        names = {"-n", "--name"},
        required = true,
        paramLabel = "NAME")
    String name;

    @Mixin ApiOptions api;
    @Mixin OutputOptions output;

    @Override
    public Integer call() {
      JsonNode view = api.connect().getJson(endpointPath(name));
      output.print(api.context(), view, OutputFormat.yaml, Tables.ENDPOINTS);
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the endpoints.")
  static final class ListEndpoints implements Callable<Integer> {

    @Mixin ApiOptions api;
    @Mixin OutputOptions output;

    @Override
    public Integer call() {
      JsonNode list = api.connect().getJson(path("endpoints"));
      output.print(api.context(), list, OutputFormat.table, Tables.ENDPOINTS);
      return 0;
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = "Delete an endpoint with its deployments.")
  static final class Delete implements Callable<Integer> {

    @Option(
        names = {"-n", "--name"},
        required = true,
        paramLabel = "NAME")
    String name;

    @Mixin DeleteOptions azure;
    @Mixin ApiOptions api;

    @Override
    public Integer call() {
      api.connect().delete(endpointPath(name));
      api.context().err().println("Deleted " + what(name) + ".");
      return 0;
    }
  }

  @Command(
      name = "invoke",
      mixinStandardHelpOptions = true,
      description = {
        "Score a request on an endpoint and print the answer.",
        "Gets the endpoint's key (or a token for aml_token endpoints) itself."
      })
  static final class Invoke implements Callable<Integer> {

    @Option(
        names = {"-n", "--name"},
        required = true,
        paramLabel = "NAME")
    String name;

    @Option(
        names = "--request-file",
        required = true,
        paramLabel = "FILE",
        description = "The request body, e.g. {\"data\": [[...]]}.")
    Path requestFile;

    @Option(
        names = {"--deployment", "--deployment-name", "-d"},
        paramLabel = "NAME",
        description =
            "Send to this deployment, bypassing the traffic rules (azureml-model-deployment;"
                + " Knative-Serving-Tag on a cluster).")
    String deployment;

    @Mixin ApiOptions api;

    @Override
    public Integer call() {
      CliContext ctx = api.context();
      byte[] body = readRequest(requestFile);
      ControlApi client = api.connect();
      JsonNode view = client.getJson(endpointPath(name));
      String credential = credential(client, name, view);
      String scoringUri = Json.text(view, "scoring_uri");
      URI uri =
          URI.create(
              scoringUri != null
                  ? scoringUri
                  : client.server().url() + "/endpoints/" + name + "/score");
      var request =
          HttpRequest.newBuilder(uri)
              .header("Authorization", "Bearer " + credential)
              .header("Content-Type", "application/json")
              .POST(BodyPublishers.ofByteArray(body));
      if (deployment != null) {
        // Knoe's router reads Azure's header; on a cluster Knative routes by its tag header.
        request.header("azureml-model-deployment", deployment);
        request.header("Knative-Serving-Tag", KnativeNames.tag(name, deployment));
      }
      Reply reply = client.call(request, uri.toString());
      if (!reply.ok()) {
        throw CliException.failed(
            "scoring on "
                + what(name)
                + " failed with HTTP "
                + reply.status()
                + ": "
                + reply.errorMessage());
      }
      ctx.printText(reply.text());
      return 0;
    }

    private static byte[] readRequest(Path file) {
      try {
        return Files.readAllBytes(file);
      } catch (NoSuchFileException e) {
        throw CliException.failed("request file " + file + " does not exist", e);
      } catch (IOException e) {
        throw CliException.failed("cannot read request file " + file + ": " + e.getMessage(), e);
      }
    }

    /** The primary key of a key endpoint, a fresh token for an aml_token one. */
    private static String credential(ControlApi client, String name, JsonNode view) {
      if (isTokenAuth(view)) {
        return Json.text(client.post(endpointPath(name) + "/token", null).json(), "accessToken");
      }
      return Json.text(client.getJson(endpointPath(name) + "/keys"), "primaryKey");
    }
  }

  static boolean isTokenAuth(JsonNode view) {
    String mode = Json.text(view, "auth_mode");
    return "aml_token".equals(mode) || "token".equals(mode);
  }

  @Command(
      name = "get-credentials",
      mixinStandardHelpOptions = true,
      description = {
        "Print an endpoint's credentials: primaryKey and secondaryKey (auth_mode key),",
        "or accessToken, expiryTimeUtc and refreshAfterTimeUtc (auth_mode aml_token)."
      })
  static final class GetCredentials implements Callable<Integer> {

    @Option(
        names = {"-n", "--name"},
        required = true,
        paramLabel = "NAME")
    String name;

    @Mixin ApiOptions api;
    @Mixin OutputOptions output;

    @Override
    public Integer call() {
      ControlApi client = api.connect();
      JsonNode view = client.getJson(endpointPath(name));
      boolean token = isTokenAuth(view);
      JsonNode credentials =
          token
              ? client.post(endpointPath(name) + "/token", null).json()
              : client.getJson(endpointPath(name) + "/keys");
      output.print(
          api.context(), credentials, OutputFormat.yaml, token ? Tables.TOKEN : Tables.KEYS);
      return 0;
    }
  }

  /** {@code --key-type}. */
  enum KeyType {
    primary,
    secondary
  }

  @Command(
      name = "regenerate-keys",
      mixinStandardHelpOptions = true,
      description = {
        "Replace one key of a key-auth endpoint; the old key is refused at once.",
        "Prints nothing on stdout: read the new key with 'get-credentials'."
      })
  static final class RegenerateKeys implements Callable<Integer> {

    @Option(
        names = {"-n", "--name"},
        required = true,
        paramLabel = "NAME")
    String name;

    @Option(
        names = "--key-type",
        paramLabel = "TYPE",
        defaultValue = "primary",
        description = "primary or secondary (default: ${DEFAULT-VALUE}).")
    KeyType keyType;

    @Mixin ApiOptions api;

    @Override
    public Integer call() {
      api.connect()
          .post(endpointPath(name) + "/keys/regenerate", Map.of("key_type", keyType.name()));
      api.context()
          .err()
          .println(
              "Regenerated the "
                  + keyType
                  + " key of "
                  + what(name)
                  + "; read it with 'knoe online-endpoint get-credentials -n "
                  + name
                  + "'.");
      return 0;
    }
  }

  @Command(
      name = "metrics",
      mixinStandardHelpOptions = true,
      description = {
        "Print an endpoint's figures per deployment and interval, as 'az monitor metrics list':",
        "requests/s, p50 and p99 latency (ms), 4xx/s and 5xx/s, instances ready and wanted,",
        "requests held and cold starts. Locally kept by knoe serve for 15 minutes; on a cluster",
        "read from its Prometheus (the chart's metrics.prometheusUrl), else it says where they are."
      })
  static final class Metrics implements Callable<Integer> {

    @Option(
        names = {"-n", "--name"},
        required = true,
        paramLabel = "NAME")
    String name;

    @Option(
        names = "--window",
        paramLabel = "DURATION",
        defaultValue = "15m",
        description =
            "How far back: 15m, 5m, 90s or PT5M (default: ${DEFAULT-VALUE}; at most 15m"
                + " locally).")
    String window;

    @Option(
        names = "--interval",
        paramLabel = "DURATION",
        defaultValue = "1m",
        description =
            "One row per deployment and interval: 1m, 30s, PT1M (default: ${DEFAULT-VALUE}).")
    String interval;

    @Mixin ApiOptions api;
    @Mixin OutputOptions output;

    @Override
    public Integer call() {
      CliContext ctx = api.context();
      JsonNode figures =
          api.connect()
              .getJson(
                  endpointPath(name)
                      + "/metrics?window="
                      + URLEncoder.encode(window, StandardCharsets.UTF_8)
                      + "&step="
                      + URLEncoder.encode(interval, StandardCharsets.UTF_8));
      OutputFormat format = output.format != null ? output.format : OutputFormat.table;
      if (format != OutputFormat.table) {
        output.print(ctx, figures, format, Tables.METRICS);
        return 0;
      }
      String message = Json.text(figures, "message");
      if (message != null) {
        ctx.err().println(message);
      }
      if ("none".equals(Json.text(figures, "source"))) {
        return 0;
      }
      output.print(ctx, rows(figures), OutputFormat.table, Tables.METRICS);
      return 0;
    }

    /** One row per deployment and step, oldest first, with the API's series names. */
    static ArrayNode rows(JsonNode figures) {
      ArrayNode rows = Json.MAPPER.createArrayNode();
      JsonNode timestamps = figures.path("timestamps");
      figures
          .path("deployments")
          .fields()
          .forEachRemaining(
              d -> {
                for (int k = 0; k < timestamps.size(); k++) {
                  ObjectNode row = rows.addObject();
                  row.put("deployment", d.getKey());
                  row.put(
                      "timestamp", Instant.ofEpochSecond(timestamps.get(k).asLong()).toString());
                  int step = k;
                  d.getValue()
                      .fields()
                      .forEachRemaining(
                          series -> row.set(series.getKey(), series.getValue().get(step)));
                }
              });
      return rows;
    }
  }
}
