package dev.knoe.control.runtime.local;

import dev.knoe.control.scoring.JvmMemory;
import dev.knoe.control.scoring.ScoringEnvironment;
import dev.knoe.control.spec.Names;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs each instance as a child process of the scoring function on a free loopback port, output to
 * {@code logDir/<endpoint>/<deployment>/<instanceId>.log} (the previous run's log is kept as {@code
 * .log.1}). Children die with this JVM: a shutdown hook stops them (a kill -9 of this JVM cannot
 * run it; {@code KNOE_PARENT_PID} tells a child whom to outlive no longer).
 */
public final class ProcessLauncher implements Launcher, AutoCloseable {

  /** The scoring function's launcher script, relative to its module folder. */
  public static final String SCRIPT = "bin/knoe-scoring-function";

  /** The built application, relative to the scoring function's module folder. */
  public static final String JAR = "target/quarkus-app/quarkus-run.jar";

  /**
   * Variables a child inherits from this JVM's environment; nothing else leaks (admin secrets,
   * QUARKUS_*).
   */
  public static final Set<String> INHERITED =
      Set.of(
          "PATH",
          "HOME",
          "USER",
          "LANG",
          "LC_ALL",
          "TZ",
          "TMPDIR",
          "JAVA_HOME",
          "LD_LIBRARY_PATH",
          "CUDA_VISIBLE_DEVICES",
          "NVIDIA_VISIBLE_DEVICES",
          "KNOE_JAVA",
          "KNOE_JAVA_OPTS",
          "KNOE_APP_DIR",
          "KNOE_FAST_START",
          "KNOE_DEVICE");

  // Time a child gets to finish in-flight requests after SIGTERM (Quarkus graceful shutdown); the
  // supervisor's stop grace should be longer so that this, not SIGKILL, ends a normal stop.
  static final String SHUTDOWN_TIMEOUT = "5s";

  private final List<String> command;
  private final Path logDir;
  private final Map<String, String> environment;
  private final Set<Process> children = ConcurrentHashMap.newKeySet();
  private final Set<Integer> portsInUse = ConcurrentHashMap.newKeySet();
  private final Thread shutdownHook = new Thread(this::destroyAll, "knoe-local-children-shutdown");
  // Once closed (or the JVM is going down), a restart timer must not leave an orphan behind:
  // closing and starting a child exclude each other.
  private final Object lifecycle = new Object();
  private boolean closed;

  /**
   * @param command the scoring function's command line (see {@link #scoringCommand})
   * @param logDir root of the instance logs
   * @param environment base environment of every child (see {@link #inherit}); the spec's variables
   *     and the runtime's own ones are added on top
   */
  public ProcessLauncher(List<String> command, Path logDir, Map<String, String> environment) {
    if (command.isEmpty()) {
      throw new IllegalArgumentException(
          "command is empty, must name the scoring function's launcher");
    }
    this.command = List.copyOf(command);
    this.logDir = logDir.toAbsolutePath();
    this.environment = Map.copyOf(environment);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * The command that runs the scoring function in module folder {@code scoringHome}: its launcher
   * script (JDK 25 and the AOT cache when present) or, without it, {@code java -jar} on the built
   * application with {@code java}.
   */
  public static List<String> scoringCommand(Path scoringHome, Path java) {
    Path script = scoringHome.resolve(SCRIPT).toAbsolutePath();
    if (Files.isExecutable(script)) {
      return List.of(script.toString());
    }
    return List.of(java.toString(), "-jar", scoringHome.resolve(JAR).toAbsolutePath().toString());
  }

  /** The variables of {@code parentEnv} that children may inherit ({@link #INHERITED}). */
  public static Map<String, String> inherit(Map<String, String> parentEnv) {
    Map<String, String> env = new HashMap<>();
    parentEnv.forEach(
        (k, v) -> {
          if (INHERITED.contains(k)) {
            env.put(k, v);
          }
        });
    return env;
  }

  /** Where the output of an instance goes. */
  public Path logFile(String endpoint, String deployment, String instanceId) {
    return logDir
        .resolve(Names.ENDPOINT.require(endpoint))
        .resolve(Names.DEPLOYMENT.require(deployment))
        .resolve(instanceId + ".log");
  }

  @Override
  public Launched launch(InstanceSpec spec, String instanceId) throws IOException {
    Path log = logFile(spec.endpoint(), spec.deployment(), instanceId);
    Files.createDirectories(log.getParent());
    if (Files.exists(log)) {
      Files.move(
          log, log.resolveSibling(instanceId + ".log.1"), StandardCopyOption.REPLACE_EXISTING);
    }
    int port = freePort();
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(log.getParent().toFile())
            .redirectErrorStream(true)
            .redirectOutput(Redirect.to(log.toFile()));
    Map<String, String> env = pb.environment();
    env.clear();
    env.putAll(environment);
    env.put("QUARKUS_SHUTDOWN_TIMEOUT", SHUTDOWN_TIMEOUT);
    env.putAll(spec.env());
    if (!spec.jvmOptions().isEmpty()) {
      env.put(
          ScoringEnvironment.JAVA_OPTS,
          JvmMemory.javaOpts(spec.jvmOptions(), env.get(ScoringEnvironment.JAVA_OPTS)));
    }
    env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
    env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
    env.putAll(
        ScoringEnvironment.ofInstance(
            spec.endpoint(),
            spec.deployment(),
            spec.modelDir().toAbsolutePath().toString(),
            new ScoringEnvironment.Loopback()));
    env.put(ScoringEnvironment.PARENT_PID, Long.toString(ProcessHandle.current().pid()));
    Process process;
    synchronized (lifecycle) {
      try {
        if (closed) {
          throw new IOException("the local runtime is shutting down");
        }
        // For the instance's cold-start breakdown: /proc's start time is only as exact as the boot
        // time (1 s).
        env.put(ScoringEnvironment.SPAWNED_AT_MS, Long.toString(System.currentTimeMillis()));
        process = pb.start();
      } catch (IOException e) {
        portsInUse.remove(port);
        throw e;
      }
      children.add(process);
    }
    process
        .onExit()
        .thenRun(
            () -> {
              children.remove(process);
              portsInUse.remove(port);
            });
    return new Launched(process, port, log);
  }

  /**
   * A port nothing listens on now. Another program may still take it before the child binds it; the
   * supervisor sees that bind failure in the log and launches again (a new port).
   */
  private int freePort() throws IOException {
    for (int attempt = 0; attempt < 20; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
        port = s.getLocalPort();
      }
      // The kernel may hand out a port a child of ours was given but has not bound yet.
      if (portsInUse.add(port)) {
        return port;
      }
    }
    throw new IOException("no free loopback port found in 20 attempts");
  }

  /**
   * Stops every child still running: SIGTERM, then SIGKILL after 5 s. The shutdown hook does the
   * same.
   */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // The hook runs anyway.
    }
    destroyAll();
  }

  @Override
  public boolean stoppingAll() {
    synchronized (lifecycle) {
      return closed;
    }
  }

  private void destroyAll() {
    List<Process> all;
    synchronized (lifecycle) {
      closed = true;
      all = List.copyOf(children);
    }
    all.forEach(Process::destroy);
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    for (Process p : all) {
      try {
        if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }
}
