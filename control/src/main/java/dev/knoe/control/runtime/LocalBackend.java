package dev.knoe.control.runtime;

import dev.knoe.autoscaler.Decision;
import dev.knoe.autoscaler.ScalingPolicy;
import dev.knoe.control.router.Pool;
import dev.knoe.control.router.Target;
import dev.knoe.control.runtime.local.Instance;
import dev.knoe.control.runtime.local.InstanceSpec;
import dev.knoe.control.runtime.local.InstanceSupervisor;
import dev.knoe.control.runtime.local.LogReader;
import dev.knoe.control.runtime.local.Probe;
import dev.knoe.control.runtime.local.ProcessLauncher;
import dev.knoe.control.runtime.local.ScaledDeployment;
import dev.knoe.control.scoring.JvmMemory;
import dev.knoe.control.scoring.Scaling;
import dev.knoe.control.scoring.ScoringEnvironment;
import dev.knoe.control.spec.DeploymentSpec;
import dev.knoe.control.spec.ScaleSettings;
import dev.knoe.control.state.DeploymentState;
import dev.knoe.control.state.ProvisioningState;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The embedded backend: each deployment instance is a child process of the scoring function on a
 * loopback port, kept alive by an {@link InstanceSupervisor}; its ready instances feed the router's
 * pool for that deployment. A change of {@code instance_count} or scale settings alone scales the
 * running generation; any other change rolls a new one in.
 *
 * <p>Deployments with {@code scale_settings.type: target_utilization} are scaled by Knative's
 * decision ({@link ScaledDeployment}): the router's requests held are sampled every second, a
 * decision is taken every tick, and a request that finds no ready instance asks for one at once.
 */
public final class LocalBackend implements Backend {

  private static final Logger LOG = Logger.getLogger(LocalBackend.class);

  private final ProcessLauncher launcher;
  private final LogReader logs;
  private final ScheduledExecutorService scheduler;
  private final HttpClient http = InstanceSupervisor.newProbeClient();
  private final Clock clock;
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  private final Map<String, Pool> pools = new ConcurrentHashMap<>();
  // The provisioning state last reported per deployment and generation ("e/d#3"): a tick still
  // reporting the old generation while a new one is applied does not carry its state over.
  private final Map<String, ProvisioningState> reported = new ConcurrentHashMap<>();
  private volatile Listener listener = (e, d, g, s, m) -> {};

  private final Autoscaling autoscaling;
  // instance_type -> its memory, a Kubernetes quantity ("2Gi"); empty leaves the JVM's own sizing.
  private final Function<String, Optional<String>> instanceMemory;

  /**
   * What runs for one deployment: its supervisor, the instance spec it runs, the control plane's
   * generation, and its scaler (null for a fixed size).
   */
  private record Running(
      InstanceSupervisor supervisor,
      InstanceSpec instances,
      DeploymentState deployment,
      ScaledDeployment scaled) {}

  /**
   * Platform-wide autoscaling: Knative's {@code config-autoscaler} knobs ({@code base}) and how
   * often the router is sampled and decisions are taken.
   */
  public record Autoscaling(ScalingPolicy base, Duration sampleInterval, Duration tickInterval) {
    public static final Autoscaling DEFAULT =
        new Autoscaling(
            ScalingPolicy.builder().build(), Duration.ofSeconds(1), Duration.ofSeconds(2));
  }

  public LocalBackend(Path scoringHome, Path logDir, Clock clock) {
    this(scoringHome, logDir, clock, Autoscaling.DEFAULT);
  }

  public LocalBackend(Path scoringHome, Path logDir, Clock clock, Autoscaling autoscaling) {
    this(scoringHome, logDir, clock, autoscaling, type -> Optional.empty());
  }

  /**
   * @param instanceMemory the memory of an {@code instance_type} (a Kubernetes quantity, {@code
   *     "2Gi"}), which bounds its instances' JVM ({@link JvmMemory}); empty for a type it does not
   *     know, whose instances keep the JVM's own sizing
   */
  public LocalBackend(
      Path scoringHome,
      Path logDir,
      Clock clock,
      Autoscaling autoscaling,
      Function<String, Optional<String>> instanceMemory) {
    this.instanceMemory = instanceMemory;
    this.launcher =
        new ProcessLauncher(
            ProcessLauncher.scoringCommand(
                scoringHome, Path.of(System.getProperty("java.home"), "bin", "java")),
            logDir,
            ProcessLauncher.inherit(System.getenv()));
    this.logs = new LogReader(logDir);
    this.clock = clock;
    AtomicInteger n = new AtomicInteger();
    this.scheduler =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "knoe-local-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.autoscaling = autoscaling;
    scheduler.scheduleWithFixedDelay(this::report, 250, 250, TimeUnit.MILLISECONDS);
    // One task samples, then decides every few samples: a decision always sees the sample of the
    // second that just ended (two tasks on two threads could decide before it lands, reading the
    // panic window about a sixth low).
    long sample = autoscaling.sampleInterval().toMillis();
    long samplesPerTick = Math.max(1, autoscaling.tickInterval().toMillis() / sample);
    AtomicInteger samples = new AtomicInteger();
    scheduler.scheduleAtFixedRate(
        () -> {
          eachScaled(s -> s.sample(System.nanoTime()));
          if (samples.incrementAndGet() % samplesPerTick == 0) {
            eachScaled(ScaledDeployment::tick);
          }
        },
        sample,
        sample,
        TimeUnit.MILLISECONDS);
  }

