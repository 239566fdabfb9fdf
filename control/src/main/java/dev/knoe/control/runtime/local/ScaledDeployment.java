package dev.knoe.control.runtime.local;

import dev.knoe.autoscaler.Autoscaler;
import dev.knoe.autoscaler.Decision;
import dev.knoe.autoscaler.ScalingPolicy;
import dev.knoe.control.router.Pool;
import java.time.Clock;
import org.jboss.logging.Logger;

/**
 * One autoscaled generation of a deployment in local mode: feeds the router's measure of requests
 * held ({@link Pool#sampleConcurrency}) to Knative's decision ({@link Autoscaler}) and applies what
 * it decides to the instance supervisor. The owner calls {@link #sample} every second, {@link
 * #tick} every tick (2 s) and {@link #demand} when a request finds no ready instance (Knative's
 * activator "poke", so a deployment at zero starts at once instead of at the next tick).
 */
public final class ScaledDeployment {

  private static final Logger LOG = Logger.getLogger(ScaledDeployment.class);

  private final Autoscaler autoscaler;
  private final Pool pool;
  private final InstanceSupervisor supervisor;
  private final InstanceSpec spec;
  private final Clock clock;

  // Guarded by this.
  private int desired;
  private Decision last;
  private boolean reached;
  private boolean retired;

  /**
   * Starts {@code startWith} instances of {@code spec} at once.
   *
   * @param resumed true when this replaces the scaler of the same running generation (a change of
   *     scale settings only): the initial scale does not apply again
   */
  public ScaledDeployment(
      ScalingPolicy policy,
      Pool pool,
      InstanceSupervisor supervisor,
      InstanceSpec spec,
      Clock clock,
      int startWith,
      boolean resumed) {
    this.autoscaler = new Autoscaler(policy);
    this.pool = pool;
    this.supervisor = supervisor;
    this.spec = spec;
    this.clock = clock;
    if (resumed) {
      autoscaler.skipInitialScale();
      reached = true;
    }
    synchronized (this) {
      apply(startWith);
    }
  }

  public ScalingPolicy policy() {
    return autoscaler.policy();
  }

  public InstanceSpec spec() {
    return spec;
  }

  /** Records the requests held over the last second. */
  public synchronized void sample(long nanos) {
    autoscaler.record(clock.millis(), pool.sampleConcurrency(nanos));
  }

  /** Decides and applies. */
  public synchronized void tick() {
    decide();
  }

  /** A request waits for an instance: at zero, decide now with the requests waiting. */
  public synchronized void demand() {
    if (desired == 0 && pool.ready().isEmpty()) {
      autoscaler.record(clock.millis(), Math.max(1, pool.pending()));
      decide();
    }
  }

  /**
   * Stops acting: from now on nothing here scales the supervisor. Called before a successor takes
   * over (a tick running late must not scale the old generation's spec back in) or on removal.
   */
  public synchronized void retire() {
    retired = true;
  }

  public synchronized int desired() {
    return desired;
  }

  /** The last decision, or null before the first tick. */
  public synchronized Decision last() {
    return last;
  }

  /**
   * True once the generation had its initial scale ready (stays true: later changes are scaling,
   * not provisioning).
   */
  public synchronized boolean reached(int readyNow) {
    reached |= readyNow >= autoscaler.policy().initialScale();
    return reached;
  }

  private void decide() {
    if (retired) {
      return;
    }
    int ready = supervisor.status().ready();
    Decision d = autoscaler.decide(clock.millis(), ready);
    last = d;
    if (d.desired() != desired) {
      LOG.infov(
          "{0}/{1}: scaling from {2} to {3}",
          spec.endpoint(), spec.deployment(), desired, d.describe(autoscaler.policy()));
      apply(d.desired());
    }
  }

  private void apply(int count) {
    desired = count;
    pool.wanted(count);
    supervisor.scale(spec, count);
  }
}
