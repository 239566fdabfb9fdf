package dev.knoe.autoscaler.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line, as a user runs it. */
class SimulateTest {

  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Simulate.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static void assertUsageError(Run r, String mention) {
    assertEquals(2, r.code(), r.err());
    assertEquals("", r.out());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    assertTrue(r.err().contains(mention), r.err());
    assertTrue(
        !r.err().contains("Exception") && !r.err().contains("\tat "), "no stack trace: " + r.err());
  }

  @Test
  void badOptionsExitWith2AndNameTheOption() {
    assertUsageError(run("--bogus", "1"), "--bogus");
    assertUsageError(run("--rate", "fast"), "--rate");
    assertUsageError(run("--duration", "soon"), "--duration");
    assertUsageError(run("--pattern", "square"), "--pattern");
    assertUsageError(run("--rate"), "--rate needs a value");
    assertUsageError(run("--utilization", "150"), "--utilization");
    assertUsageError(run("--window", "2s"), "window");
    assertUsageError(run("--min", "5", "--max", "2"), "max_scale");
    assertUsageError(run("--initial", "5", "--max", "2"), "--initial 5 is above --max 2");
    assertUsageError(run("--duration", "0"), "--duration");
    assertUsageError(run("--trace", "/nonexistent/t.csv"), "no such file");
    assertUsageError(run("--trace", "x.csv", "--pattern", "poisson"), "--trace");
  }

  @Test
  void aMalformedTraceNamesItsLine() throws Exception {
    Path t = dir.resolve("t.csv");
    Files.writeString(t, "arrival_seconds,service_seconds\n1,0.1\n2;0.1\n");
    assertUsageError(run("--trace", t.toString()), "line 3");
  }

  @Test
  void helpListsTheOptions() {
    Run r = run("--help");
    assertEquals(0, r.code());
    assertTrue(r.out().contains("--pattern KIND"));
    assertTrue(r.out().contains("--svg FILE"));
  }

  @Test
  void aRunPrintsTheComparisonAndWritesThePlot() throws Exception {
    Path svg = dir.resolve("plots/run.svg");
    Run r =
        run(
            "--pattern",
            "bursty",
            "--rate",
            "0",
            "--peak",
            "20",
            "--quiet",
            "2m",
            "--burst",
            "30s",
            "--duration",
            "15m",
            "--deployments",
            "3",
            "--concurrency",
            "2",
            "--service-ms",
            "300",
            "--window",
            "20s",
            "--grace",
            "10s",
            "--svg",
            svg.toString(),
            "--plot-deployment",
            "2",
            "--threads",
            "2");
    assertEquals(0, r.code(), r.err());
    for (String row :
        new String[] {
          "instance-seconds",
          "cold starts",
          "requests that waited for a cold start",
          "added latency p50",
          "added latency p99",
          "added latency max",
          "Simulation wall time",
          "deployment-2"
        }) {
      assertTrue(r.out().contains(row), row + " in\n" + r.out());
    }
    assertTrue(Files.readString(svg).contains("</svg>"));
  }

  @Test
  void aTraceFileReplaysPerDeployment() throws Exception {
    Path t = dir.resolve("t.csv");
    Path back = dir.resolve("back.csv");
    Run w =
        run(
            "--pattern",
            "poisson",
            "--rate",
            "5",
            "--duration",
            "2m",
            "--deployments",
            "2",
            "--write-trace",
            t.toString());
    assertEquals(0, w.code(), w.err());
    Run r =
        run(
            "--trace",
            t.toString(),
            "--plot-deployment",
            "deployment-2",
            "--svg",
            dir.resolve("p.svg").toString(),
            "--write-trace",
            back.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("Simulated 2 deployment(s)"), r.out());
    assertTrue(r.out().contains("Plot of deployment-2"), r.out());
    assertEquals(Files.readString(t), Files.readString(back), "read and written back unchanged");
  }
}
