package dev.knoe.autoscaler.sim;

/**
 * The requests of one deployment in arrival order, one at a time (a cursor, so a generated hour of
 * traffic is never stored): {@link #next} moves to the next request, then {@link #arrival} and
 * {@link #service} describe it. Not thread-safe; one simulation owns it.
 */
public interface ArrivalSource {

  /** Moves to the next request; false when there is none (the trace ended). */
  boolean next();

  /** The current request's arrival, seconds from the start; never decreasing. */
  double arrival();

  /** The current request's service time in seconds (the time an instance works on it). */
  double service();
}
