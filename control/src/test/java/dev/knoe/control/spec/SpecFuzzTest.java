package dev.knoe.control.spec;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A property-based fuzz test of the spec parser: the YAML and JSON files of the seed corpus ({@code
 * src/test/resources/fuzz-corpus/spec}, samples and specs using every key) mutated line by line and
 * byte by byte (truncations, a value swapped for another type, numbers at the edges, YAML tags,
 * anchors and aliases, duplicate keys, deep nesting, tabs, strange unicode), with random {@code
 * --set} overrides, each parsed as an endpoint and as a deployment, in both formats.
 *
 * <p>The property: {@link SpecParser} returns a spec or throws {@link SpecException} with at least
 * one problem; never another exception (NullPointerException, ClassCastException, a Jackson or
 * SnakeYAML exception), a StackOverflowError, and never more than 5 s for one input.
 *
 * <p>Budget: {@code fuzz.iterations} inputs per kind (default 1500, about 10 s in all), seeded by
 * {@code fuzz.seed} (default 15); {@code ./mvnw -pl control -am test -Dtest=SpecFuzzTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dfuzz.iterations=1000000 -Dfuzz.seed=$RANDOM} runs
 * longer. A failure names the seed and iteration and writes the input to {@code
 * target/fuzz-failures/}.
 */
class SpecFuzzTest {

  static final int ITERATIONS = Integer.getInteger("fuzz.iterations", 1500);
  static final long SEED = Long.getLong("fuzz.seed", 15);

  /** Scalars swapped in for a value. */
  static final List<String> VALUES =
      List.of(
          "",
          "~",
          "null",
          "true",
          "no",
          "0",
          "-1",
          "101",
          "2147483648",
          "9223372036854775808",
          "123456789012345678901234567890",
          "1e400",
          ".nan",
          "-.inf",
          "0x7fffffff",
          "0o17",
          "1_000",
          "3.5",
          "[]",
          "{}",
          "[1, [2, {a: b}]]",
          "{a: {b: {c: d}}}",
          "\"\\u0000\"",
          "\"\\ud800\"",
          "é😀\u202e",
          "!!binary aGVsbG8=",
          "!!int x",
          "!!float nope",
          "!!map {}",
          "!!set {a, b}",
          "!!timestamp 2001-12-14",
          "!custom x",
          "&a [*a]",
          "*nowhere",
          "<<: {a: b}",
          "|\n  block\n  text",
          "'single ''quoted'''",
          "\"a\\x\"",
          "key: value: other",
          "- item");

  /** Overrides as {@code --set} gives them, right and wrong. */
  static final List<String> SETS =
      List.of(
          "traffic.blue=100",
          "traffic.blue=x",
          "scale_settings.max_instances=0",
          "instance_count=-1",
          "tags.x=",
          "=1",
          "a..b=1",
          "model=",
          "model.path=/nowhere",
          "request_settings=3",
          "name",
          "triggers[0].broker=x",
          "tags=[1]");

  enum Kind {
    ENDPOINT_YAML,
    ENDPOINT_JSON,
    DEPLOYMENT_YAML,
    DEPLOYMENT_JSON
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  void parsesOrListsItsProblems(Kind kind) throws Exception {
    List<byte[]> corpus = corpus();
    Random random = new Random(SEED ^ kind.ordinal());
    List<String> failures = new ArrayList<>();
    long slowest = -1;
    String slowestInput = "";
    for (int i = 0; i < ITERATIONS && failures.size() < 5; i++) {
      byte[] input =
          i < corpus.size()
              ? corpus.get(i)
              : mutate(random, corpus.get(random.nextInt(corpus.size())));
      List<String> sets =
          random.nextInt(4) == 0 ? List.of(SETS.get(random.nextInt(SETS.size()))) : List.of();
      long start = System.nanoTime();
      String why = check(kind, input, sets);
      long ms = (System.nanoTime() - start) / 1_000_000;
      if (ms > slowest) {
        slowest = ms;
        String shown = new String(input, StandardCharsets.UTF_8);
        slowestInput = shown.length() > 200 ? shown.substring(0, 200) + "..." : shown;
      }
      if (why == null && ms > 5000) {
        why = "took " + ms + " ms";
      }
      if (why != null) {
        failures.add(report(kind, i, input, sets, why));
      }
    }
    System.out.println(kind + ": slowest input " + slowest + " ms:\n" + slowestInput);
    assertTrue(failures.isEmpty(), String.join("\n\n", failures));
  }

