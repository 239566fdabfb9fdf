package dev.knoe.control.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** Small helpers the spec tests share. */
final class Yaml {

  static final Path SAMPLES = Path.of(System.getProperty("samples.dir", "../samples"));

  /** The smallest valid deployment; cases add lines to it. */
  static final String DEPLOYMENT = "name: blue\nendpoint_name: my-endpoint\nmodel: model-1:1\n";

  private Yaml() {}

  static Parsed<EndpointSpec> endpoint(String yaml, String... sets) {
    return SpecParser.endpoint(bytes(yaml), Format.YAML, null, List.of(sets));
  }

  static Parsed<DeploymentSpec> deployment(String yaml, String... sets) {
    return SpecParser.deployment(bytes(yaml), Format.YAML, null, List.of(sets));
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static void assertProblems(List<String> expected, Runnable parse) {
    SpecException e = assertThrows(SpecException.class, parse::run);
    assertEquals(expected, e.problems());
  }
}
