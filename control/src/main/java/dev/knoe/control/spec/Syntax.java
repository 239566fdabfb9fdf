package dev.knoe.control.spec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/** Bytes to a tree: one document, no aliases, and errors with line and column. */
final class Syntax {

  private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '([^']*)'.*");
  private static final Pattern SOURCE =
      Pattern.compile("\\[Source: [^\\]]*; line: (\\d+), column: (\\d+)\\]");

  private Syntax() {}

  static JsonNode read(byte[] content, Format format, String what) {
    var mapper = Mappers.of(format);
    try (JsonParser parser = mapper.createParser(content)) {
      JsonNode tree = mapper.readTree(parser);
      if (tree == null || tree.isMissingNode() || tree.isNull()) {
        throw new SpecException("the " + what + " is empty");
      }
      if (parser.nextToken() != null) {
        throw new SpecException(
            format == Format.YAML
                ? "the file holds more than one YAML document; give one " + what + " per file"
                : "JSON has more content after the " + what + where(parser.currentLocation()));
      }
      if (format == Format.YAML) {
        refuseAliases(content);
      }
      return tree;
    } catch (JsonProcessingException e) {
      throw new SpecException(malformed(format, e));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Jackson reads a YAML alias ({@code *defaults}) as the text "defaults" instead of the anchored
   * value, which would silently give wrong specs; so aliases are refused.
   */
  private static void refuseAliases(byte[] content) throws IOException {
    try (var parser = (YAMLParser) Mappers.YAML.createParser(content)) {
      while (parser.nextToken() != null) {
        if (parser.isCurrentAlias()) {
          throw new SpecException(
              "YAML alias *"
                  + parser.getText()
                  + where(parser.currentTokenLocation())
                  + " is not supported; write the value out");
        }
      }
    }
  }

  private static String malformed(Format format, JsonProcessingException e) {
    if (e.getCause() instanceof MarkedYAMLException) {
      // SnakeYAML's own parts: the problem and where it is, rather than its multi-line message
      // that starts with the context ("while parsing a block mapping").
      var yaml = (MarkedYAMLException) e.getCause();
      Mark mark = yaml.getProblemMark();
      String where =
          mark == null
              ? ""
              : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
      String context = yaml.getContext() == null ? "" : " (" + yaml.getContext() + ")";
      return "YAML is malformed" + where + ": " + yaml.getProblem() + context;
    }
    String why = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().strip();
    String where = where(e.getLocation());
    Matcher duplicate = DUPLICATE.matcher(why);
    if (duplicate.lookingAt()) {
      return "key '" + duplicate.group(1) + "' appears twice" + where;
    }
    int newline = why.indexOf('\n');
    why = newline < 0 ? why : why.substring(0, newline);
    why = SOURCE.matcher(why).replaceAll("line $1, column $2");
    return format + " is malformed" + where + ": " + why;
  }

  static String where(JsonLocation location) {
    return location == null || location.getLineNr() < 1
        ? ""
        : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
  }
}