  static String check(Kind kind, byte[] input, List<String> sets) {
    try {
      switch (kind) {
        case ENDPOINT_YAML -> SpecParser.endpoint(input, Format.YAML, null, sets);
        case ENDPOINT_JSON -> SpecParser.endpoint(input, Format.JSON, null, sets);
        case DEPLOYMENT_YAML -> SpecParser.deployment(input, Format.YAML, null, sets);
        case DEPLOYMENT_JSON -> SpecParser.deployment(input, Format.JSON, null, sets);
      }
      return null;
    } catch (SpecException e) {
      return e.problems().isEmpty() || e.getMessage().isBlank() ? "a SpecException, empty" : null;
    } catch (StackOverflowError e) {
      return "StackOverflowError";
    } catch (Throwable e) {
      var trace = new java.io.StringWriter();
      e.printStackTrace(new java.io.PrintWriter(trace));
      return trace.toString().lines().limit(12).reduce((a, b) -> a + "\n" + b).orElse("");
    }
  }

  /** One to three mutations of a corpus file. */
  static byte[] mutate(Random random, byte[] seed) {
    String s = new String(seed, StandardCharsets.UTF_8);
    for (int n = 1 + random.nextInt(3); n > 0; n--) {
      List<String> lines = new ArrayList<>(Arrays.asList(s.split("\n", -1)));
      int at = random.nextInt(lines.size());
      String line = lines.get(at);
      int colon = line.indexOf(": ");
      switch (random.nextInt(10)) {
        case 0 -> s = s.substring(0, random.nextInt(s.length() + 1)); // truncated
        case 1 -> { // a value swapped for another type
          if (colon > 0) {
            lines.set(at, line.substring(0, colon + 2) + pick(random, VALUES));
          }
          s = String.join("\n", lines);
        }
        case 2 -> { // a key given twice
          lines.add(at, line);
          s = String.join("\n", lines);
        }
        case 3 -> { // a line dropped
          lines.remove(at);
          s = String.join("\n", lines);
        }
        case 4 -> { // indentation changed, or a tab
          lines.set(at, (random.nextBoolean() ? "\t" : "   ") + line);
          s = String.join("\n", lines);
        }
        case 5 -> { // deep nesting, flow or block
          int depth = 1 + random.nextInt(random.nextBoolean() ? 30 : 20_000);
          String deep =
              random.nextBoolean()
                  ? "[".repeat(depth) + "1" + "]".repeat(depth)
                  : "{a: ".repeat(depth) + "1" + "}".repeat(depth);
          if (colon > 0) {
            lines.set(at, line.substring(0, colon + 2) + deep);
          }
          s = String.join("\n", lines);
        }
        case 6 -> { // aliases that expand (a small billion laughs)
          s =
              "x: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\ny: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
                  + "z: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n"
                  + s
                  + "\ntags: [*c, *c, *c, *c, *c, *c, *c, *c]";
        }
        case 7 -> { // a byte that is not UTF-8 on its own, or a control character
          char[] chars = s.toCharArray();
          if (chars.length > 0) {
            chars[random.nextInt(chars.length)] = random.nextBoolean() ? '\u0000' : '\uFFFE';
          }
          s = new String(chars);
        }
        case 8 -> { // a number at an edge
          s = s.replaceFirst("\\b\\d+\\b", pick(random, VALUES.subList(4, 18)));
        }
        default -> { // a stray token
          int i = random.nextInt(s.length() + 1);
          s =
              s.substring(0, i)
                  + pick(
                      random,
                      List.of(
                          ":", "- ", "{", "}", "[", "]", "&", "*", "!", "|", ">", "#", "'", "\"",
                          "%", "@", "`", "---\n", "...\n"))
                  + s.substring(i);
        }
      }
    }
    byte[] out = s.getBytes(StandardCharsets.UTF_8);
    if (random.nextInt(20) == 0 && out.length > 0) {
      out[random.nextInt(out.length)] = (byte) (0x80 | random.nextInt(0x80)); // bad UTF-8
    }
    return out;
  }

  private static String pick(Random random, List<String> from) {
    return from.get(random.nextInt(from.size()));
  }

  private static String report(Kind kind, int i, byte[] input, List<String> sets, String why)
      throws IOException {
    Path dir = Path.of("target", "fuzz-failures");
    Files.createDirectories(dir);
    Path file = dir.resolve("spec-" + kind + "-seed" + SEED + "-" + i + ".txt");
    Files.write(file, input);
    String shown = new String(input, StandardCharsets.UTF_8);
    return kind
        + " (fuzz.seed="
        + SEED
        + ", iteration "
        + i
        + ", --set "
        + sets
        + ", input in "
        + file.toAbsolutePath()
        + "):\n"
        + (shown.length() > 400 ? shown.substring(0, 400) + "..." : shown)
        + "\n -> "
        + why;
  }

  static List<byte[]> corpus() throws IOException {
    Path dir = Path.of("src/test/resources/fuzz-corpus/spec");
    try (Stream<Path> files = Files.list(dir)) {
      List<byte[]> out = new ArrayList<>();
      for (Path f : files.sorted().toList()) {
        out.add(Files.readAllBytes(f));
      }
      assertTrue(!out.isEmpty(), "no seed inputs in " + dir);
      return out;
    }
  }
}
