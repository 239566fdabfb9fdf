package dev.knoe.autoscaler.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.autoscaler.Autoscaler;
import dev.knoe.autoscaler.ScalingPolicy;
import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** What a user of the simulator would notice: instance counts, cold starts, waits, totals. */
class DeploymentSimulatorTest {

  /**
   * Azure-style: 4 requests per instance at 70 %: 2.8 in flight per instance, scale to zero
   * allowed.
   */
  private static final ScalingPolicy POLICY =
      ScalingPolicy.forDeployment(ScalingPolicy.builder().build(), true, 1, 0, 0, 70, 4);

  private static SplittableRandom random() {
    return new SplittableRandom(42);
  }

  @Test
  void constantPoissonLoadGetsLoadOverTargetInstances() {
    // 100 requests/s of 100 ms: 10 in flight; at 2.8 per instance ceil(10 / 2.8) = 4 instances.
    double duration = 1800;
    DeploymentSimulator sim = new DeploymentSimulator(4, 1.0, 0, duration);
    Timeline t = new Timeline("d", (int) duration);
    LatencyHistogram latency = new LatencyHistogram();
    sim.run(
        new PoissonSource(100, ServiceTime.exponential(0.1), random()),
        new Autoscaler(POLICY),
        0,
        latency,
        t,
        random());
    int[] counts = new int[64];
    for (int s = 300; s < duration; s++) { // after the start-up
      counts[Math.min(63, t.ready[s])]++;
    }
    int mode = 0;
    for (int i = 1; i < counts.length; i++) {
      if (counts[i] > counts[mode]) {
        mode = i;
      }
    }
    assertTrue(mode == 4 || mode == 5, "most of the time 4 instances (5 with noise), was " + mode);
    double inFlight = 0;
    for (int s = 300; s < duration; s++) {
      inFlight += t.inFlight[s];
    }
    assertEquals(10, inFlight / (duration - 300), 0.5, "Little's law: 100/s x 0.1 s in flight");
    assertEquals(sim.requests(), latency.count(), "every request was answered");
  }

  @Test
  void aFixedDeploymentNeverColdStartsAndPaysSizeTimesDuration() {
    DeploymentSimulator sim = new DeploymentSimulator(1, 1.0, 0, 600);
    LatencyHistogram latency = new LatencyHistogram();
    sim.run(
        new PoissonSource(20, ServiceTime.exponential(0.05), random()),
        null,
        3,
        latency,
        null,
        random());
    assertEquals(0, sim.coldStarts());
    assertEquals(0, sim.coldWaited());
    assertEquals(3 * 600, sim.instanceSeconds(), 1e-6);
    assertEquals(sim.requests(), latency.count());
  }

  @Test
  void aSingleInstanceQueuesLikeMm1() {
    // M/M/1 at 2/s of 50 ms: utilization 0.1 = share of requests that wait; waits beyond that are
    // exponential at 20 - 2 = 18/s, so p99 = ln(10) / 18 = 128 ms.
    DeploymentSimulator sim = new DeploymentSimulator(1, 1.0, 0, 20 * 3600);
    LatencyHistogram latency = new LatencyHistogram();
    sim.run(
        new PoissonSource(2, ServiceTime.exponential(0.05), random()),
        null,
        1,
        latency,
        null,
        random());
    assertEquals(0.1, latency.waited() / (double) latency.count(), 0.005);
    assertEquals(Math.log(10) / 18, latency.percentile(99), 0.008);
  }

  @Test
  void aLongQuietGapScalesToZeroAndTheNextRequestWaitsTheStartTime() throws Exception {
    StringBuilder csv = new StringBuilder("arrival_seconds,service_seconds\n");
    for (int i = 0; i < 20; i++) {
      csv.append(i * 0.5).append(",0.05\n");
    }
    csv.append("600,0.05\n");
    for (double start : new double[] {1.0, 2.5}) {
      DeploymentSimulator sim = new DeploymentSimulator(4, start, 0, 700);
      Timeline t = new Timeline("d", 700);
      LatencyHistogram latency = new LatencyHistogram();
      sim.run(trace(csv.toString()), new Autoscaler(POLICY), 0, latency, t, random());
      assertEquals(0, t.ready[590], "scaled to zero during the gap");
      assertEquals(0, t.held[590], "nothing paid for at zero");
      assertEquals(start, latency.max(), 0.002, "the request after the gap waits one start");
      assertEquals(1, sim.coldWaited(), "only it waited for a cold start");
      assertEquals(1, sim.coldStarts());
      assertTrue(t.ready[602] >= 1, "an instance serves it");
      assertEquals(21, latency.count());
    }
  }

