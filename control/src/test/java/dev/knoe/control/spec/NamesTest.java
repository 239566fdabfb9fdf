package dev.knoe.control.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each kind's name rule: what a path could misread is refused, with the problem named. */
class NamesTest {

  record Refused(String name, Names.Rule rule, String value, String problem) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Refused> refused() {
    String letters =
        "must start with a letter and hold only letters, digits and '-' (not at the end)";
    String model =
        "must start with a letter or digit and hold only letters, digits, '-', '_' and '.'";
    return Stream.of(
        new Refused(
            "endpoint: NUL", Names.ENDPOINT, "ab\0c", "endpoint name 'ab\\u0000c' " + letters),
        new Refused(
            "endpoint: ..",
            Names.ENDPOINT,
            "..",
            "endpoint name '..' is 2 characters;" + " endpoint and deployment names have 3 to 32"),
        new Refused(
            "endpoint: a/../b", Names.ENDPOINT, "a/../b", "endpoint name 'a/../b' " + letters),
        new Refused("endpoint: a\\b", Names.ENDPOINT, "ab\\c", "endpoint name 'ab\\c' " + letters),
        new Refused("endpoint: empty", Names.ENDPOINT, "", "endpoint name is required"),
        new Refused("endpoint: null", Names.ENDPOINT, null, "endpoint name is required"),
        new Refused(
            "endpoint: 33 characters",
            Names.ENDPOINT,
            "a".repeat(33),
            "endpoint name '"
                + "a".repeat(33)
                + "' is 33 characters; endpoint and deployment"
                + " names have 3 to 32"),
        new Refused(
            "deployment: a.json",
            Names.DEPLOYMENT,
            "a.json",
            "deployment name 'a.json' " + letters),
        new Refused(
            "deployment: NUL",
            Names.DEPLOYMENT,
            "\0\0\0",
            "deployment name '\\u0000\\u0000\\u0000' " + letters),
        new Refused("model: NUL", Names.MODEL, "\0", "model name '\\u0000' " + model),
        new Refused("model: ..", Names.MODEL, "..", "model name '..' " + model),
        new Refused(
            "model: .hidden",
            Names.MODEL,
            ".versions.lock",
            "model name '.versions.lock' " + model),
        new Refused("model: a/b", Names.MODEL, "a/b", "model name 'a/b' " + model),
        new Refused("model: a\\b", Names.MODEL, "a\\b", "model name 'a\\b' " + model),
        new Refused("model: empty", Names.MODEL, "", "model name is required"),
        new Refused(
            "model: 256 characters",
            Names.MODEL,
            "m".repeat(256),
            "model name '" + "m".repeat(256) + "' is 256 characters; model names have 1 to 255"),
        new Refused(
            "model: the registry's blobs folder",
            Names.MODEL,
            "blobs",
            "model name 'blobs' is reserved: the data directory keeps a folder of that name"),
        new Refused(
            "model: Blobs, the same folder on macOS",
            Names.MODEL,
            "Blobs",
            "model name 'Blobs' is reserved: the data directory keeps a folder of that name"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void refused(Refused c) {
    var e = assertThrows(SpecException.class, () -> c.rule().require(c.value()));
    assertEquals(List.of(c.problem()), e.problems());
  }

  @Test
  void accepted() {
    assertEquals("my-endpoint", Names.ENDPOINT.require("my-endpoint"));
    assertEquals("blue-2", Names.DEPLOYMENT.require("blue-2"));
    assertEquals("fraud_v2.onnx", Names.MODEL.require("fraud_v2.onnx"));
    assertEquals("blobs2", Names.MODEL.require("blobs2"));
    assertEquals("m".repeat(255), Names.MODEL.require("m".repeat(255)));
  }
}