  // A failing scaler must not stop the others, nor the periodic task (an executor drops a task that
  // throws).
  private void eachScaled(Consumer<ScaledDeployment> action) {
    for (Running r : running.values()) {
      if (r.scaled() != null) {
        try {
          action.accept(r.scaled());
        } catch (RuntimeException e) {
          LOG.warn(
              "autoscaling " + r.deployment().endpoint() + "/" + r.deployment().name() + " failed",
              e);
        }
      }
    }
  }

  @Override
  public void setListener(Listener listener) {
    this.listener = listener;
  }

  @Override
  public synchronized void apply(DeploymentState d, Path model, Path code) {
    String key = key(d.endpoint(), d.name());
    Running old = running.get(key);
    InstanceSupervisor supervisor =
        old != null ? old.supervisor() : supervisor(d.endpoint(), d.name());
    InstanceSpec next =
        instanceSpec(
            d,
            model,
            code,
            d.generation(),
            instanceMemory.apply(d.spec().instanceType()).map(JvmMemory::flags).orElse(List.of()));
    boolean sameGeneration =
        old != null
            && sameExceptGeneration(
                old.instances(),
                old.deployment().spec().environmentVariables(),
                next,
                d.spec().environmentVariables());
    if (sameGeneration) {
      next =
          old.instances(); // only the count or scale settings changed: scale what runs, no rollout
    }
    if (old != null && old.scaled() != null) {
      old.scaled().retire();
    }
    ScalingPolicy policy = Scaling.policy(d.spec(), autoscaling.base());
    ScaledDeployment scaled = null;
    if (policy.fixed()) {
      pool(d.endpoint(), d.name()).wanted(policy.minScale());
      supervisor.scale(next, policy.minScale());
    } else {
      // A new generation starts with what the old one needed, if more than its initial scale, so
      // that a rollout under load does not shrink capacity.
      int before = old != null && old.scaled() != null ? old.scaled().desired() : 0;
      int start =
          sameGeneration
              ? Math.max(policy.minScale(), before)
              : Math.max(policy.initialScale(), before);
      if (policy.maxScale() > 0) {
        start = Math.min(start, policy.maxScale());
      }
      scaled =
          new ScaledDeployment(
              policy,
              pool(d.endpoint(), d.name()),
              supervisor,
              next,
              clock,
              start,
              sameGeneration && old.scaled() != null);
    }
    running.put(key, new Running(supervisor, next, d, scaled));
    reported.keySet().removeIf(k -> k.startsWith(key + "#"));
    reported.put(key + "#" + d.generation(), d.state());
  }

  /** The autoscaler's current wish and its last reason, for a deployment that autoscales. */
  @Override
  public Optional<ScaleStatus> scaleStatus(String endpoint, String deployment) {
    Running r = running.get(key(endpoint, deployment));
    if (r == null || r.scaled() == null) {
      return Optional.empty();
    }
    Decision last = r.scaled().last();
    return Optional.of(
        new ScaleStatus(
            r.scaled().desired(), last == null ? null : last.describe(r.scaled().policy())));
  }

  private InstanceSupervisor supervisor(String endpoint, String deployment) {
    InstanceSupervisor s =
        new InstanceSupervisor(
            endpoint,
            deployment,
            launcher,
            scheduler,
            http,
            clock,
            InstanceSupervisor.Settings.DEFAULT);
    Pool pool = pool(endpoint, deployment);
    s.addListener(
        (e, dep, ready) ->
            pool.update(
                ready.stream()
                    .map(v -> new Target(v.id(), v.baseUri().getHost(), v.baseUri().getPort()))
                    .toList()));
    String key = key(endpoint, deployment);
    // Called on the router's event loop: decide on the scheduler.
    pool.onDemand(
        () -> {
          Running r = running.get(key);
          if (r != null && r.scaled() != null) {
            scheduler.execute(
                () ->
                    eachScaled(
                        x -> {
                          if (x == r.scaled()) {
                            x.demand();
                          }
                        }));
          }
        });
    return s;
  }

