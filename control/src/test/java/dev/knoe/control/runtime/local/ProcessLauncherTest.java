package dev.knoe.control.runtime.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessLauncherTest {

  @TempDir Path home;

  @Test
  void scriptWhenPresentElseJavaJar() throws IOException {
    Path java = Path.of("/jdk/bin/java");
    assertEquals(
        List.of(
            "/jdk/bin/java", "-jar", home.resolve("target/quarkus-app/quarkus-run.jar").toString()),
        ProcessLauncher.scoringCommand(home, java));
    Path script = home.resolve(ProcessLauncher.SCRIPT);
    Files.createDirectories(script.getParent());
    Files.writeString(script, "#!/bin/sh\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    assertEquals(List.of(script.toString()), ProcessLauncher.scoringCommand(home, java));
  }

  @Test
  void childrenInheritOnlyWhatTheyNeed() {
    Map<String, String> parent =
        Map.of(
            "PATH",
            "/bin",
            "QUARKUS_HTTP_PORT",
            "8080",
            "KNOE_ADMIN_KEY",
            "s3cret",
            "KNOE_FAST_START",
            "1");
    assertEquals(Map.of("PATH", "/bin", "KNOE_FAST_START", "1"), ProcessLauncher.inherit(parent));
  }

  /**
   * A child gets the runtime's variables over the spec's, and its output lands in the log,
   * truncated per start.
   */
  @Test
  void environmentAndLog() throws Exception {
    Path logs = home.resolve("logs");
    try (ProcessLauncher launcher =
        new ProcessLauncher(
            List.of(
                "/bin/sh",
                "-c",
                "echo port=$QUARKUS_HTTP_PORT host=$QUARKUS_HTTP_HOST auth=$KNOE_AUTH dep=$KNOE_DEPLOYMENT_NAME"
                    + " user=$LOG_LEVEL home=${HOME:-unset}; echo oops >&2"),
            logs,
            Map.of("PATH", "/usr/bin:/bin"))) {
      InstanceSpec spec =
          new InstanceSpec(
              "ep1",
              "blue",
              1,
              home,
              Map.of("LOG_LEVEL", "debug"),
              Probe.AZURE_DEFAULT,
              Probe.AZURE_DEFAULT);
      Launcher.Launched first = launcher.launch(spec, "blue-1-0");
      first.process().waitFor();
      Launcher.Launched second = launcher.launch(spec, "blue-1-0");
      second.process().waitFor();
      assertEquals(logs.resolve("ep1/blue/blue-1-0.log"), second.log());
      assertEquals(
          List.of(
              "port=" + second.port() + " host=127.0.0.1 auth=none dep=blue user=debug home=unset",
              "oops"),
          Files.readAllLines(second.log()));
      assertEquals(
          "port=" + first.port() + " host=127.0.0.1 auth=none dep=blue user=debug home=unset",
          Files.readAllLines(logs.resolve("ep1/blue/blue-1-0.log.1")).get(0));
    }
  }

  /**
   * The runtime's JVM options come before the user's KNOE_JAVA_OPTS (inherited from knoe serve),
   * which stay.
   */
  @Test
  void memoryBoundBeforeTheUsersJavaOptions() throws Exception {
    try (ProcessLauncher launcher =
        new ProcessLauncher(
            List.of("/bin/sh", "-c", "echo \"$KNOE_JAVA_OPTS\""),
            home.resolve("logs"),
            Map.of("PATH", "/usr/bin:/bin", "KNOE_JAVA_OPTS", "-Xss1m"))) {
      InstanceSpec spec =
          new InstanceSpec(
              "ep1",
              "blue",
              1,
              home,
              Map.of(),
              Probe.AZURE_DEFAULT,
              Probe.AZURE_DEFAULT,
              List.of("-XX:MaxRAM=2147483648", "-XX:MaxRAMPercentage=50.0"));
      Launcher.Launched launched = launcher.launch(spec, "blue-1-0");
      launched.process().waitFor();
      assertEquals(
          List.of("-XX:MaxRAM=2147483648 -XX:MaxRAMPercentage=50.0 -Xss1m"),
          Files.readAllLines(launched.log()));
    }
  }
}
