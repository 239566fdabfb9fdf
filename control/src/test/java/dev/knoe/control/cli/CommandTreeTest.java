package dev.knoe.control.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.control.cli.Cli.Run;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

class CommandTreeTest {

  @TempDir Path home;

  /** Every command's words, e.g. {@code [online-endpoint, create]}, except serve (delegated). */
  static Stream<List<String>> commands() {
    var all = new ArrayList<List<String>>();
    var context = new Cli(Path.of(".")).context(new StringWriter(), new StringWriter());
    collect(KnoeCommand.commandLine(context), List.of(), all);
    return all.stream().filter(words -> !words.contains("serve"));
  }

  private static void collect(CommandLine cmd, List<String> words, List<List<String>> all) {
    all.add(words);
    cmd.getSubcommands()
        .forEach(
            (name, sub) -> {
              var next = new ArrayList<>(words);
              next.add(name);
              collect(sub, next, all);
            });
  }

  @ParameterizedTest(name = "knoe {0} --help")
  @MethodSource("commands")
  void everyCommandHasHelp(List<String> words) {
    var args = new ArrayList<>(words);
    args.add("--help");

    Run run = new Cli(home).run(args.toArray(String[]::new));

    assertEquals(0, run.code(), run.toString());
    assertTrue(
        run.out()
            .startsWith("Usage: knoe" + (words.isEmpty() ? "" : " " + String.join(" ", words))),
        run.out());
  }

  @Test
  void theTreeMirrorsAzMl() {
    assertEquals(
        List.of(
            "",
            "online-endpoint",
            "online-endpoint create",
            "online-endpoint update",
            "online-endpoint show",
            "online-endpoint list",
            "online-endpoint delete",
            "online-endpoint invoke",
            "online-endpoint get-credentials",
            "online-endpoint regenerate-keys",
            "online-endpoint metrics",
            "online-deployment",
            "online-deployment create",
            "online-deployment update",
            "online-deployment show",
            "online-deployment list",
            "online-deployment delete",
            "online-deployment get-logs",
            "model",
            "model create",
            "model list",
            "model show",
            "render"),
        commands().map(words -> String.join(" ", words)).toList());
  }
}
