package dev.knoe.control.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.control.cli.ServerLocator.Server;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ServerLocatorTest {

  private static final String CONFIG =
      "{\"url\": \"http://127.0.0.1:8500\", \"admin_key\": \"from-config\"}";

  @TempDir Path home;

  record Case(
      String name,
      String urlFlag,
      String keyFlag,
      Map<String, String> env,
      String config,
      String expectedUrl,
      String expectedKey) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "--url and --admin-key beat the environment and the config",
            "http://flag:1",
            "flag-key",
            Map.of("KNOE_URL", "http://env:2", "KNOE_ADMIN_KEY", "env-key"),
            CONFIG,
            "http://flag:1",
            "flag-key"),
        new Case(
            "KNOE_URL and KNOE_ADMIN_KEY beat the config",
            null,
            null,
            Map.of("KNOE_URL", "http://env:2", "KNOE_ADMIN_KEY", "env-key"),
            CONFIG,
            "http://env:2",
            "env-key"),
        new Case(
            "the config that knoe serve writes when nothing else is set",
            null,
            null,
            Map.of(),
            CONFIG,
            "http://127.0.0.1:8500",
            "from-config"),
        new Case(
            "--url naming the config's own server uses the config's key",
            "http://127.0.0.1:8500/",
            null,
            Map.of(),
            CONFIG,
            "http://127.0.0.1:8500",
            "from-config"),
        new Case(
            "KNOE_ADMIN_KEY with the config's url",
            null,
            null,
            Map.of("KNOE_ADMIN_KEY", "env-key"),
            CONFIG,
            "http://127.0.0.1:8500",
            "env-key"),
        new Case(
            "flags alone, no config file",
            "https://knoe.example.com",
            "k",
            Map.of(),
            null,
            "https://knoe.example.com",
            "k"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void findsServerAndKeyInOrder(Case c) throws IOException {
    if (c.config() != null) {
      Files.createDirectories(home.resolve(".knoe"));
      Files.writeString(home.resolve(".knoe/config.json"), c.config());
    }
    Server server = ServerLocator.locate(c.urlFlag(), c.keyFlag(), c.env(), home);
    assertEquals(c.expectedUrl(), server.url().toString());
    assertEquals(c.expectedKey(), server.adminKey());
  }

  @Test
  void knoeConfigNamesAnotherConfigFile() throws IOException {
    Path file = home.resolve("elsewhere.json");
    Files.writeString(file, "{\"url\": \"http://other:9\", \"admin_key\": \"other-key\"}");
    var env = new HashMap<String, String>();
    env.put("KNOE_CONFIG", file.toString());
    Server server = ServerLocator.locate(null, null, env, home);
    assertEquals("http://other:9", server.url().toString());
    assertEquals("other-key", server.adminKey());
  }

  @Test
  void nothingConfiguredSaysToRunKnoeServe() {
    var e =
        assertThrows(CliException.class, () -> ServerLocator.locate(null, null, Map.of(), home));
    assertEquals(CliException.FAILED, e.exitCode());
    assertTrue(e.getMessage().contains("run 'knoe serve'"), e.getMessage());
    assertTrue(e.getMessage().contains("--url"), e.getMessage());
    assertTrue(e.getMessage().contains(home.resolve(".knoe/config.json").toString()));
  }

  @Test
  void aUrlWithoutKeySaysWhereKeysComeFrom() {
    var e =
        assertThrows(
            CliException.class,
            () -> ServerLocator.locate("http://127.0.0.1:8500", null, Map.of(), home));
    assertTrue(e.getMessage().startsWith("no admin key for http://127.0.0.1:8500"), e.getMessage());
  }

  @Test
  void aMalformedUrlFlagIsAUsageError() {
    var e =
        assertThrows(
            CliException.class, () -> ServerLocator.locate("localhost:8500", "k", Map.of(), home));
    assertEquals(CliException.USAGE, e.exitCode());
  }

  @Test
  void aMalformedConfigIsNamed() throws IOException {
    Files.createDirectories(home.resolve(".knoe"));
    Files.writeString(home.resolve(".knoe/config.json"), "{not json");
    var e =
        assertThrows(CliException.class, () -> ServerLocator.locate(null, null, Map.of(), home));
    assertTrue(e.getMessage().contains("config.json"), e.getMessage());
  }

  @Test
  void theKeyIsNotInToString() {
    Server server = ServerLocator.locate("http://h:1", "secret", Map.of(), home);
    assertEquals("http://h:1", server.toString());
  }

  @Test
  void theConfigsKeyIsNeverSentToAnotherServer() throws IOException {
    Files.createDirectories(home.resolve(".knoe"));
    Files.writeString(home.resolve(".knoe").resolve("config.json"), CONFIG);
    CliException e =
        assertThrows(
            CliException.class,
            () -> ServerLocator.locate("http://elsewhere:9", null, Map.of(), home));
    assertTrue(e.getMessage().contains("no admin key for http://elsewhere:9"), e.getMessage());
  }

  private static final String PEM =
      "-----BEGIN CERTIFICATE-----\nfrom-config\n-----END CERTIFICATE-----\n";

  private void configWithCa() throws IOException {
    Files.createDirectories(home.resolve(".knoe"));
    Files.writeString(
        home.resolve(".knoe/config.json"),
        "{\"url\": \"https://127.0.0.1:8500\", \"admin_key\": \"k\", \"ca_cert\": "
            + Json.MAPPER.writeValueAsString(PEM)
            + "}");
  }

  @Test
  void theConfigsCaIsTrustedForItsServerOnly() throws IOException {
    configWithCa();
    Server own = ServerLocator.locate(null, null, null, Map.of(), home);
    assertEquals(PEM, own.caCerts());
    assertTrue(own.caSource().contains("config.json"), own.caSource());

    Server other = ServerLocator.locate("https://elsewhere:9", "k2", null, Map.of(), home);
    assertEquals(null, other.caCerts(), "the JDK's CAs for another server");
  }

  @Test
  void caFileFlagBeatsKnoeCaFileBeatsTheConfig() throws IOException {
    configWithCa();
    Path flag = Files.writeString(home.resolve("flag.pem"), "flag");
    Path env = Files.writeString(home.resolve("env.pem"), "env");
    Map<String, String> vars = Map.of("KNOE_CA_FILE", env.toString());

    Server s = ServerLocator.locate(null, null, flag.toString(), vars, home);
    assertEquals("flag", s.caCerts());
    assertEquals("--ca-file " + flag, s.caSource());
    assertEquals("k", s.adminKey(), "the config still gives the key");
    assertEquals("env", ServerLocator.locate(null, null, null, vars, home).caCerts());
  }

  @Test
  void aMissingCaFileIsNamed() {
    var e =
        assertThrows(
            CliException.class,
            () -> ServerLocator.locate("https://h:1", "k", "/no/such.pem", Map.of(), home));
    assertEquals(CliException.USAGE, e.exitCode());
    assertEquals("cannot read --ca-file /no/such.pem: no such file", e.getMessage());
  }
}
