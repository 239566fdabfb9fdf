package dev.knoe.autoscaler.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Trace files and generated traffic. */
class TraceTest {

  private static double rate(ArrivalSource s, double seconds) {
    long n = 0;
    double last = -1;
    while (s.next() && s.arrival() < seconds) {
      assertTrue(s.arrival() >= last, "arrivals never go back");
      last = s.arrival();
      n++;
    }
    return n / seconds;
  }

  @Test
  void poissonMeanRate() {
    assertEquals(
        5, rate(new PoissonSource(5, ServiceTime.fixed(0.05), new SplittableRandom(1)), 3600), 0.1);
    assertEquals(
        0.2,
        rate(new PoissonSource(0.2, ServiceTime.fixed(0.05), new SplittableRandom(2)), 36000),
        0.01);
    assertFalse(
        new PoissonSource(0, ServiceTime.fixed(0.05), new SplittableRandom(1)).next(),
        "rate 0: no request");
  }

  @Test
  void exponentialServiceTimesHaveTheirMean() {
    PoissonSource s = new PoissonSource(10, ServiceTime.exponential(0.05), new SplittableRandom(3));
    double sum = 0;
    for (int i = 0; i < 100_000; i++) {
      s.next();
      sum += s.service();
    }
    assertEquals(0.05, sum / 100_000, 0.001);
  }

  @Test
  void diurnalFollowsItsRate() {
    DiurnalSource d =
        new DiurnalSource(1, 9, 3600, ServiceTime.fixed(0.05), new SplittableRandom(4));
    assertEquals(1, d.rate(0), 1e-9);
    assertEquals(9, d.rate(1800), 1e-9);
    // Over whole periods the mean is (low + peak) / 2; the quiet quarter gets far fewer than the
    // peak one.
    assertEquals(
        5,
        rate(
            new DiurnalSource(1, 9, 3600, ServiceTime.fixed(0.05), new SplittableRandom(4)), 36000),
        0.15);
    DiurnalSource e =
        new DiurnalSource(1, 9, 3600, ServiceTime.fixed(0.05), new SplittableRandom(5));
    int quiet = 0;
    int busy = 0;
    while (e.next() && e.arrival() < 3600) {
      if (e.arrival() < 600) {
        quiet++;
      } else if (e.arrival() >= 1500 && e.arrival() < 2100) {
        busy++;
      }
    }
    assertTrue(busy > 3 * quiet, busy + " requests around the peak, " + quiet + " at the start");
  }

  @Test
  void burstyAlternatesQuietAndBursts() {
    // Long-run rate: (0.5 x 60 + 20 x 15) / 75 = 4.4/s.
    assertEquals(
        4.4,
        rate(
            new BurstySource(0.5, 20, 60, 15, ServiceTime.fixed(0.05), new SplittableRandom(6)),
            100 * 3600.0),
        0.25);
    BurstySource b =
        new BurstySource(0, 50, 100, 10, ServiceTime.fixed(0.05), new SplittableRandom(7));
    int[] perSecond = new int[3600];
    while (b.next() && b.arrival() < 3600) {
      perSecond[(int) b.arrival()]++;
    }
    int silent = 0;
    for (int c : perSecond) {
      if (c == 0) {
        silent++;
      }
    }
    assertTrue(silent > 2500, "quiet rate 0: most seconds have no request (" + silent + ")");
  }

  @Test
  void generatedDeploymentsAreReproducibleAndDifferent() {
    Pattern p =
        new Pattern(Pattern.Kind.POISSON, 3, 0, 1, 1, 1, ServiceTime.exponential(0.05), 2, 11);
    ArrivalSource a = p.open(0);
    ArrivalSource again = p.open(0);
    ArrivalSource other = p.open(1);
    a.next();
    again.next();
    other.next();
    assertEquals(a.arrival(), again.arrival());
    assertEquals(a.service(), again.service());
    assertTrue(a.arrival() != other.arrival());
  }

