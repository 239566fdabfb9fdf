package dev.knoe.control.runtime.local;

import dev.knoe.control.runtime.local.Instance.State;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Keeps a deployment's instances running: {@link #scale} sets what and how many; the supervisor
 * starts processes, probes them, restarts crashed ones with back-off, rolls over to a new
 * generation without a moment with no ready instance, and tells {@link Listener}s which instances
 * are ready.
 *
 * <p>All state changes happen under this object's lock, on the caller's thread ({@link #scale}) or
 * on the scheduler's (timers, probe answers, process exits); nothing blocks while holding it but
 * starting a process and reading the end of a log. Time decisions read the injected clock.
 */
public final class InstanceSupervisor implements AutoCloseable {

  /** Told whenever the set of READY instances of a deployment changes. */
  @FunctionalInterface
  public interface Listener {
    /**
     * {@code ready}: the instances that may get traffic now, oldest first. Called under the
     * supervisor's lock, so calls arrive in order: return quickly, without waiting on other
     * threads.
     */
    void changed(String endpoint, String deployment, List<InstanceView> ready);
  }

  /**
   * Instances of the desired generation, for a deployment's {@code provisioning_state}.
   *
   * @param desired instances asked for
   * @param ready instances serving
   * @param starting instances starting that have not failed since they were last ready
   * @param failed instances that crashed or failed their probes since they were last ready,
   *     restarting ones included (a crash loop counts as failed throughout)
   * @param message the latest failure ("instance blue-2-0 exited with code 1: cannot load ONNX
   *     model ..."), else progress ("1 of 2 instances ready"), else empty
   */
  public record Status(int desired, int ready, int starting, int failed, String message) {}

  /**
   * How the supervisor acts, apart from the spec's probes.
   *
   * @param backoff restart delays of crashing instances
   * @param startupProbeInterval readiness probe interval until a process first passes (see {@link
   *     Probe#next})
   * @param drainDelay between taking a ready instance out of the listeners' set and SIGTERM, for
   *     requests already routed to it
   * @param stopGrace between SIGTERM and SIGKILL
   * @param crashLogLines lines of an ended process's log that the crash warning quotes (stack
   *     frames left out)
   */
  public record Settings(
      Backoff backoff,
      Duration startupProbeInterval,
      Duration drainDelay,
      Duration stopGrace,
      int crashLogLines) {

    public static final Settings DEFAULT =
        new Settings(
            Backoff.DEFAULT,
            Duration.ofMillis(20),
            Duration.ofSeconds(1),
            Duration.ofSeconds(10),
            10);

    public Settings {
      Objects.requireNonNull(backoff, "backoff");
      positive("startupProbeInterval", startupProbeInterval);
      if (drainDelay.isNegative()) {
        throw new IllegalArgumentException("drainDelay = " + drainDelay + ", must be at least 0");
      }
      positive("stopGrace", stopGrace);
      if (crashLogLines < 0) {
        throw new IllegalArgumentException(
            "crashLogLines = " + crashLogLines + ", must be at least 0");
      }
    }

    private static void positive(String name, Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " = " + d + ", must be positive");
      }
    }
  }

  private enum Kind {
    READINESS("/v2/health/ready", InstanceSpec::readiness),
    LIVENESS("/v2/health/live", InstanceSpec::liveness);

    final String path;
    final Function<InstanceSpec, Probe> probe;

    Kind(String path, Function<InstanceSpec, Probe> probe) {
      this.path = path;
      this.probe = probe;
    }
  }

  private static final Logger LOG = Logger.getLogger(InstanceSupervisor.class);
  // A port taken between our pick and the child's bind is bad luck, not a crash; three times in a
  // row is something else (e.g. a port range exhausted) and goes through back-off.
  private static final int MAX_BIND_RETRIES = 3;
  // Lines of an ended process's log searched for the cause: a Quarkus start failure with its
  // stack trace is about 50.
  private static final int ANALYSED_LINES = 200;
  private static final Pattern STACK_FRAME =
      Pattern.compile("^\\s+(at |\\.\\.\\. \\d+ more).*|^\\s*$");

  private final String endpoint;
  private final String deployment;
  private final Launcher launcher;
  private final ScheduledExecutorService scheduler;
  private final HttpClient http;
  private final Clock clock;
  private final Settings settings;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();

  // Guarded by this.
  private final List<Instance> instances = new ArrayList<>();
  private final Map<Long, Integer> nextIndex = new HashMap<>();
  private InstanceSpec spec;
  private int desired;
  private long seq;
  private boolean closed;
  private List<InstanceView> published = List.of();

  /**
   * @param scheduler runs timers, probe answers and exit handling; shared by supervisors is fine
   * @param http sends the probes (see {@link #newProbeClient})
   */
  public InstanceSupervisor(
      String endpoint,
      String deployment,
      Launcher launcher,
      ScheduledExecutorService scheduler,
      HttpClient http,
      Clock clock,
      Settings settings) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.deployment = Objects.requireNonNull(deployment, "deployment");
    this.launcher = Objects.requireNonNull(launcher, "launcher");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.http = Objects.requireNonNull(http, "http");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /**
   * An HTTP client fit for probing loopback instances: HTTP/1.1 (no h2c upgrade dance), 2 s to
   * connect.
   */
  public static HttpClient newProbeClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2))
        .build();
  }

  public String endpoint() {
    return endpoint;
  }

  public String deployment() {
    return deployment;
  }

  /** Adds a listener and tells it the current ready set at once. */
  public synchronized void addListener(Listener listener) {
    listeners.add(listener);
    listener.changed(endpoint, deployment, published);
  }

  public void removeListener(Listener listener) {
    listeners.remove(listener);
  }

  /**
   * Keeps {@code count} instances of {@code spec} running (0 stops them all). A spec of another
   * generation than the current one rolls over: new instances start at once, and an old one stops
   * only when a new one is ready in its place; if the new ones keep failing, the old ones keep
   * serving and {@link #status()} says why. Returns at once.
   */
  public synchronized void scale(InstanceSpec spec, int count) {
    if (closed) {
      throw new IllegalStateException(
          "supervisor of " + endpoint + "/" + deployment + " is closed");
    }
    if (!spec.endpoint().equals(endpoint) || !spec.deployment().equals(deployment)) {
      throw new IllegalArgumentException(
          "spec of "
              + spec.endpoint()
              + "/"
              + spec.deployment()
              + " given to the supervisor of "
              + endpoint
              + "/"
              + deployment);
    }
    if (count < 0) {
      throw new IllegalArgumentException("count = " + count + ", must be at least 0");
    }
    this.spec = spec;
    this.desired = count;
    // The generation names the spec; a re-sent spec of the same generation applies from the next
    // start.
    instances.stream().filter(i -> i.generation() == spec.generation()).forEach(i -> i.spec = spec);
    reconcile();
    publish();
  }

  /** Every instance not yet stopped, oldest first. */
  public synchronized List<InstanceView> instances() {
    return instances.stream().map(Instance::view).toList();
  }

  /** The instances that get traffic, as last told to the listeners. */
  public synchronized List<InstanceView> ready() {
    return published;
  }

  /** The live instance of that id, for details (exit code, log file); empty once it stopped. */
  public synchronized Optional<Instance> instance(String id) {
    return instances.stream().filter(i -> i.id().equals(id)).findFirst();
  }

  public synchronized Status status() {
    long generation = spec == null ? Long.MIN_VALUE : spec.generation();
    int ready = 0;
    int starting = 0;
    int failed = 0;
    int oldReady = 0;
    Instance latestFailure = null;
    for (Instance i : instances) {
      State s = i.state();
      if (s == State.STOPPING || s == State.STOPPED) {
        continue;
      }
      if (i.generation() != generation) {
        oldReady += s == State.READY ? 1 : 0;
        continue;
      }
      if (s == State.READY) {
        ready++;
      } else if (i.failing) {
        failed++;
        if (latestFailure == null || i.failureAt.isAfter(latestFailure.failureAt)) {
          latestFailure = i;
        }
      } else {
        starting++;
      }
    }
    String message;
    if (latestFailure != null) {
      message =
          latestFailure.failure
              + (oldReady > 0
                  ? "; " + oldReady + " instance(s) of the previous generation keep serving"
                  : "");
    } else if (ready < desired) {
      message = ready + " of " + desired + " instances ready";
    } else {
      message = "";
    }
    return new Status(desired, ready, starting, failed, message);
  }

  /**
   * Stops every instance gracefully (drain, SIGTERM, SIGKILL after the grace period) and returns
   * once they have all exited. {@link #scale} starts them again. Not to be called on the
   * scheduler's thread, which handles the exits.
   */
  public void stop() {
    List<CompletableFuture<Void>> stopped;
    synchronized (this) {
      desired = 0;
      stopped = instances.stream().map(i -> i.stopped).toList();
      List.copyOf(instances).forEach(this::stop);
      publish();
    }
    Duration wait = settings.drainDelay().plus(settings.stopGrace()).plusSeconds(5);
    try {
      CompletableFuture.allOf(stopped.toArray(CompletableFuture[]::new))
          .get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warnv("{0}/{1}: instances did not all exit within {2}", endpoint, deployment, wait);
    }
  }

  /** {@link #stop()}, and no more {@link #scale}. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    stop();
  }

  // ---- decisions applied: start and stop instances so the plan holds

  private void reconcile() {
    if (spec == null) {
      return;
    }
    List<Rollout.Member> members =
        instances.stream()
            .filter(i -> i.state() != State.STOPPING && i.state() != State.STOPPED)
            .map(i -> new Rollout.Member(i.id(), i.generation(), i.state() == State.READY, i.seq()))
            .toList();
    Rollout.Plan plan = Rollout.plan(spec.generation(), closed ? 0 : desired, members);
    for (String id : plan.stop()) {
      instances.stream().filter(i -> i.id().equals(id)).findFirst().ifPresent(this::stop);
    }
    for (int k = 0; k < plan.start(); k++) {
      int n = nextIndex.merge(spec.generation(), 1, Integer::sum) - 1;
      Instance inst = new Instance(deployment + "-" + spec.generation() + "-" + n, spec, seq++);
      instances.add(inst);
      start(inst);
    }
  }

  private void start(Instance inst) {
    Launcher.Launched run;
    try {
      run = launcher.launch(inst.spec, inst.id());
    } catch (IOException | RuntimeException e) {
      crashed(
          inst, "instance " + inst.id() + " could not start: " + e.getMessage(), null, List.of());
      return;
    }
    Instant now = clock.instant();
    inst.started(run, now);
    LOG.debugv(
        "{0}/{1}: started {2} on port {3} (pid {4})",
        endpoint, deployment, inst.id(), run.port(), String.valueOf(run.process().pid()));
    // Async, so that an exit never runs inside the reconcile that started the process.
    run.process()
        .onExit()
        .thenAcceptAsync(p -> guarded(() -> exited(inst, run, p.exitValue())), scheduler);
    probeAt(inst, run, Kind.READINESS, inst.spec.readiness().first(now));
    probeAt(inst, run, Kind.LIVENESS, inst.spec.liveness().first(now));
  }

  private void stop(Instance inst) {
    State s = inst.state();
    if (s == State.STOPPING || s == State.STOPPED) {
      return;
    }
    if (inst.restartTimer != null) {
      inst.restartTimer.cancel(false);
      inst.restartTimer = null;
    }
    Launcher.Launched run = inst.run;
    if (run == null) {
      finishStop(inst);
      return;
    }
    inst.state(State.STOPPING);
    LOG.debugv("{0}/{1}: stopping {2}", endpoint, deployment, inst.id());
    // Only an instance the router knew about can have requests on their way to it.
    Duration drain = s == State.READY ? settings.drainDelay() : Duration.ZERO;
    scheduler.schedule(
        () -> guarded(() -> terminate(run.process())), drain.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void finishStop(Instance inst) {
    inst.state(State.STOPPED);
    instances.remove(inst);
    inst.stopped.complete(null);
  }

  private void terminate(Process process) {
    process.destroy();
    scheduler.schedule(
        () -> {
          if (process.isAlive()) {
            process.destroyForcibly();
          }
        },
        settings.stopGrace().toMillis(),
        TimeUnit.MILLISECONDS);
  }

  // ---- events

  private synchronized void exited(Instance inst, Launcher.Launched run, int code) {
    if (inst.run != run) {
      return;
    }
    inst.exited(code);
    if (inst.state() == State.STOPPING || launcher.stoppingAll()) {
      finishStop(inst);
      publish();
      return;
    }
    List<String> tail = readTail(run.log());
    if (inst.killReason == null
        && CrashReport.bindConflict(tail)
        && inst.bindRetries < MAX_BIND_RETRIES
        && !closed) {
      inst.bindRetries++;
      LOG.infov(
          "{0}/{1}: port {2} of instance {3} was taken before it could bind it; starting it on another port",
          endpoint, deployment, String.valueOf(run.port()), inst.id());
      start(inst);
    } else {
      String reason =
          inst.killReason != null
              ? CrashReport.reason(inst.id(), code, List.of()) + " " + inst.killReason
              : CrashReport.reason(inst.id(), code, tail);
      crashed(inst, reason, run.log(), tail);
    }
    reconcile();
    publish();
  }

  private void crashed(Instance inst, String reason, Path log, List<String> tail) {
    Instant now = clock.instant();
    inst.crashes = settings.backoff().crashesAfter(inst.crashes, inst.readySince, now);
    inst.readySince = null;
    inst.state(State.FAILED);
    markFailing(inst, reason, now);
    Duration delay = settings.backoff().delay(inst.crashes);
    // Stack frames crowd out what matters: the error lines and their causes.
    List<String> lines = tail.stream().filter(l -> !STACK_FRAME.matcher(l).matches()).toList();
    List<String> quoted =
        lines.subList(Math.max(0, lines.size() - settings.crashLogLines()), lines.size());
    LOG.warnv(
        "{0}/{1}: {2}; restarting it in {3} ms (crash {4} in a row).{5}",
        endpoint,
        deployment,
        reason,
        String.valueOf(delay.toMillis()),
        inst.crashes,
        quoted.isEmpty()
            ? ""
            : " Last lines of "
                + log
                + ":"
                + quoted.stream().map(l -> "\n    " + l).collect(Collectors.joining()));
    inst.restartTimer =
        scheduler.schedule(
            () -> guarded(() -> restart(inst)), delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private synchronized void restart(Instance inst) {
    if (inst.state() != State.FAILED || closed) {
      return;
    }
    inst.restartTimer = null;
    inst.restarted();
    start(inst);
    reconcile();
    publish();
  }

  private void probeAt(Instance inst, Launcher.Launched run, Kind kind, Instant due) {
    long delay = Math.max(0, Duration.between(clock.instant(), due).toMillis());
    scheduler.schedule(() -> guarded(() -> probe(inst, run, kind)), delay, TimeUnit.MILLISECONDS);
  }

  private void probe(Instance inst, Launcher.Launched run, Kind kind) {
    Probe probe;
    Instant started;
    synchronized (this) {
      if (inst.run != run || inst.state() == State.STOPPING || closed) {
        return;
      }
      probe = kind.probe.apply(inst.spec);
      started = clock.instant();
    }
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + run.port() + kind.path))
            .timeout(probe.timeout())
            .GET()
            .build();
    http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .whenCompleteAsync(
            (response, error) ->
                guarded(
                    () ->
                        probed(
                            inst,
                            run,
                            kind,
                            started,
                            error == null && response.statusCode() == 200)),
            scheduler);
  }

  private synchronized void probed(
      Instance inst, Launcher.Launched run, Kind kind, Instant started, boolean ok) {
    if (inst.run != run || inst.state() == State.STOPPING || closed) {
      return;
    }
    Probe probe = kind.probe.apply(inst.spec);
    Instant now = clock.instant();
    if (kind == Kind.LIVENESS) {
      inst.liveness = inst.liveness.record(ok);
      if (inst.liveness.failed(probe)) {
        inst.killReason = "after failing " + inst.liveness.failures() + " liveness probes in a row";
        markFailing(
            inst,
            "instance "
                + inst.id()
                + " failed "
                + inst.liveness.failures()
                + " liveness probes in a row; stopping it to restart it",
            now);
        LOG.warnv("{0}/{1}: {2}", endpoint, deployment, inst.failure);
        inst.state(State.UNHEALTHY);
        inst.readySince = null;
        terminate(run.process());
        publish();
        return;
      }
      probeAt(inst, run, kind, probe.next(started, true, settings.startupProbeInterval()));
      return;
    }
    inst.readiness = inst.readiness.record(ok);
    State before = inst.state();
    State after = inst.readiness.readiness(before, probe);
    if (after != before) {
      inst.state(after);
      if (after == State.READY) {
        inst.passedOnce = true;
        inst.readySince = now;
        inst.failing = false;
        inst.bindRetries = 0;
        LOG.infov(
            "{0}/{1}: instance {2} ready on port {3} after {4} ms",
            endpoint,
            deployment,
            inst.id(),
            String.valueOf(run.port()),
            String.valueOf(Duration.between(inst.startedAt(), now).toMillis()));
      } else {
        inst.readySince = null;
        markFailing(
            inst,
            "instance "
                + inst.id()
                + " failed "
                + inst.readiness.failures()
                + " readiness probes in a row",
            now);
        LOG.warnv(
            "{0}/{1}: {2}; no traffic until it passes again", endpoint, deployment, inst.failure);
      }
      reconcile();
      publish();
    }
    probeAt(inst, run, kind, probe.next(started, inst.passedOnce, settings.startupProbeInterval()));
  }

  // ---- helpers

  private static void markFailing(Instance inst, String reason, Instant at) {
    inst.failing = true;
    inst.failure = reason;
    inst.failureAt = at;
  }

  private List<String> readTail(Path log) {
    try {
      return LogReader.tail(log, ANALYSED_LINES);
    } catch (IOException e) {
      return List.of("(log " + log + " unreadable: " + e.getMessage() + ")");
    }
  }

  // Executors and futures swallow what a task throws; a lost exit or probe would freeze an
  // instance in its state, so at least say so.
  private void guarded(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | Error e) {
      LOG.error("supervisor of " + endpoint + "/" + deployment + " failed", e);
      throw e;
    }
  }

  private void publish() {
    List<InstanceView> ready =
        instances.stream()
            .filter(i -> i.state() == State.READY)
            .sorted(Comparator.comparingLong(Instance::seq))
            .map(Instance::view)
            .toList();
    if (ready.equals(published)) {
      return;
    }
    published = ready;
    for (Listener l : listeners) {
      try {
        l.changed(endpoint, deployment, ready);
      } catch (RuntimeException e) {
        LOG.warn("listener of " + endpoint + "/" + deployment + " failed", e);
      }
    }
  }
}
