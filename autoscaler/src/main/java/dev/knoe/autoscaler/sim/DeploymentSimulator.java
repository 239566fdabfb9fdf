package dev.knoe.autoscaler.sim;

import dev.knoe.autoscaler.Autoscaler;
import dev.knoe.autoscaler.Decision;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The event-driven model of one deployment behind the router. Reused for many runs by one thread
 * (its arrays only grow), so the hot loop allocates nothing per request.
 *
 * <ul>
 *   <li>An instance works on at most {@code concurrency} requests at once. A request goes to the
 *       ready instance with the fewest requests; when every ready instance is full, or none is
 *       ready, it waits in the router's FIFO queue (Knative's activator) until a slot frees.
 *   <li>Every second (at t = 1, 2, ... s) the time-averaged number of requests in flight over that
 *       second (queued + being served, as Knative's queue-proxies and activator report it) goes to
 *       {@link Autoscaler#record}; every 2 s {@link Autoscaler#decide} gets the ready count and its
 *       {@code desired} is applied. A request that finds the deployment at zero (nothing wanted,
 *       nothing ready) decides at once with the queue as the load (the activator's "poke", as the
 *       control module's ScaledDeployment does).
 *   <li>More instances wanted: each is ready {@code start + U(0, jitter)} seconds later. Fewer:
 *       instances still starting are cancelled first (latest first), then idle ready ones go, then
 *       the least busy ones stop taking requests and go when their last request is done.
 *   <li>Instance-seconds count every instance from the moment it is asked for (starting, ready or
 *       draining: what would be paid for) until it goes, over [0, duration].
 *   <li>A request "waited for a cold start" if it was in the queue at some moment while an instance
 *       was starting (it queued while one was starting, or one was asked for while it waited). Its
 *       added latency is the time it queued (response time minus service time).
 * </ul>
 *
 * <p>A run starts with the initial scale (autoscaled) or the fixed size ready at t = 0: a
 * deployment that exists when the trace begins; those are not cold starts. Arrivals at or after the
 * duration are dropped; after it, the run goes on (decisions included) until every request that
 * arrived is answered, for its latency, but instance-seconds stop at the duration.
 */
final class DeploymentSimulator {

  private static final byte FREE = 0;
  private static final byte STARTING = 1;
  private static final byte READY = 2;
  private static final byte DRAINING = 3;
  private static final double NEVER = Double.POSITIVE_INFINITY;

  /** After the duration, a run that cannot drain its queue stops after this many more seconds. */
  private static final long TAIL_LIMIT_SECONDS = 24 * 3600;

  private final int concurrency;
  private final double startSeconds;
  private final double startJitter;
  private final double end;
  private final long endSecond;

  // Instances: slots in parallel arrays, reused through a free list.
  private byte[] state = new byte[16];
  private int[] load = new int[16];
  private double[] readyAt = new double[16];
  private int[] nextInLevel = new int[16];
  private int[] prevInLevel = new int[16];
  private final int[] levelHead; // ready instances by load, 0..concurrency (doubly linked lists)
  private int minLevel;
  private int[] freeSlots = new int[16];
  private int freeCount;
  private int slotsUsed;
  private int[] starting = new int[16];
  private int startingCount;
  private double nextReady = NEVER;
  private int ready;
  private int held;
  private int desired;

  // The router's queue: circular arrays; a request's sequence number is qSeqHead + its position.
  private double[] qArrival = new double[64];
  private double[] qService = new double[64];
  private int qHead;
  private int qSize;
  private long qSeqHead;
  private long coldMark; // requests with a sequence number below it waited for a cold start

  // Completions: a binary min-heap of (time, instance).
  private double[] hTime = new double[64];
  private int[] hInst = new int[64];
  private int hSize;

  // Accounting.
  private double last;
  private double area;
  private int inFlight;
  private int arrivalsThisSecond;
  private double instanceSeconds;
  private long requests;
  private long coldWaited;
  private int coldStarts;
  private int peakReady;
  private int peakHeld;
  private long unfinished;

  private Autoscaler scaler;
  private LatencyHistogram latency;
  private Timeline timeline;
  private SplittableRandom jitter;

  /**
   * @param concurrency requests an instance works on at once, at least 1
   * @param startSeconds time from asking for an instance until it is ready
   * @param startJitterSeconds a uniform random 0..jitter added to each start
   * @param durationSeconds the length of the trace that is replayed
   */
  DeploymentSimulator(
      int concurrency, double startSeconds, double startJitterSeconds, double durationSeconds) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency " + concurrency + ", must be at least 1");
    }
    if (!(startSeconds >= 0) || !(startJitterSeconds >= 0)) {
      throw new IllegalArgumentException("start time and jitter must be at least 0");
    }
    if (!(durationSeconds > 0) || Double.isInfinite(durationSeconds)) {
      throw new IllegalArgumentException("duration " + durationSeconds + " s, must be above 0");
    }
    this.concurrency = concurrency;
    this.startSeconds = startSeconds;
    this.startJitter = startJitterSeconds;
    this.end = durationSeconds;
    this.endSecond = (long) Math.ceil(durationSeconds);
    this.levelHead = new int[concurrency + 1];
  }

  /**
   * Replays {@code source} through an autoscaled deployment ({@code scaler} given, {@code
   * fixedSize} ignored) or a fixed one ({@code scaler} null, {@code fixedSize} instances).
   *
   * @param latency gets every request's added latency
   * @param timeline gets the per-second series, or null
   * @param jitter draws start jitter (unused without jitter)
   */
  void run(
      ArrivalSource source,
      Autoscaler scaler,
      int fixedSize,
      LatencyHistogram latency,
      Timeline timeline,
      SplittableRandom jitter) {
    reset();
    this.scaler = scaler;
    this.latency = latency;
    this.timeline = timeline;
    this.jitter = jitter;
    int initial = scaler == null ? fixedSize : scaler.policy().initialScale();
    for (int n = 0; n < initial; n++) {
      int i = newSlot();
      state[i] = READY;
      load[i] = 0;
      link(i, 0);
      ready++;
      held++;
    }
    minLevel = 0;
    desired = initial;
    peakReady = ready;
    peakHeld = held;

    boolean more = source.next();
    double ta = more ? source.arrival() : NEVER;
    if (ta >= end) {
      more = false;
      ta = NEVER;
    }
    long k = 1;
    long limit = endSecond + TAIL_LIMIT_SECONDS;
    while (true) {
      double tc = hSize > 0 ? hTime[0] : NEVER;
      double tr = startingCount > 0 ? nextReady : NEVER;
      if (tc <= tr && tc <= k && tc <= ta) {
        complete();
      } else if (tr <= k && tr <= ta) {
        instanceReady();
      } else if (k <= ta) {
        if (k > endSecond && !more && inFlight == 0) {
          break;
        }
        if (k > limit) {
          unfinished = inFlight;
          break;
        }
        second(k);
        k++;
      } else {
        arrive(ta, source.service());
        more = source.next();
        ta = more ? source.arrival() : NEVER;
        if (ta >= end) {
          more = false;
          ta = NEVER;
        }
      }
    }
    this.scaler = null;
    this.latency = null;
    this.timeline = null;
    this.jitter = null;
  }

  // Results of the last run.

  long requests() {
    return requests;
  }

  double instanceSeconds() {
    return instanceSeconds;
  }

  /** Instances that became ready after t = 0. */
  int coldStarts() {
    return coldStarts;
  }

  long coldWaited() {
    return coldWaited;
  }

  int peakReady() {
    return peakReady;
  }

  int peakHeld() {
    return peakHeld;
  }

  /**
   * Requests still unanswered a day after the duration (only with a deployment that cannot serve).
   */
  long unfinished() {
    return unfinished;
  }

  private void reset() {
    Arrays.fill(state, 0, slotsUsed, FREE);
    Arrays.fill(levelHead, -1);
    minLevel = 0;
    freeCount = 0;
    slotsUsed = 0;
    startingCount = 0;
    nextReady = NEVER;
    ready = 0;
    held = 0;
    desired = 0;
    qHead = 0;
    qSize = 0;
    qSeqHead = 0;
    coldMark = 0;
    hSize = 0;
    last = 0;
    area = 0;
    inFlight = 0;
    arrivalsThisSecond = 0;
    instanceSeconds = 0;
    requests = 0;
    coldWaited = 0;
    coldStarts = 0;
    peakReady = 0;
    peakHeld = 0;
    unfinished = 0;
  }

  /** Moves the clock to {@code t}, integrating requests in flight and instances held. */
  private void advance(double t) {
    double dt = t - last;
    if (dt > 0) {
      area += inFlight * dt;
      if (last < end) {
        instanceSeconds += held * (Math.min(t, end) - last);
      }
      last = t;
    }
  }

  private void arrive(double t, double service) {
    advance(t);
    requests++;
    inFlight++;
    arrivalsThisSecond++;
    if (qSize == 0) {
      int i = pick();
      if (i >= 0) {
        latency.recordZero(1);
        push(t + service, i);
        return;
      }
    }
    enqueue(t, service);
    if (startingCount > 0) {
      coldMark = qSeqHead + qSize;
    } else if (scaler != null && desired == 0 && ready == 0) {
      // The activator's poke: decide now with the waiting requests as the load.
      long ms = (long) Math.floor(t * 1000);
      scaler.record(ms, Math.max(1, qSize));
      apply(scaler.decide(ms, ready).desired(), t);
    }
  }

  private void complete() {
    double t = hTime[0];
    int i = hInst[0];
    pop();
    advance(t);
    inFlight--;
    if (state[i] == READY) {
      int l = load[i];
      unlink(i, l);
      load[i] = l - 1;
      link(i, l - 1);
      if (l - 1 < minLevel) {
        minLevel = l - 1;
      }
      if (qSize > 0) {
        dispatch(t);
      }
    } else { // draining
      if (--load[i] == 0) {
        release(i);
      }
    }
  }

  private void instanceReady() {
    double t = nextReady;
    int at = 0;
    for (int s = 1; s < startingCount; s++) {
      if (readyAt[starting[s]] < readyAt[starting[at]]) {
        at = s;
      }
    }
    int i = starting[at];
    starting[at] = starting[--startingCount];
    advance(t);
    state[i] = READY;
    load[i] = 0;
    link(i, 0);
    minLevel = 0;
    ready++;
    coldStarts++;
    if (ready > peakReady) {
      peakReady = ready;
    }
    updateNextReady();
    if (qSize > 0) {
      dispatch(t);
    }
  }

  private void second(long k) {
    advance(k);
    double average = area; // over exactly one second
    area = 0;
    if (scaler != null) {
      long ms = k * 1000 - 1; // the last millisecond of the second that ends now
      scaler.record(ms, average);
      if ((k & 1) == 0) {
        Decision d = scaler.decide(ms, ready);
        apply(d.desired(), k);
        if (timeline != null && k <= timeline.seconds()) {
          timeline.stable[(int) k - 1] = d.stable();
        }
      }
    }
    if (timeline != null && k <= timeline.seconds()) {
      int s = (int) k - 1;
      timeline.arrivals[s] = arrivalsThisSecond;
      timeline.inFlight[s] = average;
      timeline.desired[s] = desired;
      timeline.ready[s] = ready;
      timeline.held[s] = held;
    }
    arrivalsThisSecond = 0;
  }

  /** Applies a decision at {@code t}. */
  private void apply(int want, double t) {
    desired = want;
    int current = ready + startingCount;
    if (want > current) {
      for (int n = current; n < want; n++) {
        int i = newSlot();
        state[i] = STARTING;
        load[i] = 0;
        readyAt[i] = t + startSeconds + (startJitter > 0 ? startJitter * jitter.nextDouble() : 0);
        if (startingCount == starting.length) {
          starting = Arrays.copyOf(starting, startingCount * 2);
        }
        starting[startingCount++] = i;
        held++;
      }
      if (held > peakHeld) {
        peakHeld = held;
      }
      updateNextReady();
      coldMark = qSeqHead + qSize; // everything queued now waits while instances start
    } else if (want < current) {
      int excess = current - want;
      while (excess > 0 && startingCount > 0) {
        int at = 0;
        for (int s = 1; s < startingCount; s++) {
          if (readyAt[starting[s]] > readyAt[starting[at]]) {
            at = s;
          }
        }
        int i = starting[at];
        starting[at] = starting[--startingCount];
        release(i);
        excess--;
      }
      updateNextReady();
      while (excess > 0 && levelHead[0] >= 0) {
        int i = levelHead[0];
        unlink(i, 0);
        ready--;
        release(i);
        excess--;
      }
      for (int l = 1; excess > 0 && l <= concurrency; ) {
        int i = levelHead[l];
        if (i < 0) {
          l++;
          continue;
        }
        unlink(i, l);
        state[i] = DRAINING;
        ready--;
        excess--;
      }
    }
  }

  private void updateNextReady() {
    double min = NEVER;
    for (int s = 0; s < startingCount; s++) {
      min = Math.min(min, readyAt[starting[s]]);
    }
    nextReady = min;
  }

  /** Serves queued requests while a ready instance has a free slot. */
  private void dispatch(double t) {
    while (qSize > 0) {
      int i = pick();
      if (i < 0) {
        return;
      }
      double arrival = qArrival[qHead];
      double service = qService[qHead];
      long seq = qSeqHead;
      qHead = (qHead + 1) & (qArrival.length - 1);
      qSize--;
      qSeqHead++;
      latency.record(t - arrival);
      if (seq < coldMark) {
        coldWaited++;
        if (timeline != null && arrival < timeline.seconds()) {
          timeline.coldWaited[(int) arrival]++;
        }
      }
      push(t + service, i);
    }
  }

  private void enqueue(double arrival, double service) {
    if (qSize == qArrival.length) {
      int n = qArrival.length;
      double[] a = new double[n * 2];
      double[] s = new double[n * 2];
      for (int j = 0; j < n; j++) {
        a[j] = qArrival[(qHead + j) & (n - 1)];
        s[j] = qService[(qHead + j) & (n - 1)];
      }
      qArrival = a;
      qService = s;
      qHead = 0;
    }
    int at = (qHead + qSize) & (qArrival.length - 1);
    qArrival[at] = arrival;
    qService[at] = service;
    qSize++;
  }

  /**
   * Takes a slot on the least busy ready instance (adding 1 to its load), or -1 when all are full.
   */
  private int pick() {
    while (minLevel < concurrency && levelHead[minLevel] < 0) {
      minLevel++;
    }
    if (minLevel >= concurrency) {
      return -1;
    }
    int l = minLevel;
    int i = levelHead[l];
    unlink(i, l);
    load[i] = l + 1;
    link(i, l + 1);
    return i;
  }

  private void link(int i, int level) {
    int h = levelHead[level];
    nextInLevel[i] = h;
    prevInLevel[i] = -1;
    if (h >= 0) {
      prevInLevel[h] = i;
    }
    levelHead[level] = i;
  }

  private void unlink(int i, int level) {
    int p = prevInLevel[i];
    int n = nextInLevel[i];
    if (p >= 0) {
      nextInLevel[p] = n;
    } else {
      levelHead[level] = n;
    }
    if (n >= 0) {
      prevInLevel[n] = p;
    }
  }

  private int newSlot() {
    if (freeCount > 0) {
      return freeSlots[--freeCount];
    }
    if (slotsUsed == state.length) {
      int n = state.length * 2;
      state = Arrays.copyOf(state, n);
      load = Arrays.copyOf(load, n);
      readyAt = Arrays.copyOf(readyAt, n);
      nextInLevel = Arrays.copyOf(nextInLevel, n);
      prevInLevel = Arrays.copyOf(prevInLevel, n);
      freeSlots = Arrays.copyOf(freeSlots, n);
    }
    return slotsUsed++;
  }

  /** An instance goes (cancelled, removed or drained): it stops counting at the current time. */
  private void release(int i) {
    state[i] = FREE;
    freeSlots[freeCount++] = i;
    held--;
  }

  private void push(double time, int instance) {
    if (hSize == hTime.length) {
      hTime = Arrays.copyOf(hTime, hSize * 2);
      hInst = Arrays.copyOf(hInst, hSize * 2);
    }
    int at = hSize++;
    while (at > 0) {
      int parent = (at - 1) >>> 1;
      if (hTime[parent] <= time) {
        break;
      }
      hTime[at] = hTime[parent];
      hInst[at] = hInst[parent];
      at = parent;
    }
    hTime[at] = time;
    hInst[at] = instance;
  }

  private void pop() {
    int n = --hSize;
    if (n == 0) {
      return;
    }
    double time = hTime[n];
    int instance = hInst[n];
    int at = 0;
    while (true) {
      int child = 2 * at + 1;
      if (child >= n) {
        break;
      }
      if (child + 1 < n && hTime[child + 1] < hTime[child]) {
        child++;
      }
      if (hTime[child] >= time) {
        break;
      }
      hTime[at] = hTime[child];
      hInst[at] = hInst[child];
      at = child;
    }
    hTime[at] = time;
    hInst[at] = instance;
  }
}
