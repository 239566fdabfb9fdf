package dev.knoe.control.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Columns for {@code -o table}: a header line, then one line per resource, each column as wide as
 * its widest cell plus two spaces; an empty value is {@code -}.
 */
record Table(List<Column> columns) {

  record Column(String header, Function<JsonNode, String> value) {}

  static Table of(Column... columns) {
    return new Table(List.of(columns));
  }

  static Column column(String header, Function<JsonNode, String> value) {
    return new Column(header, value);
  }

  /** A list renders a line per element; an object renders one line. */
  String render(JsonNode data) {
    var rows = new ArrayList<String[]>();
    rows.add(columns.stream().map(Column::header).toArray(String[]::new));
    if (data.isArray()) {
      data.forEach(item -> rows.add(row(item)));
    } else {
      rows.add(row(data));
    }
    int[] widths = new int[columns.size()];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    var sb = new StringBuilder();
    for (String[] row : rows) {
      var line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(row[i]);
        if (i < row.length - 1) {
          line.append(" ".repeat(widths[i] - row[i].length() + 2));
        }
      }
      sb.append(line.toString().stripTrailing()).append('\n');
    }
    return sb.toString();
  }

  private String[] row(JsonNode item) {
    return columns.stream()
        .map(c -> c.value().apply(item))
        .map(v -> v == null || v.isBlank() ? "-" : v.replaceAll("\\s+", " "))
        .toArray(String[]::new);
  }
}
