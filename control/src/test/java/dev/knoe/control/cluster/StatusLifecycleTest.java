package dev.knoe.control.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The status records' lifecycle methods, without a cluster. */
class StatusLifecycleTest {

  static final Instant T0 = Instant.parse("2026-12-03T10:00:00.750Z");
  static final Instant T1 = T0.plus(Duration.ofMinutes(5));
  static final OnlineEndpointStatus.Serving SERVING =
      new OnlineEndpointStatus.Serving(
          "http://e.knoe.example.com",
          Map.of("blue", 100),
          Map.of(
              "blue", new OnlineEndpointStatus.DeploymentSummary("Succeeded", "r1", "http://t")));

  /** A lifecycle step from a status before, and what it should come to. */
  record Case(
      String name,
      OnlineEndpointStatus before,
      java.util.function.UnaryOperator<OnlineEndpointStatus> mark,
      String state,
      String readyStatus,
      String reason) {
    @Override
    public String toString() {
      return name;
    }
  }

  static OnlineEndpointStatus succeeded() {
    return OnlineEndpointStatus.NONE.markSucceeded(SERVING, 1, T0);
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "new, waiting: Creating",
            OnlineEndpointStatus.NONE,
            s -> s.markWaiting("waiting for Knative", SERVING, 1, T1),
            "Creating",
            "Unknown",
            "Waiting"),
        new Case(
            "Creating, still waiting: Creating",
            OnlineEndpointStatus.NONE.markWaiting("w", SERVING, 1, T0),
            s -> s.markWaiting("w", SERVING, 1, T1),
            "Creating",
            "Unknown",
            "Waiting"),
        new Case(
            "Succeeded, then waiting: Updating",
            succeeded(),
            s -> s.markWaiting("w", SERVING, 2, T1),
            "Updating",
            "Unknown",
            "Waiting"),
        new Case(
            "Failed, then waiting: Updating",
            OnlineEndpointStatus.NONE.markFailed("InvalidSpec", "x", 1, T0),
            s -> s.markWaiting("w", SERVING, 2, T1),
            "Updating",
            "Unknown",
            "Waiting"),
        new Case(
            "routed: Succeeded",
            OnlineEndpointStatus.NONE,
            s -> s.markSucceeded(SERVING, 1, T1),
            "Succeeded",
            "True",
            "Ready"),
        new Case(
            "a share cannot move: Failed",
            succeeded(),
            s -> s.markTrafficNotApplied(List.of("p"), SERVING, 2, T1),
            "Failed",
            "False",
            "TrafficNotApplied"),
        new Case(
            "a Trigger refused: Failed",
            succeeded(),
            s -> s.markTriggersRefused(List.of("r"), SERVING, 2, T1),
            "Failed",
            "False",
            "TriggerRefused"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void endpointLifecycle(Case c) {
    OnlineEndpointStatus after = c.mark().apply(c.before());
    assertEquals(c.state(), after.provisioningState());
    StatusCondition ready = after.conditions().get(0);
    assertEquals(
        List.of("Ready", c.readyStatus(), c.reason()),
        List.of(ready.type(), ready.status(), ready.reason()));
    StatusCondition was = c.before().conditions() == null ? null : c.before().conditions().get(0);
    String time =
        was != null && was.status().equals(ready.status())
            ? was.lastTransitionTime()
            : "2026-12-03T10:05:00Z";
    assertEquals(
        time, ready.lastTransitionTime(), "moves only when the status does, to the second");
  }

  @Test
  void theSameOutcomeAgainIsEqualSoNotWritten() {
    OnlineEndpointStatus once = succeeded();
    assertEquals(once, once.markSucceeded(SERVING, 1, T1));
  }

  @Test
  void succeededShowsWhereToScoreAndTheSplit() {
    OnlineEndpointStatus s = succeeded();
    assertEquals("http://e.knoe.example.com/score", s.scoringUri());
    assertEquals("http://e.knoe.example.com/swagger.json", s.openapiUri());
    assertEquals(Map.of("blue", 100), s.traffic());
    assertEquals(1L, s.observedGeneration());
    assertNull(s.message());
  }

  @Test
  void failedKeepsWhatIsInEffect() {
    OnlineEndpointStatus s = succeeded().markFailed("NameTaken", "taken", 3, T1);
    assertEquals("Failed", s.provisioningState());
    assertEquals("taken", s.message());
    assertEquals("http://e.knoe.example.com/score", s.scoringUri());
    assertEquals(Map.of("blue", 100), s.traffic());
    assertEquals(SERVING.deployments(), s.deployments());
    assertEquals(3L, s.observedGeneration());
    assertEquals("NameTaken", s.conditions().get(0).reason());
  }

  @Test
  void refusedTriggersAreSaidInOneSentence() {
    assertEquals(
        "a; the endpoint's traffic is served without it",
        OnlineEndpointStatus.NONE.markTriggersRefused(List.of("a"), SERVING, 1, T0).message());
    assertEquals(
        "a; b; the endpoint's traffic is served without them",
        OnlineEndpointStatus.NONE.markTriggersRefused(List.of("a", "b"), SERVING, 1, T0).message());
    assertEquals(
        "p; the other shares are where they were",
        OnlineEndpointStatus.NONE.markTrafficNotApplied(List.of("p"), SERVING, 1, T0).message());
  }

  @Test
  void beforeKnativeGivesAUrlThereIsNoWhereToScore() {
    var s =
        OnlineEndpointStatus.NONE.markWaiting(
            "w", new OnlineEndpointStatus.Serving(null, null, Map.of()), 1, T0);
    assertNull(s.scoringUri());
    assertNull(s.openapiUri());
    assertNull(s.traffic());
  }

  @Test
  void aDeploymentWaitsAsCreatingUntilAnOlderRevisionOfItServes() {
    var none = OnlineDeploymentStatus.NONE;
    assertEquals(
        "Creating",
        none.markWaiting(false, "m", "r2", null, null, null, 2, T0).provisioningState());
    assertEquals(
        "Updating", none.markWaiting(true, "m", "r2", "u", null, null, 2, T0).provisioningState());
    var ok = none.markSucceeded("r1", "u", "t", 2, 1, T0);
    assertEquals(
        List.of("Succeeded", "True", "Ready"),
        List.of(
            ok.provisioningState(),
            ok.conditions().get(0).status(),
            ok.conditions().get(0).reason()));
    assertEquals(2, ok.readyInstances());
    var failed = ok.markFailed("ContainerMissing", "no image", "r2", "u", "t", 2, T1);
    assertEquals(
        List.of("Failed", "False", "ContainerMissing", "2026-12-03T10:05:00Z"),
        List.of(
            failed.provisioningState(),
            failed.conditions().get(0).status(),
            failed.conditions().get(0).reason(),
            failed.conditions().get(0).lastTransitionTime()));
    assertNull(failed.readyInstances());
    assertEquals(
        "2026-12-03T10:00:00Z",
        ok.markSucceeded("r1", "u", "t", 2, 1, T1).conditions().get(0).lastTransitionTime(),
        "the same status: the time it became so");
  }
}
