package dev.knoe.control.runtime;

import static dev.knoe.control.state.ProvisioningState.Creating;
import static dev.knoe.control.state.ProvisioningState.Failed;
import static dev.knoe.control.state.ProvisioningState.Succeeded;
import static dev.knoe.control.state.ProvisioningState.Updating;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.knoe.control.state.ProvisioningState;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ProvisioningDecisionTest {

  static final String CRASH = "instance blue-1-1 exited with code 137";

  record Case(
      String name,
      ProvisioningState current,
      int wanted,
      int ready,
      int failed,
      int desired,
      ProvisioningDecision.Outcome expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case("all ready", Creating, 2, 2, 0, 2, outcome(Succeeded, null)),
        new Case(
            "starting, 1 of 2 ready",
            Creating,
            2,
            1,
            0,
            2,
            outcome(Creating, "1 of 2 instance(s) ready")),
        new Case(
            "one of two crashed, the other serves: still Succeeded",
            Succeeded,
            2,
            1,
            1,
            2,
            outcome(Succeeded, "1 of 2 instance(s) ready; " + CRASH)),
        new Case(
            "one of two crash-loops while creating, the other serves: still Creating",
            Creating,
            2,
            1,
            1,
            2,
            outcome(Creating, "1 of 2 instance(s) ready; " + CRASH)),
        new Case(
            "the only instance crashed: Failed", Succeeded, 1, 0, 1, 1, outcome(Failed, CRASH)),
        new Case("both crashed: Failed", Succeeded, 2, 0, 2, 2, outcome(Failed, CRASH)),
        new Case("replacement ready again", Succeeded, 2, 2, 0, 2, outcome(Succeeded, null)),
        new Case(
            "Failed, one back: Updating until all are",
            Failed,
            2,
            1,
            1,
            2,
            outcome(Updating, "1 of 2 instance(s) ready; " + CRASH)),
        new Case("scaled to zero", Succeeded, 0, 0, 0, 0, outcome(Succeeded, null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decides(Case c) {
    assertEquals(
        c.expected(),
        ProvisioningDecision.decide(
            c.current(),
            c.wanted(),
            c.ready() >= c.wanted(),
            c.ready(),
            c.failed(),
            c.desired(),
            c.failed() > 0 ? CRASH : null));
  }

  private static ProvisioningDecision.Outcome outcome(ProvisioningState s, String message) {
    return new ProvisioningDecision.Outcome(s, message);
  }
}
