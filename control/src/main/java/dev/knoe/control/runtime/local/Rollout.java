package dev.knoe.control.runtime.local;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which instances to start and stop so that {@code count} instances of the desired generation run,
 * never stopping an instance of an older generation before a new one is ready to take its place
 * (Kubernetes' rolling update with maxSurge = 100 %, maxUnavailable = 0).
 */
final class Rollout {

  /** A running (not stopping) instance as the plan sees it; {@code seq} grows with creation. */
  record Member(String id, long generation, boolean ready, long seq) {}

  /** Start {@code start} new instances of the desired generation, stop those in {@code stop}. */
  record Plan(int start, List<String> stop) {
    static final Plan NOTHING = new Plan(0, List.of());
  }

  // Removal order, as Kubernetes' ReplicaSet: not-ready first (they serve nothing), then the
  // newest (the oldest have a warm JIT and have proved themselves stable).
  private static final Comparator<Member> REMOVAL_ORDER =
      Comparator.comparing(Member::ready).thenComparing(Member::seq, Comparator.reverseOrder());

  private Rollout() {}

  static Plan plan(long generation, int count, List<Member> members) {
    List<Member> current = new ArrayList<>();
    List<Member> old = new ArrayList<>();
    for (Member m : members) {
      (m.generation() == generation ? current : old).add(m);
    }
    List<String> stop = new ArrayList<>();
    current.sort(REMOVAL_ORDER);
    int surplus = current.size() - count;
    for (int i = 0; i < surplus; i++) {
      stop.add(current.get(i).id());
    }
    long readyCurrent =
        current.subList(Math.max(surplus, 0), current.size()).stream()
            .filter(Member::ready)
            .count();
    // Old instances serve until new ones are ready in their place: e.g. count 3 with 1 new ready
    // keeps 2 old ones (restarting them if they crash), with 3 new ready none.
    long keepOld = Math.max(0, count - readyCurrent);
    old.sort(REMOVAL_ORDER);
    for (int i = 0; i < old.size() - keepOld; i++) {
      stop.add(old.get(i).id());
    }
    return new Plan(Math.max(0, -surplus), List.copyOf(stop));
  }
}
