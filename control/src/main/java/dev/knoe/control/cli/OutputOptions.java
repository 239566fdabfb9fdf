package dev.knoe.control.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Option;

/** {@code -o json|yaml|table}. */
final class OutputOptions {

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description =
          "json, yaml or table. JSON and YAML are the API's answer with Azure's field names."
              + " Default: table for list, yaml otherwise.")
  OutputFormat format;

  /** Prints {@code data} on stdout in the chosen format, else in {@code byDefault}. */
  void print(CliContext ctx, JsonNode data, OutputFormat byDefault, Table table) {
    ctx.out().print((format != null ? format : byDefault).render(data, table));
    ctx.out().flush();
  }
}
