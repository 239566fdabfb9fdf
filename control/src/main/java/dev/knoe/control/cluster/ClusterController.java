package dev.knoe.control.cluster;

import dev.knoe.control.knative.KnativeRenderer;
import io.fabric8.knative.client.KnativeClient;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Runs the {@link Reconciler} for a namespace while this replica leads: a Lease (by default {@value
 * #LEASE}, see {@link LeaseId}) elects one replica; the leader watches OnlineEndpoints,
 * OnlineDeployments and the Knative Services, Revisions, Triggers and auth Secrets Knoe made
 * (informers), turns every event into its endpoint's name in a de-duplicating {@link WorkQueue},
 * and one thread reconciles one endpoint at a time, again after the delay the Reconciler asks for,
 * or with backoff (1 s doubling to 1 min) after an error. Losing the lease stops the informers and
 * the worker.
 */
public final class ClusterController implements AutoCloseable {

  public static final String LEASE = "knoe-controller";

  /** Informers list everything again this often, so drift in what is not watched is put back. */
  static final long RESYNC_MS = Duration.ofMinutes(10).toMillis();

  static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

  private static final Logger LOG = Logger.getLogger(ClusterController.class);

  /** What the worker calls for each endpoint: {@link Reconciler#reconcile}. */
  @FunctionalInterface
  public interface Work {
    Reconciler.Result reconcile(String namespace, String endpoint);

    /** The same, with the deployments from the leader's informer cache rather than a list call. */
    default Reconciler.Result reconcile(
        String namespace, String endpoint, Reconciler.Deployments cached) {
      return reconcile(namespace, endpoint);
    }
  }

  private static final String BY_ENDPOINT = "endpoint";

  /**
   * Where the Lease is: the chart puts it in the release's namespace ({@code POD_NAMESPACE}) under
   * {@code KNOE_LEASE_NAME}, which may not be the endpoints' namespace.
   */
  public record LeaseId(String namespace, String name) {
    /**
     * {@code POD_NAMESPACE} and {@code KNOE_LEASE_NAME}, else {@code fallbackNamespace} and {@value
     * #LEASE}.
     */
    public static LeaseId fromEnvironment(String fallbackNamespace) {
      String ns = System.getenv("POD_NAMESPACE");
      String name = System.getenv("KNOE_LEASE_NAME");
      return new LeaseId(
          ns == null || ns.isBlank() ? fallbackNamespace : ns,
          name == null || name.isBlank() ? LEASE : name);
    }
  }

  /**
   * @param leaseDuration how long a lease holds without renewal
   * @param renewDeadline how long the leader tries to renew before giving up
   * @param retryPeriod how often candidates try
   */
  public record Timing(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
    public static final Timing DEFAULT =
        new Timing(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));
  }

  private final KubernetesClient client;
  private final String namespace;
  private final Work work;
  private final String identity;
  private final Timing timing;
  private final LeaseId lease;

  private final Object lock = new Object();
  private CompletableFuture<?> election;
  private Running running;
  private volatile String leader;

  public ClusterController(KubernetesClient client, String namespace, Reconciler reconciler) {
    this(
        client,
        namespace,
        work(reconciler),
        identity(),
        LeaseId.fromEnvironment(namespace),
        Timing.DEFAULT);
  }

  /** The reconciler as the worker's work, taking the informer's deployments when it has them. */
  public static Work work(Reconciler reconciler) {
    return new Work() {
      @Override
      public Reconciler.Result reconcile(String namespace, String endpoint) {
        return reconciler.reconcile(namespace, endpoint);
      }

      @Override
      public Reconciler.Result reconcile(
          String namespace, String endpoint, Reconciler.Deployments cached) {
        return reconciler.reconcile(namespace, endpoint, cached);
      }
    };
  }

  /**
   * @param namespace where the endpoints are
   * @param identity this replica's name in the Lease
   */
  public ClusterController(
      KubernetesClient client,
      String namespace,
      Work work,
      String identity,
      LeaseId lease,
      Timing timing) {
    this.client = client;
    this.lease = lease;
    this.namespace = namespace;
    this.work = work;
    this.identity = identity;
    this.timing = timing;
  }

  /** {@code POD_NAME} (the chart sets it from the downward API), else the host name. */
  public static String identity() {
    String pod = System.getenv("POD_NAME");
    if (pod != null && !pod.isBlank()) {
      return pod;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "knoe-" + ProcessHandle.current().pid();
    }
  }

  /** Joins the election; returns at once. */
  public void start() {
    synchronized (lock) {
      if (election != null) {
        return;
      }
      var config =
          new LeaderElectionConfigBuilder()
              .withName(lease.name())
              .withLock(new LeaseLock(lease.namespace(), lease.name(), identity))
              .withLeaseDuration(timing.leaseDuration())
              .withRenewDeadline(timing.renewDeadline())
              .withRetryPeriod(timing.retryPeriod())
              .withReleaseOnCancel(true)
              .withLeaderCallbacks(
                  new LeaderCallbacks(
                      this::startLeading,
                      this::stopLeading,
                      id -> {
                        leader = id;
                        LOG.info("knoe controller leader in " + namespace + ": " + id);
                      }))
              .build();
      CompletableFuture<?> joined = client.leaderElector().withConfig(config).build().start();
      election = joined;
      // fabric8's elector ends for good once it loses the lease: join again, unless closed, so that
      // a replica that lost it once can lead later (else two blips leave no replica reconciling).
      joined.whenComplete(
          (v, error) -> {
            synchronized (lock) {
              if (election != joined) {
                return; // closed, or already replaced
              }
              election = null;
            }
            LOG.info(
                identity
                    + " left the election"
                    + (error == null ? "" : " (" + error + ")")
                    + "; joining again");
            start();
          });
    }
  }

  /** True while this replica leads and reconciles. */
  public boolean leading() {
    synchronized (lock) {
      return running != null;
    }
  }

  /** The leader last seen, or null. */
  public String leader() {
    return leader;
  }

  /** Leaves the election (releasing the lease if held) and stops reconciling. */
  @Override
  public void close() {
    CompletableFuture<?> e;
    synchronized (lock) {
      e = election;
      election = null;
    }
    if (e != null) {
      e.cancel(true);
    }
    stopLeading();
  }

  // ---------------------------------------------------------------- while leading

  /** Starts the informers and the worker (the election calls it). */
  void startLeading() {
    synchronized (lock) {
      if (running == null) {
        running = new Running();
        LOG.info(identity + " leads: reconciling endpoints in " + namespace);
      }
    }
  }

  void stopLeading() {
    Running r;
    synchronized (lock) {
      r = running;
      running = null;
    }
    if (r != null) {
      r.stop();
      LOG.info(identity + " stopped reconciling endpoints in " + namespace);
    }
  }

  private final class Running {
    final WorkQueue queue = new WorkQueue();
    final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    final SharedIndexInformer<OnlineDeployment> deployments;
    final CompletableFuture<Void> deploymentsStarted;
    final Map<String, Integer> failures = new HashMap<>();
    final Thread worker;

    Running() {
      KnativeClient knative = client.adapt(KnativeClient.class);
      Function<HasMetadata, String> byLabel =
          o ->
              o.getMetadata().getLabels() == null
                  ? null
                  : o.getMetadata().getLabels().get(KnativeRenderer.LABEL_ENDPOINT);
      informers.add(
          client
              .resources(OnlineEndpoint.class)
              .inNamespace(namespace)
              .inform(handler(o -> o.getMetadata().getName()), RESYNC_MS));
      deployments =
          client
              .resources(OnlineDeployment.class)
              .inNamespace(namespace)
              .runnableInformer(RESYNC_MS);
      // Indexed by endpoint, so a reconcile reads its endpoint's deployments from memory, not a
      // list call.
      deployments.addIndexers(
          Map.of(
              BY_ENDPOINT,
              d -> {
                String e = SpecTrees.endpointResourceOf(d);
                return e == null ? List.of() : List.of(e);
              }));
      deployments.addEventHandler(handler(SpecTrees::endpointResourceOf));
      deploymentsStarted = deployments.start().toCompletableFuture();
      deploymentsStarted.whenComplete(
          (v, e) -> {
            if (e != null) {
              // Reconciles then list from the API (the cache never syncs); say why.
              LOG.warn("the OnlineDeployment informer in " + namespace + " did not start", e);
            }
          });
      informers.add(deployments);
      informers.add(
          knative
              .services()
              .inNamespace(namespace)
              .withLabel(KnativeRenderer.LABEL_ENDPOINT)
              .inform(handler(byLabel::apply), RESYNC_MS));
      informers.add(
          knative
              .revisions()
              .inNamespace(namespace)
              .withLabel(KnativeRenderer.LABEL_ENDPOINT)
              .inform(handler(byLabel::apply), 0));
      // The Triggers and auth Secrets Knoe made: a Trigger edited by hand is put back, and a Secret
      // whose events token was rotated moves the Triggers to it, at once rather than at the resync.
      informers.add(
          knative
              .triggers()
              .inNamespace(namespace)
              .withLabel(KnativeRenderer.LABEL_ENDPOINT)
              .inform(handler(byLabel::apply), RESYNC_MS));
      informers.add(
          client
              .secrets()
              .inNamespace(namespace)
              .withLabel(KnativeRenderer.LABEL_ENDPOINT)
              .inform(handler(byLabel::apply), RESYNC_MS));
      worker = thread(this::work, "knoe-reconciler");
      worker.start();
    }

    <T extends HasMetadata> ResourceEventHandler<T> handler(Function<T, String> key) {
      return new ResourceEventHandler<>() {
        @Override
        public void onAdd(T obj) {
          queue.add(key.apply(obj));
        }

        @Override
        public void onUpdate(T before, T after) {
          queue.add(key.apply(before));
          queue.add(key.apply(after));
        }

        @Override
        public void onDelete(T obj, boolean finalStateUnknown) {
          queue.add(key.apply(obj));
        }
      };
    }

    void work() {
      // The first reconciles read the cache too, not a list call each; past a renew deadline they
      // list.
      try {
        deploymentsStarted.get(timing.renewDeadline().toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      } catch (ExecutionException | TimeoutException e) {
        // logged by whenComplete, or still syncing: cachedDeployments answers null meanwhile
      }
      while (true) {
        String endpoint;
        try {
          endpoint = queue.take();
        } catch (InterruptedException e) {
          return;
        }
        if (endpoint == null) {
          return;
        }
        try {
          Reconciler.Result r = work.reconcile(namespace, endpoint, this::cachedDeployments);
          failures.remove(endpoint);
          if (r.requeue()) {
            queue.addAfter(endpoint, r.after());
          }
        } catch (RuntimeException e) {
          int n = failures.merge(endpoint, 1, Integer::sum);
          Duration backoff = backoff(n);
          LOG.warn(
              "reconciling endpoint "
                  + endpoint
                  + " failed ("
                  + n
                  + " in a row), again in "
                  + backoff.toMillis()
                  + " ms",
              e);
          queue.addAfter(endpoint, backoff);
        } finally {
          queue.done(endpoint);
        }
      }
    }

    /** Copies (the cache's objects are shared), or null until the informer has synced. */
    List<OnlineDeployment> cachedDeployments(String endpointResource) {
      if (!deployments.hasSynced()) {
        return null;
      }
      return deployments.getIndexer().byIndex(BY_ENDPOINT, endpointResource).stream()
          .map(d -> client.getKubernetesSerialization().clone(d))
          .toList();
    }

    void stop() {
      informers.forEach(SharedIndexInformer::close);
      queue.close();
      worker.interrupt();
      // The next leader must not meet a reconcile of ours still writing.
      if (Thread.currentThread() != worker) {
        try {
          worker.join(timing.renewDeadline().toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** 1 s, 2 s, 4 s ... at most {@link #MAX_BACKOFF}. */
  static Duration backoff(int failures) {
    long ms = 1000L << Math.min(16, Math.max(0, failures - 1));
    return Duration.ofMillis(Math.min(ms, MAX_BACKOFF.toMillis()));
  }

  private static Thread thread(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