  static InstanceSpec instanceSpec(
      DeploymentState d, Path model, Path code, long generation, List<String> jvmOptions) {
    DeploymentSpec s = d.spec();
    Map<String, String> env = new LinkedHashMap<>(s.environmentVariables());
    if (s.scaleSettings().type() == ScaleSettings.Type.TARGET_UTILIZATION
        && s.scaleSettings().scalesToZero()) {
      // A deployment at zero makes its next request wait for a start: C1 only starts ~0.3 s sooner
      // (bench/RESULTS.md), at some peak throughput of the HTTP/JSON path; KNOE_FAST_START: "0"
      // opts out.
      env.putIfAbsent(ScoringEnvironment.FAST_START, "1");
    }
    // The per-instance variables (model folder, names, KNOE_AUTH) are the launcher's:
    // ProcessLauncher.
    env.putAll(
        ScoringEnvironment.ofDeployment(
            s, d.model().name(), code == null ? null : code.toString()));
    return new InstanceSpec(
        d.endpoint(),
        d.name(),
        generation,
        model,
        env,
        probe(s.readinessProbe()),
        probe(s.livenessProbe()),
        jvmOptions);
  }

  private static Probe probe(dev.knoe.control.spec.Probe p) {
    return new Probe(
        p.initialDelay(), p.period(), p.timeout(), p.successThreshold(), p.failureThreshold());
  }

  /**
   * Whether instances of {@code a} can serve {@code b} as they are (only counts or scale settings
   * changed). {@code userA}/{@code userB}: the deployments' own environment_variables.
   */
  static boolean sameExceptGeneration(
      InstanceSpec a, Map<String, String> userA, InstanceSpec b, Map<String, String> userB) {
    return a.modelDir().equals(b.modelDir())
        && withoutDerived(a.env(), userA).equals(withoutDerived(b.env(), userB))
        && a.jvmOptions().equals(b.jvmOptions())
        && a.readiness().equals(b.readiness())
        && a.liveness().equals(b.liveness());
  }

  // KNOE_FAST_START follows min_instances unless the user set it (see instanceSpec): bounds changes
  // must not roll.
  private static Map<String, String> withoutDerived(
      Map<String, String> env, Map<String, String> user) {
    Map<String, String> m = new LinkedHashMap<>(env);
    if (!user.containsKey(ScoringEnvironment.FAST_START)) {
      m.remove(ScoringEnvironment.FAST_START);
    }
    return m;
  }

  /** Turns each supervisor's status into the deployment's provisioning state. */
  private void report() {
    if (launcher.stoppingAll()) {
      // knoe serve is stopping and its instances with it: what is saved stays the state they had
      // while serving (a restart sets Updating anyway), not Failed or 0 ready.
      return;
    }
    for (Running r : running.values()) {
      try {
        InstanceSupervisor.Status s = r.supervisor().status();
        long readyNow =
            r.supervisor().instances().stream()
                .filter(
                    v ->
                        v.state() == Instance.State.READY
                            && v.generation() == r.instances().generation())
                .count();
        DeploymentState d = r.deployment();
        String key = key(d.endpoint(), d.name()) + "#" + d.generation();
        int wanted =
            r.scaled() != null ? r.scaled().policy().initialScale() : d.spec().instanceCount();
        boolean provisioned =
            r.scaled() != null ? r.scaled().reached((int) readyNow) : readyNow >= wanted;
        ProvisioningDecision.Outcome outcome =
            ProvisioningDecision.decide(
                reported.getOrDefault(key, d.state()),
                wanted,
                provisioned,
                (int) readyNow,
                s.failed(),
                s.desired(),
                s.failed() > 0 ? s.message() : null);
        reported.put(key, outcome.state());
        listener.changed(
            d.endpoint(), d.name(), d.generation(), outcome.state(), outcome.message());
      } catch (RuntimeException e) {
        // a supervisor closing under us: the next tick sees the new state
      }
    }
  }

  @Override
  public synchronized void remove(String endpoint, String deployment) {
    Running r = running.remove(key(endpoint, deployment));
    reported.keySet().removeIf(k -> k.startsWith(key(endpoint, deployment) + "#"));
    if (r != null) {
      if (r.scaled() != null) {
        r.scaled().retire();
      }
      r.supervisor().close();
    }
    Pool pool = pools.remove(key(endpoint, deployment));
    if (pool != null) {
      pool.update(List.of());
    }
  }

  @Override
  public Pool pool(String endpoint, String deployment) {
    return pools.computeIfAbsent(key(endpoint, deployment), k -> new Pool());
  }

  @Override
  public List<String> logs(String endpoint, String deployment, int lines, String container) {
    if (Objects.equals(container, "storage-initializer")) {
      return List.of(
          "(local mode: the model is read from the registry's verified file; no download step runs)");
    }
    try {
      return logs.tail(endpoint, deployment, lines);
    } catch (IOException e) {
      return List.of("cannot read the logs: " + e.getMessage());
    }
  }

  @Override
  public synchronized void close() {
    running
        .values()
        .forEach(
            r -> {
              if (r.scaled() != null) {
                r.scaled().retire();
              }
              r.supervisor().close();
            });
    running.clear();
    scheduler.shutdownNow();
    launcher.close();
  }

  private static String key(String endpoint, String deployment) {
    return endpoint + "/" + deployment;
  }
}
