package dev.knoe.autoscaler.sim;

import dev.knoe.autoscaler.Autoscaler;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs every deployment of a {@link SimulationSpec} twice, autoscaled (Knative's decision, {@link
 * Autoscaler}) and at a fixed size, on a few worker threads: a worker takes the next few
 * deployments, owns their Autoscalers and reuses one {@link DeploymentSimulator}. The totals do not
 * depend on the number of threads (integer counts, and sums taken in deployment order).
 */
public final class Simulation {

  private static final int CHUNK = 8;

  private Simulation() {}

  public static SimulationResult run(SimulationSpec spec) {
    long t0 = System.nanoTime();
    int n = spec.workload().deployments();
    double[] autoSeconds = new double[n];
    double[] fixedSeconds = new double[n];
    AtomicInteger next = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    int threads = Math.min(spec.threads(), Math.max(1, (n + CHUNK - 1) / CHUNK));
    List<Worker> workers = new ArrayList<>();
    List<Thread> running = new ArrayList<>();
    for (int w = 0; w < threads; w++) {
      Worker worker = new Worker(spec, next, autoSeconds, fixedSeconds);
      workers.add(worker);
      Thread t =
          new Thread(
              () -> {
                try {
                  worker.work();
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                  next.set(Integer.MAX_VALUE / 2); // the others stop early
                }
              },
              "simulate-" + w);
      running.add(t);
      t.start();
    }
    for (Thread t : running) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    if (failure.get() != null) {
      Throwable e = failure.get();
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e);
    }
    LatencyHistogram latency = new LatencyHistogram();
    LatencyHistogram fixedLatency = new LatencyHistogram();
    long requests = 0;
    long coldStarts = 0;
    long coldWaited = 0;
    long fixedInstances = 0;
    long unfinished = 0;
    int peak = 0;
    Timeline timeline = null;
    for (Worker w : workers) {
      latency.add(w.latency);
      fixedLatency.add(w.fixedLatency);
      requests += w.requests;
      coldStarts += w.coldStarts;
      coldWaited += w.coldWaited;
      fixedInstances += w.fixedInstances;
      unfinished += w.unfinished;
      peak = Math.max(peak, w.peak);
      if (w.timeline != null) {
        timeline = w.timeline;
      }
    }
    double instanceSeconds = 0;
    double fixedInstanceSeconds = 0;
    for (int i = 0; i < n; i++) {
      instanceSeconds += autoSeconds[i];
      fixedInstanceSeconds += fixedSeconds[i];
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    return new SimulationResult(
        n,
        spec.durationSeconds(),
        requests,
        instanceSeconds,
        fixedInstanceSeconds,
        coldStarts,
        coldWaited,
        latency,
        fixedLatency,
        peak,
        fixedInstances,
        unfinished,
        timeline,
        wall,
        threads);
  }

  /** One worker thread's share. */
  private static final class Worker {
    final SimulationSpec spec;
    final AtomicInteger next;
    final double[] autoSeconds;
    final double[] fixedSeconds;
    final DeploymentSimulator sim;
    final LatencyHistogram latency = new LatencyHistogram();
    final LatencyHistogram fixedLatency = new LatencyHistogram();
    long requests;
    long coldStarts;
    long coldWaited;
    long fixedInstances;
    long unfinished;
    int peak;
    Timeline timeline;

    Worker(SimulationSpec spec, AtomicInteger next, double[] autoSeconds, double[] fixedSeconds) {
      this.spec = spec;
      this.next = next;
      this.autoSeconds = autoSeconds;
      this.fixedSeconds = fixedSeconds;
      this.sim =
          new DeploymentSimulator(
              spec.policy().containerConcurrency(),
              spec.startSeconds(),
              spec.startJitterSeconds(),
              spec.durationSeconds());
    }

    void work() {
      int n = spec.workload().deployments();
      while (true) {
        int from = next.getAndAdd(CHUNK);
        if (from >= n) {
          return;
        }
        for (int d = from; d < Math.min(n, from + CHUNK); d++) {
          one(d);
        }
      }
    }

    private void one(int d) {
      Workload w = spec.workload();
      Timeline tl =
          d == spec.plotDeployment()
              ? new Timeline(w.name(d), (int) Math.ceil(spec.durationSeconds()))
              : null;
      SplittableRandom jitter =
          new SplittableRandom(Pattern.seedOf(spec.seed() ^ 0x6A09E667F3BCC909L, d));
      sim.run(w.open(d), new Autoscaler(spec.policy()), 0, latency, tl, jitter);
      requests += sim.requests();
      autoSeconds[d] = sim.instanceSeconds();
      coldStarts += sim.coldStarts();
      coldWaited += sim.coldWaited();
      unfinished += sim.unfinished();
      int peakReady = sim.peakReady();
      peak = Math.max(peak, peakReady);

      int size = spec.fixedSize() > 0 ? spec.fixedSize() : Math.max(1, peakReady);
      sim.run(w.open(d), null, size, fixedLatency, null, jitter);
      fixedSeconds[d] = sim.instanceSeconds();
      fixedInstances += size;
      unfinished += sim.unfinished();
      if (tl != null) {
        tl.fixedSize = size;
        timeline = tl;
      }
    }
  }
}