  @Test
  void csvWithHeaderDeploymentsAndUnsortedLines() throws Exception {
    CsvTrace t =
        CsvTrace.read(
            "t.csv",
            new StringReader(
                """
        arrival_seconds,service_seconds,deployment
        # a comment
        2.0,0.1,blue

        1.0,0.2,green
        0.5,0.3,blue
        """));
    assertEquals(2, t.deployments());
    assertEquals("blue", t.name(0));
    assertEquals(1, t.indexOf("green"));
    ArrivalSource blue = t.open(0);
    assertTrue(blue.next());
    assertEquals(0.5, blue.arrival());
    assertEquals(0.3, blue.service());
    assertTrue(blue.next());
    assertEquals(2.0, blue.arrival());
    assertFalse(blue.next());
    assertEquals(2.0, t.lastArrival());
  }

  @Test
  void csvErrorsNameTheLineAndColumn() {
    TraceFormatException e =
        assertThrows(
            TraceFormatException.class,
            () ->
                CsvTrace.read(
                    "t.csv",
                    new StringReader("arrival_seconds,service_seconds\n0.1,0.05\n0.2,abc\n")));
    assertEquals("t.csv line 3, column 2 (service_seconds): 'abc' is not a number", e.getMessage());
    e =
        assertThrows(
            TraceFormatException.class,
            () -> CsvTrace.read("t.csv", new StringReader("0.1,0.05\n\n0.2\n")));
    assertTrue(e.getMessage().startsWith("t.csv line 3: expected 2 or 3 columns"), e.getMessage());
    e =
        assertThrows(
            TraceFormatException.class,
            () -> CsvTrace.read("t.csv", new StringReader("0.1,0.05\n-1,0.05\n")));
    assertTrue(
        e.getMessage().startsWith("t.csv line 2, column 1 (arrival_seconds)"), e.getMessage());
    e =
        assertThrows(
            TraceFormatException.class, () -> CsvTrace.read("t.csv", new StringReader("a,b\n")));
    assertTrue(e.getMessage().contains("no request"), e.getMessage());
  }

  @Test
  void aWrittenTraceReadsBack() throws Exception {
    Pattern p =
        new Pattern(Pattern.Kind.BURSTY, 0.1, 10, 0, 30, 10, ServiceTime.exponential(0.2), 2, 3);
    StringWriter w = new StringWriter();
    long n = CsvTrace.write(p, 300, w);
    CsvTrace back = CsvTrace.read("w.csv", new StringReader(w.toString()));
    assertEquals(2, back.deployments());
    assertEquals(n, back.requests(0) + back.requests(1));
    ArrivalSource a = p.open(1);
    ArrivalSource b = back.open(1);
    a.next();
    b.next();
    assertEquals(a.arrival(), b.arrival(), 0.0005);
  }

  @Test
  void latencyPercentilesAreWithinTheirBucket() {
    LatencyHistogram h = new LatencyHistogram();
    h.recordZero(900);
    for (int i = 1; i <= 100; i++) {
      h.record(i / 100.0); // 10 ms .. 1 s
    }
    assertEquals(0, h.percentile(90));
    assertEquals(0.5, h.percentile(95), 0.5 * 0.025);
    assertEquals(0.99, h.percentile(99.9), 0.99 * 0.025);
    assertEquals(1.0, h.max());
    assertEquals(100, h.waited());
  }

  @Test
  void latencyHistogramsMergeAndKeepWaitsBeyondTheirRange() {
    LatencyHistogram a = new LatencyHistogram();
    LatencyHistogram b = new LatencyHistogram();
    a.record(0.0000004); // below 1 µs: no wait
    a.record(0.128);
    b.record(20_000); // beyond the 10^4 s range: counted at its top, maximum still exact
    a.add(b);
    assertEquals(3, a.count());
    assertEquals(2, a.waited());
    assertEquals(0, a.percentile(33));
    assertEquals(0.128, a.percentile(50), 0.128 * 0.001);
    assertEquals(10_000, a.percentile(100), 10_000 * 0.001);
    assertEquals(20_000, a.max());
    a.clear();
    assertEquals(0, a.count());
    assertEquals(0, a.percentile(99));
  }
}
