package dev.knoe.control.runtime.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.knoe.control.runtime.local.Rollout.Member;
import dev.knoe.control.runtime.local.Rollout.Plan;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RolloutTest {

  record Case(String name, long generation, int count, List<Member> members, Plan expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Member ready(String id, long generation, long seq) {
    return new Member(id, generation, true, seq);
  }

  private static Member notReady(String id, long generation, long seq) {
    return new Member(id, generation, false, seq);
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case("create: 0 -> 2", 1, 2, List.of(), new Plan(2, List.of())),
        new Case("steady", 1, 2, List.of(ready("a", 1, 0), ready("b", 1, 1)), Plan.NOTHING),
        new Case("scale up 1 -> 3", 1, 3, List.of(ready("a", 1, 0)), new Plan(2, List.of())),
        new Case(
            "scale down 3 -> 1: newest go first",
            1,
            1,
            List.of(ready("a", 1, 0), ready("b", 1, 1), ready("c", 1, 2)),
            new Plan(0, List.of("c", "b"))),
        new Case(
            "scale down 3 -> 2: a not-ready one goes before the newest",
            1,
            2,
            List.of(ready("a", 1, 0), notReady("b", 1, 1), ready("c", 1, 2)),
            new Plan(0, List.of("b"))),
        new Case(
            "scale to zero",
            1,
            0,
            List.of(ready("a", 1, 0), notReady("b", 1, 1)),
            new Plan(0, List.of("b", "a"))),
        new Case(
            "update 1 -> 2, count 2: surge, old ones stay",
            2,
            2,
            List.of(ready("a", 1, 0), ready("b", 1, 1)),
            new Plan(2, List.of())),
        new Case(
            "update, 1 of 2 new ready: one old goes, newest first",
            2,
            2,
            List.of(ready("a", 1, 0), ready("b", 1, 1), ready("c", 2, 2), notReady("d", 2, 3)),
            new Plan(0, List.of("b"))),
        new Case(
            "update, an old one crashed: it goes before a ready one",
            2,
            2,
            List.of(notReady("a", 1, 0), ready("b", 1, 1), ready("c", 2, 2), notReady("d", 2, 3)),
            new Plan(0, List.of("a"))),
        new Case(
            "update, new ones failing: old ones keep serving",
            2,
            2,
            List.of(ready("a", 1, 0), ready("b", 1, 1), notReady("c", 2, 2), notReady("d", 2, 3)),
            Plan.NOTHING),
        new Case(
            "update, all new ready: old ones go",
            2,
            2,
            List.of(ready("a", 1, 0), ready("b", 1, 1), ready("c", 2, 2), ready("d", 2, 3)),
            new Plan(0, List.of("b", "a"))),
        new Case(
            "rollback to 1 while 2 fails: the failing new one goes, old ones are current again",
            1,
            2,
            List.of(ready("a", 1, 0), ready("b", 1, 1), notReady("c", 2, 2)),
            new Plan(0, List.of("c"))),
        new Case(
            "update while scaling down 2 -> 1, the new one ready",
            2,
            1,
            List.of(ready("a", 1, 0), ready("b", 1, 1), ready("c", 2, 2)),
            new Plan(0, List.of("b", "a"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void plan(Case c) {
    assertEquals(c.expected(), Rollout.plan(c.generation(), c.count(), c.members()));
  }
}
