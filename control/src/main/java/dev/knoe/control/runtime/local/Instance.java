package dev.knoe.control.runtime.local;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One instance of a deployment: a process, restarted as needed under the same id ({@code
 * <deployment>-<generation>-<n>}, n never reused within a supervisor and generation). The public
 * reads are safe from any thread; only its {@link InstanceSupervisor} changes it, under the
 * supervisor's lock.
 */
public final class Instance {

  /** Life of an instance. Only READY instances get traffic. */
  public enum State {
    /** Process started, not yet passed its readiness probe. */
    STARTING,
    /** Passed its readiness probe: gets traffic. */
    READY,
    /** Was ready, now fails its readiness probe (failure threshold reached): no traffic. */
    UNHEALTHY,
    /** Being stopped on purpose: no traffic, SIGTERM after the drain delay. */
    STOPPING,
    /** Stopped on purpose; final. */
    STOPPED,
    /** Process ended unexpectedly; it is restarted after a back-off delay. */
    FAILED
  }

  private final String id;
  private final long generation;
  private final long seq;

  private volatile State state = State.STARTING;
  private volatile int port = -1;
  private volatile long pid = -1;
  private volatile Instant startedAt;
  private volatile int restarts;
  private volatile Integer lastExitCode;
  private volatile Path logFile;

  // The supervisor's bookkeeping, guarded by its lock.
  InstanceSpec spec;
  Launcher.Launched run;
  ProbeCounter readiness = ProbeCounter.NONE;
  ProbeCounter liveness = ProbeCounter.NONE;
  boolean passedOnce;
  Instant readySince;
  int crashes;
  int bindRetries;
  boolean failing;
  String failure;
  Instant failureAt;
  String killReason;
  ScheduledFuture<?> restartTimer;
  final CompletableFuture<Void> stopped = new CompletableFuture<>();

  Instance(String id, InstanceSpec spec, long seq) {
    this.id = id;
    this.spec = spec;
    this.generation = spec.generation();
    this.seq = seq;
  }

  public String id() {
    return id;
  }

  public long generation() {
    return generation;
  }

  public State state() {
    return state;
  }

  /** Loopback port of the current or last process, -1 before the first. */
  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:<port>}, null before the first process. */
  public URI baseUri() {
    int p = port;
    return p < 0 ? null : URI.create("http://127.0.0.1:" + p);
  }

  /** Process id of the current or last process, -1 before the first. */
  public long pid() {
    return pid;
  }

  /** When the current or last process started, null before the first. */
  public Instant startedAt() {
    return startedAt;
  }

  /** Times the process was started again after it ended unexpectedly. */
  public int restarts() {
    return restarts;
  }

  /** Exit code of the last process that ended, empty while none has. */
  public OptionalInt lastExitCode() {
    Integer c = lastExitCode;
    return c == null ? OptionalInt.empty() : OptionalInt.of(c);
  }

  /** The current or last process's log file, null before the first. */
  public Path logFile() {
    return logFile;
  }

  public InstanceView view() {
    return new InstanceView(id, generation, baseUri(), state, pid, restarts, startedAt);
  }

  long seq() {
    return seq;
  }

  void state(State s) {
    state = s;
  }

  void started(Launcher.Launched launched, Instant at) {
    run = launched;
    port = launched.port();
    pid = launched.process().pid();
    logFile = launched.log();
    startedAt = at;
    readiness = ProbeCounter.NONE;
    liveness = ProbeCounter.NONE;
    passedOnce = false;
    killReason = null;
    state = State.STARTING;
  }

  void restarted() {
    restarts++;
  }

  void exited(int code) {
    run = null;
    lastExitCode = code;
  }

  @Override
  public String toString() {
    return id + "[" + state + (port < 0 ? "" : ", port " + port) + "]";
  }
}
