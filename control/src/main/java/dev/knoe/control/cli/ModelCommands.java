package dev.knoe.control.cli;

import static dev.knoe.control.cli.ControlApi.path;

import com.fasterxml.jackson.databind.JsonNode;
import dev.knoe.control.spec.AzureRef;
import dev.knoe.control.spec.ModelRef;
import dev.knoe.control.spec.SpecException;
import dev.knoe.spi.ModelFolder;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code knoe model ...}: the model registry, as {@code az ml model}. */
@Command(
    name = "model",
    mixinStandardHelpOptions = true,
    description = "Register and list ONNX models (versioned, immutable, content-addressed).",
    subcommands = {
      ModelCommands.Create.class,
      ModelCommands.ListModels.class,
      ModelCommands.Show.class
    })
final class ModelCommands implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw KnoeCommand.missingSubcommand(spec);
  }

  /** {@code -h/--help} without the standard help mixin's {@code -V/--version}. */
  static final class HelpOption {
    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "Show this help message and exit.")
    boolean help;
  }

  @Command(
      name = "create",
      // No standard help mixin: its -V/--version would clash with az's --version.
      mixinStandardHelpOptions = false,
      description = {
        "Upload an .onnx file as the next version of a model and print it.",
        "The registry assigns the version (1, 2, ...); refer to it as name:version."
      })
  static final class Create implements Callable<Integer> {

    @Mixin HelpOption help;

    @Option(
        names = {"-n", "--name"},
        required = true,
        paramLabel = "NAME")
    String name;

    @Option(
        names = {"-p", "--path"},
        required = true,
        paramLabel = "PATH",
        description =
            "The .onnx file, or a folder holding one (or several and a model.onnx at its top).")
    Path path;

    @Option(
        names = {"-d", "--description"},
        paramLabel = "TEXT")
    String description;

    @Option(
        names = "--version",
        paramLabel = "VERSION",
        hidden = true,
        description = "Refused: the registry assigns versions.")
    String version;

    @Mixin ApiOptions api;
    @Mixin OutputOptions output;

    @Override
    public Integer call() {
      if (version != null) {
        throw CliException.usage(
            "--version: Knoe's registry assigns the next version itself; drop --version");
      }
      CliContext ctx = api.context();
      JsonNode model = upload(ctx, api.connect(), name, onnxFile(path, "-p/--path"), description);
      output.print(ctx, model, OutputFormat.yaml, Tables.MODELS);
      return 0;
    }

    /**
     * Uploads {@code file} as the next version of {@code name}, with progress on stderr; the
     * registry's answer (name, version, sha256, ...).
     */
    static JsonNode upload(
        CliContext ctx, ControlApi client, String name, Path file, String description) {
      long size = size(file);
      var progress = new Progress(ctx);
      String label = "uploading " + file.getFileName() + ": ";
      var body =
          new CountingPublisher(
              publisher(file),
              sent -> {
                long percent = size == 0 ? 100 : sent * 100 / size;
                // A new line only every 10 % outside a terminal.
                progress.show(
                    label + (percent / 10) * 10,
                    label
                        + Tables.bytes(sent)
                        + " of "
                        + Tables.bytes(size)
                        + " ("
                        + percent
                        + " %)");
              });
      var params = new LinkedHashMap<String, String>();
      params.put("description", description);
      try {
        return client
            .upload(path("models", name, "versions") + ControlApi.query(params), body)
            .json();
      } finally {
        progress.done();
      }
    }

    /** The file's sha256 in hex, as the registry names its versions' content. */
    static String sha256(Path file) {
      try {
        return java.util.HexFormat.of()
            .formatHex(dev.knoe.control.model.ModelRegistry.digest(file));
      } catch (IOException e) {
        throw CliException.failed("cannot read " + file + ": " + e.getMessage(), e);
      }
    }

    /**
     * The model file a path names, by the rule the scoring function and the control plane share
     * ({@link ModelFolder}), checked as a model before anything is sent; {@code setting} is what
     * the user sets, named when a folder holds several.
     */
    static Path onnxFile(Path path, String setting) {
      try {
        return ModelFolder.checkedOnnxFile(path, setting);
      } catch (IllegalArgumentException e) {
        throw CliException.failed(e.getMessage(), e);
      }
    }

    private static long size(Path file) {
      try {
        return Files.size(file);
      } catch (IOException e) {
        throw CliException.failed("cannot read " + file + ": " + e.getMessage(), e);
      }
    }

    private static java.net.http.HttpRequest.BodyPublisher publisher(Path file) {
      try {
        return BodyPublishers.ofFile(file);
      } catch (FileNotFoundException e) {
        throw CliException.failed("model file " + file + " does not exist", e);
      }
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List the latest version of each model, or every version of one (-n).")
  static final class ListModels implements Callable<Integer> {

    @Option(
        names = {"-n", "--name"},
        paramLabel = "NAME",
        description = "List this model's versions.")
    String name;

    @Mixin ApiOptions api;
    @Mixin OutputOptions output;

    @Override
    public Integer call() {
      JsonNode list = api.connect().getJson(name == null ? path("models") : path("models", name));
      output.print(api.context(), list, OutputFormat.table, Tables.MODELS);
      return 0;
    }
  }

  @Command(
      name = "show",
      description = "Show a model version: size, sha256, description.",
      // No standard help mixin: its -V/--version would clash with az's --version.
      mixinStandardHelpOptions = false)
  static final class Show implements Callable<Integer> {

    @Mixin HelpOption help;

    @Option(
        names = {"-n", "--name"},
        required = true,
        paramLabel = "NAME",
        description = "The model, or name:version.")
    String name;

    @Option(
        names = {"-v", "--version"},
        paramLabel = "VERSION",
        description = "The version (default: the latest).")
    String version;

    @Mixin ApiOptions api;
    @Mixin OutputOptions output;

    @Override
    public Integer call() {
      String model = AzureRef.strip(name);
      String v = version;
      if (v == null && model.contains(":")) {
        ModelRef ref;
        try {
          ref = ModelRef.parse(name);
        } catch (SpecException e) {
          throw CliException.usage("-n/--name: " + e.getMessage());
        }
        model = ref.name();
        v = ref.version();
      }
      ControlApi client = api.connect();
      JsonNode shown;
      if (v != null) {
        shown = client.getJson(path("models", model, "versions", v));
      } else {
        JsonNode versions = client.getJson(path("models", model));
        shown = null;
        for (JsonNode candidate : versions) {
          if (shown == null
              || candidate.path("version").asLong() > shown.path("version").asLong()) {
            shown = candidate;
          }
        }
        if (shown == null) {
          throw CliException.failed("model '" + model + "' has no versions");
        }
      }
      output.print(api.context(), shown, OutputFormat.yaml, Tables.MODELS);
      return 0;
    }
  }
}
