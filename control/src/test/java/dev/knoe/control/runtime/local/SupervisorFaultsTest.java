package dev.knoe.control.runtime.local;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults that need no scoring function: a process that never serves, a port taken, a launch that
 * fails.
 */
class SupervisorFaultsTest {

  private static final Probe READINESS = new Probe(0, 1, 1, 1, 3);
  private static final InstanceSupervisor.Settings SETTINGS =
      new InstanceSupervisor.Settings(
          Backoff.DEFAULT, Duration.ofMillis(100), Duration.ZERO, Duration.ofSeconds(2), 10);

  @TempDir Path dir;

  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
  private ProcessLauncher launcher;
  private InstanceSupervisor supervisor;

  @AfterEach
  void stop() {
    supervisor.close();
    launcher.close();
    scheduler.shutdownNow();
  }

  private InstanceSupervisor supervisor(Launcher l) {
    return supervisor(l, SETTINGS);
  }

  private InstanceSupervisor supervisor(Launcher l, InstanceSupervisor.Settings settings) {
    supervisor =
        new InstanceSupervisor(
            "ep1",
            "blue",
            l,
            scheduler,
            InstanceSupervisor.newProbeClient(),
            Clock.systemUTC(),
            settings);
    return supervisor;
  }

  private ProcessLauncher sh(String script) {
    launcher =
        new ProcessLauncher(List.of("/bin/sh", "-c", script), dir, Map.of("PATH", "/usr/bin:/bin"));
    return launcher;
  }

  private static InstanceSpec spec(Probe liveness) {
    return new InstanceSpec("ep1", "blue", 1, Path.of("model"), Map.of(), READINESS, liveness);
  }

  /**
   * Nothing answers on the port: liveness fails twice in a row, the process is stopped and
   * restarted.
   */
  @Test
  void livenessFailureRestarts() {
    InstanceSupervisor s = supervisor(sh("exec sleep 60"));
    s.scale(spec(new Probe(0, 2, 1, 1, 2)), 1);
    // Read together, as soon as it has restarted: the restarted one fails its probes in turn a few
    // seconds later.
    AtomicReference<InstanceSupervisor.Status> status = new AtomicReference<>();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              if (s.instances().get(0).restarts() < 1) {
                return false;
              }
              status.set(s.status());
              return true;
            });
    // sleep ends on SIGTERM: 128 + 15.
    assertEquals(143, s.instance("blue-1-0").orElseThrow().lastExitCode().orElseThrow());
    assertEquals(1, status.get().failed());
    assertEquals(
        "instance blue-1-0 exited with code 143 (SIGTERM) after failing 2 liveness probes in a row",
        status.get().message());
    assertEquals(List.of(), s.ready());
  }

  /**
   * knoe serve's shutdown: the launcher's own hook may stop the children before the supervisors are
   * closed. Their exits are that stop: no crash reported, no restart.
   */
  @Test
  void childrenStoppedByTheLauncherAreNoCrash() throws Exception {
    Probe late = new Probe(60, 10, 1, 1, 3);
    InstanceSupervisor s = supervisor(sh("exec sleep 60"));
    s.scale(new InstanceSpec("ep1", "blue", 1, Path.of("model"), Map.of(), late, late), 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> s.instances().size() == 1);
    launcher.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> s.instances().isEmpty());
    Thread.sleep(SETTINGS.backoff().delay(1).toMillis() + 500); // a restart would be due by now
    assertEquals(List.of(), s.instances());
    assertEquals(0, s.status().failed());
  }

  /**
   * A port taken between pick and bind is retried at once on another port, three times, then backs
   * off.
   */
  @Test
  void portTakenIsRetriedWithoutBackoff() {
    AtomicInteger launches = new AtomicInteger();
    ProcessLauncher real =
        sh(
            "echo \"12:00:00.000 ERROR [i.q.r.Application] Port $QUARKUS_HTTP_PORT seems to be in use"
                + " by another process.\"; exit 1");
    // A minute's backoff: a slow machine cannot let the backed-off fifth launch in before the
    // asserts.
    InstanceSupervisor s =
        supervisor(
            (spec, id) -> {
              launches.incrementAndGet();
              return real.launch(spec, id);
            },
            new InstanceSupervisor.Settings(
                new Backoff(Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMinutes(10)),
                SETTINGS.startupProbeInterval(),
                SETTINGS.drainDelay(),
                SETTINGS.stopGrace(),
                SETTINGS.crashLogLines()));
    s.scale(spec(Probe.AZURE_DEFAULT), 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> s.status().failed() == 1);
    assertEquals(4, launches.get());
    assertTrue(
        s.status()
            .message()
            .matches(
                "instance blue-1-0 exited with code 1: Port \\d+ seems to be in use by another process\\."),
        s.status().message());
    assertEquals(0, s.instances().get(0).restarts());
  }

  @Test
  void launchFailureBacksOff() {
    sh("true");
    InstanceSupervisor s =
        supervisor(
            (spec, id) -> {
              throw new IOException(
                  "Cannot run program \"/nope\": error=2, No such file or directory");
            });
    s.scale(spec(Probe.AZURE_DEFAULT), 1);
    InstanceSupervisor.Status st = s.status();
    assertEquals(1, st.failed());
    assertEquals(
        "instance blue-1-0 could not start: Cannot run program \"/nope\": error=2, No such file or directory",
        st.message());
    assertEquals(Instance.State.FAILED, s.instances().get(0).state());
    assertEquals(null, s.instances().get(0).baseUri());
  }
}
