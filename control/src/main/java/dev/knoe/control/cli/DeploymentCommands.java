package dev.knoe.control.cli;

import static dev.knoe.control.cli.ControlApi.path;

import com.fasterxml.jackson.databind.JsonNode;
import dev.knoe.control.cli.ControlApi.Reply;
import dev.knoe.control.spec.DeploymentSpec;
import dev.knoe.control.spec.EndpointSpec;
import dev.knoe.control.spec.Parsed;
import dev.knoe.control.spec.SpecWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code knoe online-deployment ...}, as {@code az ml online-deployment}. */
@Command(
    name = "online-deployment",
    mixinStandardHelpOptions = true,
    description = "Manage deployments: a model and its instances behind an endpoint.",
    subcommands = {
      DeploymentCommands.Create.class,
      DeploymentCommands.Update.class,
      DeploymentCommands.Show.class,
      DeploymentCommands.ListDeployments.class,
      DeploymentCommands.Delete.class,
      DeploymentCommands.GetLogs.class
    })
final class DeploymentCommands implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw KnoeCommand.missingSubcommand(spec);
  }

  static String deploymentPath(String endpoint, String name) {
    return path("endpoints", endpoint, "deployments", name);
  }

  static String what(String endpoint, String name) {
    return "deployment '" + name + "' of endpoint '" + endpoint + "'";
  }

  /** {@code -e/--endpoint} (alias {@code --endpoint-name}). */
  static final class EndpointOption {
    @Option(
        names = {"-e", "--endpoint", "--endpoint-name"},
        paramLabel = "ENDPOINT",
        description = "The endpoint the deployment belongs to.")
    String endpoint;

    String required() {
      if (endpoint == null) {
        throw CliException.usage("give the endpoint: -e/--endpoint NAME");
      }
      return endpoint;
    }
  }

  /**
   * The deployment in {@code file} with the {@code --set} overrides, then {@code -e} and {@code -n}
   * (null when not given), which win over the file; its warnings go to stderr.
   */
  static Parsed<DeploymentSpec> readFile(
      ApiOptions api, Path file, List<String> sets, String endpoint, String name) {
    List<String> all = Specs.sets(Specs.sets(sets, "endpoint_name", endpoint), "name", name);
    Parsed<DeploymentSpec> parsed = Specs.deployment(file, all);
    Specs.warn(api.context().err(), file.toString(), parsed.warnings());
    return parsed;
  }

  /**
   * The deployment as sent. A cluster's pods cannot read a {@code model.path} on this machine, so
   * against a cluster the file is uploaded first as the next version of {@code
   * <endpoint>-<deployment>} (unless a version with the same sha256 is already there, so updating
   * the rest of a deployment makes no new model version) and the deployment refers to it.
   */
  static Map<String, Object> body(CliContext ctx, ControlApi client, DeploymentSpec spec) {
    Map<String, Object> body = new LinkedHashMap<>(SpecWriter.deployment(spec));
    if (!spec.model().isInline() || !onCluster(client)) {
      return body;
    }
    client.get(
        path("endpoints", spec.endpointName())); // a missing endpoint fails before the upload
    String name = spec.endpointName() + "-" + spec.name();
    Path file = ModelCommands.Create.onnxFile(Path.of(spec.model().path()), "model.path");
    String sha256 = ModelCommands.Create.sha256(file);
    String ref = null;
    Reply versions = client.tryGet(path("models", name));
    if (versions.ok()) {
      for (JsonNode v : versions.json()) {
        if (sha256.equals(Json.text(v, "sha256"))) {
          ref = name + ":" + Json.text(v, "version");
        }
      }
    }
    if (ref == null) {
      JsonNode model =
          ModelCommands.Create.upload(
              ctx, client, name, file, "model.path of " + what(spec.endpointName(), spec.name()));
      ref = name + ":" + Json.text(model, "version");
      ctx.err()
          .println("Uploaded " + file + " as model " + ref + " (the cluster's pods download it).");
    } else {
      ctx.err().println("Model " + ref + " already holds " + file + " (same sha256).");
    }
    ctx.err().flush();
    body.put("model", ref);
    return body;
  }

  /** Whether the server runs endpoints on a cluster (an older server without the call is local). */
  static boolean onCluster(ControlApi client) {
    Reply platform = client.tryGet(path("platform"));
    return platform.ok() && "knative".equals(Json.text(platform.json(), "backend"));
  }

  /**
   * After a create or update was accepted: waits for Succeeded with progress on stderr (unless
   * {@code --no-wait}), moves all traffic to the deployment if asked, and prints it.
   */
  static int finish(
      ApiOptions api,
      ControlApi client,
      JsonNode accepted,
      DeploymentSpec spec,
      WaitOptions wait,
      boolean allTraffic,
      OutputOptions output) {
    CliContext ctx = api.context();
    Specs.warnFromServer(ctx.err(), accepted);
    JsonNode view = accepted;
    if (!wait.noWait) {
      String endpoint = spec.endpointName();
      String name = spec.name();
      view =
          new Waiter(ctx)
              .await(
                  what(endpoint, name),
                  accepted,
                  () -> client.getJson(deploymentPath(endpoint, name)),
                  wait.timeout(),
                  "knoe online-deployment show -e " + endpoint + " -n " + name);
      if (allTraffic) {
        routeAllTraffic(api, client, endpoint, name, wait);
      }
    }
    output.print(ctx, view, OutputFormat.yaml, Tables.DEPLOYMENTS);
    return 0;
  }

  /**
   * {@code --all-traffic}: the endpoint's traffic becomes {@code {name: 100}}, and a mirror to this
   * deployment stops (a deployment with live traffic is never a mirror target).
   */
  static void routeAllTraffic(
      ApiOptions api, ControlApi client, String endpoint, String name, WaitOptions wait) {
    CliContext ctx = api.context();
    Reply updated =
        EndpointCommands.update(
            client,
            endpoint,
            current -> {
              EndpointSpec spec = Specs.endpoint(current.json(), List.of()).spec();
              Map<String, Integer> mirror = new LinkedHashMap<>(spec.mirrorTraffic());
              mirror.remove(name);
              return Specs.withTraffic(spec, Map.of(name, 100), mirror);
            });
    // On a cluster the move takes effect once Knative's routes are ready.
    EndpointCommands.awaitEndpoint(api, client, updated.json(), endpoint, wait);
    ctx.err().println("Endpoint '" + endpoint + "' now sends all its traffic to '" + name + "'.");
    ctx.err().flush();
  }

  static void checkAllTraffic(boolean allTraffic, WaitOptions wait) {
    if (allTraffic && wait.noWait) {
      throw CliException.usage(
          "--all-traffic moves traffic once the deployment has succeeded, so it needs the wait"
              + " that --no-wait skips");
    }
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Create a deployment from a YAML or JSON file and wait until its instances are ready.",
        "Relative paths in the file (model.path, code_configuration.code) resolve against its"
            + " folder. Fails if it exists: change it with 'update'."
      })
  static final class Create implements Callable<Integer> {

    @Option(
        names = {"-f", "--file"},
        required = true,
        paramLabel = "FILE",
        description = "blue-deployment.yml (or .json)")
    Path file;

    @Option(
        names = {"-n", "--name"},
        paramLabel = "NAME",
        description = "The deployment's name; overrides the file's.")
    String name;

    @Mixin EndpointOption endpoint;

    @Option(
        names = "--set",
        paramLabel = "KEY=VALUE",
        description = "Override a field, e.g. --set instance_count=2 (repeatable).")
    List<String> sets = new ArrayList<>();

    @Option(
        names = "--all-traffic",
        description = "Once it has succeeded, send all the endpoint's traffic to it.")
    boolean allTraffic;

    @Option(
        names = "--skip-script-validation",
        hidden = true,
        description = "Accepted for the Azure CLI's sake.")
    boolean skipScriptValidation;

    @Mixin WaitOptions wait;
    @Mixin ApiOptions api;
    @Mixin OutputOptions output;

    @Override
    public Integer call() {
      checkAllTraffic(allTraffic, wait);
      DeploymentSpec spec = readFile(api, file, sets, endpoint.endpoint, name).spec();
      ControlApi client = api.connect();
      CliContext ctx = api.context();
      JsonNode accepted =
          client
              .post(path("endpoints", spec.endpointName(), "deployments"), body(ctx, client, spec))
              .json();
      return finish(api, client, accepted, spec, wait, allTraffic, output);
    }
  }

  @Command(
      name = "update",
      mixinStandardHelpOptions = true,
      description = {
        "Update a deployment from a file, or change fields in place with --set; waits until the"
            + " new instances are ready.",
        "Reads the deployment and writes it back with If-Match, so a concurrent change is"
            + " refused, never lost. --all-traffic alone moves traffic without a new rollout."
      })
  static final class Update implements Callable<Integer> {

    @Option(
        names = {"-f", "--file"},
        paramLabel = "FILE",
        description = "blue-deployment.yml with the whole new spec.")
    Path file;

    @Option(
        names = {"-n", "--name"},
        paramLabel = "NAME",
        description = "The deployment; overrides the file's name.")
    String name;

    @Mixin EndpointOption endpoint;

    @Option(
        names = "--set",
        paramLabel = "KEY=VALUE",
        description = "Override a field, e.g. --set scale_settings.max_instances=5 (repeatable).")
    List<String> sets = new ArrayList<>();

    @Option(
        names = "--all-traffic",
        description = "Once it has succeeded, send all the endpoint's traffic to it.")
    boolean allTraffic;

    @Mixin WaitOptions wait;
    @Mixin ApiOptions api;
    @Mixin OutputOptions output;

    @Override
    public Integer call() {
      checkAllTraffic(allTraffic, wait);
      CliContext ctx = api.context();
      if (file == null && (name == null || endpoint.endpoint == null)) {
        throw CliException.usage(
            "give the deployment as -n/--name NAME -e/--endpoint ENDPOINT (or -f/--file FILE)");
      }
      if (file == null && sets.isEmpty()) {
        if (!allTraffic) {
          throw CliException.usage("nothing to update: give --set, -f/--file or --all-traffic");
        }
        ControlApi client = api.connect();
        JsonNode view = client.getJson(deploymentPath(endpoint.endpoint, name));
        String state = Json.text(view, "provisioning_state");
        if (!"Succeeded".equals(state)) {
          throw CliException.failed(
              what(endpoint.endpoint, name)
                  + " is "
                  + state
                  + ", not Succeeded: traffic stays where it is");
        }
        routeAllTraffic(api, client, endpoint.endpoint, name, wait);
        output.print(ctx, view, OutputFormat.yaml, Tables.DEPLOYMENTS);
        return 0;
      }
      Parsed<DeploymentSpec> fromFile =
          file != null ? readFile(api, file, sets, endpoint.endpoint, name) : null;
      String ep = fromFile != null ? fromFile.spec().endpointName() : endpoint.endpoint;
      String d = fromFile != null ? fromFile.spec().name() : name;
      ControlApi client = api.connect();
      Reply current = client.get(deploymentPath(ep, d));
      DeploymentSpec spec =
          fromFile != null ? fromFile.spec() : Specs.deployment(current.json(), sets).spec();
      JsonNode accepted =
          client
              .put(deploymentPath(ep, d), body(ctx, client, spec), current.etag(), what(ep, d))
              .json();
      return finish(api, client, accepted, spec, wait, allTraffic, output);
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show a deployment: its spec, state, ready instances and model.")
  static final class Show implements Callable<Integer> {

    @Option(
        names = {"-n", "--name"},
        required = true,
        paramLabel = "NAME")
    String name;

    @Mixin EndpointOption endpoint;
    @Mixin ApiOptions api;
    @Mixin OutputOptions output;

    @Override
    public Integer call() {
      JsonNode view = api.connect().getJson(deploymentPath(endpoint.required(), name));
      output.print(api.context(), view, OutputFormat.yaml, Tables.DEPLOYMENTS);
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List an endpoint's deployments.")
  static final class ListDeployments implements Callable<Integer> {

    @Mixin EndpointOption endpoint;
    @Mixin ApiOptions api;
    @Mixin OutputOptions output;

    @Override
    public Integer call() {
      JsonNode list = api.connect().getJson(path("endpoints", endpoint.required(), "deployments"));
      output.print(api.context(), list, OutputFormat.table, Tables.DEPLOYMENTS);
      return 0;
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = {
        "Delete a deployment and stop its instances.",
        "Refused while it has live or mirrored traffic: the error says how to move it."
      })
  static final class Delete implements Callable<Integer> {

    @Option(
        names = {"-n", "--name"},
        required = true,
        paramLabel = "NAME")
    String name;

    @Mixin EndpointOption endpoint;

    @Mixin DeleteOptions azure;
    @Mixin ApiOptions api;

    @Override
    public Integer call() {
      String ep = endpoint.required();
      api.connect().delete(deploymentPath(ep, name));
      api.context().err().println("Deleted " + what(ep, name) + ".");
      return 0;
    }
  }

  @Command(
      name = "get-logs",
      mixinStandardHelpOptions = true,
      description = "Print the last lines of a deployment's logs.")
  static final class GetLogs implements Callable<Integer> {

    @Option(
        names = {"-n", "--name"},
        required = true,
        paramLabel = "NAME")
    String name;

    @Mixin EndpointOption endpoint;

    @Option(
        names = {"-l", "--lines"},
        paramLabel = "N",
        description = "How many lines, from the end (server default: 100).")
    Integer lines;

    @Option(
        names = "--container",
        paramLabel = "CONTAINER",
        description = "inference-server (default) or storage-initializer.")
    String container;

    @Mixin ApiOptions api;

    @Override
    public Integer call() {
      var params = new LinkedHashMap<String, String>();
      params.put("lines", lines == null ? null : lines.toString());
      params.put("container", container);
      String text =
          api.connect()
              .getText(
                  deploymentPath(endpoint.required(), name) + "/logs" + ControlApi.query(params));
      api.context().printText(text);
      return 0;
    }
  }
}
