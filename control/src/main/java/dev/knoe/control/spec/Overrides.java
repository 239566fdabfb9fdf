package dev.knoe.control.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import java.util.regex.Pattern;

/** The CLI's {@code --set key=value} overrides, applied to the tree before binding. */
final class Overrides {

  private static final Pattern INTEGER = Pattern.compile("-?(0|[1-9][0-9]*)");

  private Overrides() {}

  /**
   * Applies {@code key=value} overrides: dotted keys walk (and create) objects, numeric parts index
   * lists ({@code triggers.0.broker}); the value is a YAML-like scalar: an integer, {@code
   * true}/{@code false}, {@code null} (back to the default), a quoted string, or else the text.
   */
  static void apply(ObjectNode root, List<String> sets, Report report) {
    for (String set : sets) {
      int eq = set.indexOf('=');
      String key = eq < 0 ? set.trim() : set.substring(0, eq).trim();
      if (eq <= 0 || key.isEmpty()) {
        report.problem(
            "--set", "--set '" + set + "' is not key=value, e.g. --set instance_count=2");
        continue;
      }
      String[] parts = key.split("\\.", -1);
      if (List.of(parts).contains("")) {
        report.problem("--set", "--set '" + set + "': key '" + key + "' has an empty part");
        continue;
      }
      JsonNode value = scalar(set.substring(eq + 1));
      JsonNode node = root;
      String walked = "";
      for (int i = 0; i < parts.length && node != null; i++) {
        boolean last = i == parts.length - 1;
        String part = parts[i];
        String here = walked.isEmpty() ? part : walked + "." + part;
        JsonNode next;
        if (node instanceof ObjectNode) {
          var object = (ObjectNode) node;
          if (last) {
            object.set(part, value);
            break;
          }
          next = object.get(part);
          if (next == null || next.isNull()) {
            next = object.putObject(part);
          }
        } else {
          var array = (ArrayNode) node;
          Integer index = INTEGER.matcher(part).matches() ? Integer.valueOf(part) : null;
          if (index == null || index > array.size()) {
            report.problem(
                "--set",
                "--set '"
                    + set
                    + "': "
                    + walked
                    + " is a list of "
                    + array.size()
                    + ", so the part after it must be an index from 0 to "
                    + array.size());
            break;
          }
          if (last) {
            if (index == array.size()) {
              array.add(value);
            } else {
              array.set(index, value);
            }
            break;
          }
          next = index == array.size() ? array.addObject() : array.get(index);
        }
        if (!(next instanceof ContainerNode)) {
          report.problem(
              "--set",
              "--set '" + set + "': " + here + " is " + Report.describe(next) + ", not an object");
          break;
        }
        walked = here;
        node = next;
      }
    }
  }

  private static JsonNode scalar(String text) {
    String t = text.trim();
    if (t.length() >= 2
        && (t.startsWith("\"") && t.endsWith("\"") || t.startsWith("'") && t.endsWith("'"))) {
      return TextNode.valueOf(t.substring(1, t.length() - 1));
    }
    if (t.equals("null") || t.equals("~")) {
      return NullNode.getInstance();
    }
    if (t.equals("true") || t.equals("false")) {
      return BooleanNode.valueOf(Boolean.parseBoolean(t));
    }
    if (INTEGER.matcher(t).matches() && t.length() < 19) {
      long n = Long.parseLong(t);
      return n == (int) n ? IntNode.valueOf((int) n) : LongNode.valueOf(n);
    }
    return TextNode.valueOf(t);
  }
}