  @Test
  void scaleToZeroTakesAStableWindowAndTheGracePeriod() throws Exception {
    // Knative: the stable average must be 0 (a window after the last request), then the grace
    // period.
    ScalingPolicy policy =
        POLICY.toBuilder()
            .stableWindow(Duration.ofSeconds(20))
            .scaleToZeroGracePeriod(Duration.ofSeconds(10))
            .build();
    DeploymentSimulator sim = new DeploymentSimulator(4, 1.0, 0, 300);
    Timeline t = new Timeline("d", 300);
    sim.run(trace("100,0.05\n"), new Autoscaler(policy), 0, new LatencyHistogram(), t, random());
    int lastReady = -1;
    for (int s = 0; s < 300; s++) {
      if (t.ready[s] > 0) {
        lastReady = s;
      }
    }
    assertTrue(
        lastReady >= 100 + 20 + 10 - 2 && lastReady <= 100 + 20 + 10 + 4,
        "the last instance goes about 30 s after the request, at " + lastReady);
  }

  @Test
  void scaleInLetsBusyInstancesFinish() throws Exception {
    // A 120 s request at t=0, then a burst that scales out, then quiet: the long request is never
    // cut short (no extra wait, it is answered) and its instance is paid for until it ends.
    StringBuilder csv = new StringBuilder("0,120\n");
    for (int i = 0; i < 400; i++) {
      csv.append(5 + i * 0.05).append(",0.5\n");
    }
    DeploymentSimulator sim = new DeploymentSimulator(4, 1.0, 0, 400);
    Timeline t = new Timeline("d", 400);
    LatencyHistogram latency = new LatencyHistogram();
    sim.run(trace(csv.toString()), new Autoscaler(POLICY), 0, latency, t, random());
    assertEquals(401, latency.count());
    assertEquals(0, sim.unfinished());
    for (int s = 0; s < 120; s++) {
      assertTrue(t.held[s] >= 1, "an instance held at " + s);
    }
    int peak = 0;
    for (int s = 0; s < 400; s++) {
      peak = Math.max(peak, t.ready[s]);
    }
    assertTrue(peak >= 4, "the burst (10 in flight) scaled out, peak " + peak);
    assertEquals(0, t.held[399], "and everything went after");
  }

  @Test
  void startJitterSpreadsStarts() throws Exception {
    DeploymentSimulator sim = new DeploymentSimulator(4, 1.0, 2.0, 700);
    LatencyHistogram latency = new LatencyHistogram();
    sim.run(trace("600,0.05\n"), new Autoscaler(POLICY), 0, latency, null, new SplittableRandom(7));
    assertTrue(
        latency.max() >= 1.0 && latency.max() <= 3.0, "1 s + up to 2 s, was " + latency.max());
  }

  @Test
  void resultsDoNotDependOnThreads() {
    Pattern p =
        new Pattern(Pattern.Kind.BURSTY, 0.5, 20, 0, 60, 15, ServiceTime.exponential(0.1), 40, 9);
    SimulationResult one = Simulation.run(new SimulationSpec(p, POLICY, 900, 1.0, 0.5, 0, 1, 3, 5));
    SimulationResult two = Simulation.run(new SimulationSpec(p, POLICY, 900, 1.0, 0.5, 0, 2, 3, 5));
    assertEquals(one.requests(), two.requests());
    assertEquals(one.instanceSeconds(), two.instanceSeconds());
    assertEquals(one.fixedInstanceSeconds(), two.fixedInstanceSeconds());
    assertEquals(one.coldStarts(), two.coldStarts());
    assertEquals(one.coldWaited(), two.coldWaited());
    assertEquals(one.latency().percentile(99), two.latency().percentile(99));
    assertEquals("deployment-4", one.timeline().deployment());
    assertTrue(
        one.instanceSeconds() < one.fixedInstanceSeconds(),
        "bursty traffic: autoscaling pays less");
    assertTrue(one.coldStarts() > 0 && one.coldWaited() > 0);
    assertEquals(one.requests(), one.latency().count());
    assertEquals(one.requests(), one.fixedLatency().count());
  }

  private static ArrivalSource trace(String csv) throws IOException, TraceFormatException {
    return CsvTrace.read("test.csv", new StringReader(csv)).open(0);
  }
}
