package dev.knoe.control.cli;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code -o json|yaml|table}. JSON and YAML print the API's answer as it is, so the field names are
 * Azure's where Azure has them ({@code primaryKey}, {@code accessToken}, {@code scoring_uri},
 * {@code provisioning_state}, ...); a table prints the columns of a {@link Table}. Defaults: table
 * for lists, YAML for one resource (the shape the spec files are written in).
 */
enum OutputFormat {
  json,
  yaml,
  table;

  String render(JsonNode data, Table table) {
    return switch (this) {
      case json -> Json.pretty(data);
      case yaml -> Json.yaml(data);
      case table -> table.render(data);
    };
  }
}
