package dev.knoe.control.runtime.local;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.control.runtime.local.Instance.State;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor with real scoring-function processes on loopback ports: start, score, scale, crash
 * and restart, rolling update under load, a broken model.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InstanceSupervisorTest {

  private static final String EXPECTED = "[[-3.625],[4.625]]";
  // An instance is ready in about 1 s here, 5-7 s on a starved machine; some tests start two at
  // once.
  private static final Duration START = Duration.ofSeconds(60);
  // Readiness every second (every 100 ms until the first pass), liveness from 2 s on.
  private static final Probe READINESS = new Probe(0, 1, 2, 1, 3);
  private static final Probe LIVENESS = new Probe(2, 1, 2, 1, 10);
  private static final InstanceSupervisor.Settings SETTINGS =
      new InstanceSupervisor.Settings(
          Backoff.DEFAULT,
          Duration.ofMillis(100),
          Duration.ofMillis(300),
          Duration.ofSeconds(8),
          10);

  @TempDir Path logs;

  private Path root;
  private Path scoringHome;
  private String request;
  private ProcessLauncher launcher;
  private ScheduledExecutorService scheduler;
  private final HttpClient http = InstanceSupervisor.newProbeClient();
  private final List<InstanceSupervisor> supervisors = new ArrayList<>();
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final Logger julLogger = Logger.getLogger(InstanceSupervisor.class.getName());
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          Object[] p = r.getParameters();
          warnings.add(
              p == null ? r.getMessage() : java.text.MessageFormat.format(r.getMessage(), p));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeAll
  void scoringFunction() throws IOException {
    root =
        Path.of(System.getProperty("samples.dir", "../samples"))
            .toAbsolutePath()
            .normalize()
            .getParent();
    scoringHome = root.resolve("scoring-function");
    Path jar = scoringHome.resolve(ProcessLauncher.JAR);
    assertTrue(
        Files.exists(jar),
        jar
            + " is missing: build the scoring function first with"
            + " `./mvnw install -DskipTests` in "
            + root);
    request = Files.readString(root.resolve("samples/requests/model-1.json"));
    scheduler = Executors.newScheduledThreadPool(2);
    julLogger.addHandler(capture);
  }

  @BeforeEach
  void launcher() {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    // The launcher script finds a JDK 25 under /usr/lib/jvm by itself; this JVM's java is its
    // fallback.
    Map<String, String> env =
        Map.of(
            "PATH",
            java.getParent() + ":/usr/local/bin:/usr/bin:/bin",
            "KNOE_FAST_START",
            "1",
            "KNOE_APP_DIR",
            scoringHome.resolve("target/quarkus-app").toString());
    launcher = new ProcessLauncher(ProcessLauncher.scoringCommand(scoringHome, java), logs, env);
    warnings.clear();
  }

  @AfterEach
  void stopAll() {
    supervisors.forEach(InstanceSupervisor::close);
    supervisors.clear();
    launcher.close();
  }

  @AfterAll
  void shutdown() {
    julLogger.removeHandler(capture);
    scheduler.shutdownNow();
  }

  private InstanceSupervisor supervisor(String deployment) {
    return supervisor(deployment, SETTINGS);
  }

  private InstanceSupervisor supervisor(String deployment, InstanceSupervisor.Settings settings) {
    InstanceSupervisor s =
        new InstanceSupervisor(
            "ep1", deployment, launcher, scheduler, http, Clock.systemUTC(), settings);
    supervisors.add(s);
    return s;
  }

  private InstanceSpec spec(String deployment, long generation, Path model) {
    return new InstanceSpec(
        "ep1",
        deployment,
        generation,
        model,
        Map.of("KNOE_BATCH_MAX_DELAY_MS", "1"),
        READINESS,
        LIVENESS);
  }

  private Path model1() {
    return root.resolve("samples/models/model-1/model");
  }

  private HttpResponse<String> score(URI base) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(base.resolve("/score"))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(5))
            .POST(HttpRequest.BodyPublishers.ofString(request))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void scoresThroughItsPort() throws Exception {
    InstanceSupervisor s = supervisor("blue");
    List<List<InstanceView>> told = new CopyOnWriteArrayList<>();
    s.addListener((endpoint, deployment, ready) -> told.add(ready));
    s.scale(spec("blue", 1, model1()), 1);
    assertEquals(new InstanceSupervisor.Status(1, 0, 1, 0, "0 of 1 instances ready"), s.status());

    await().atMost(START).until(() -> s.ready().size() == 1);
    InstanceView v = s.ready().get(0);
    assertEquals("blue-1-0", v.id());
    assertEquals(State.READY, v.state());
    HttpResponse<String> r = score(v.baseUri());
    assertEquals(200, r.statusCode());
    assertEquals(EXPECTED, r.body());
    assertEquals(new InstanceSupervisor.Status(1, 1, 0, 0, ""), s.status());
    // The listener heard of the empty set when it was added, then of the ready instance.
    assertEquals(List.of(List.of(), List.of(v)), told);

    // The instance can answer before Quarkus has logged that it started: wait for the line.
    String listening = "Listening on: http://127.0.0.1:" + v.baseUri().getPort();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                new LogReader(logs)
                    .tail("ep1", "blue", 20).stream().anyMatch(l -> l.contains(listening)));

    s.stop();
    assertEquals(List.of(), s.instances());
    assertEquals(List.of(), told.get(told.size() - 1));
    assertTrue(ProcessHandle.of(v.pid()).map(p -> !p.isAlive()).orElse(true));
  }

  @Test
  void scalesOneTwoOne() {
    InstanceSupervisor s = supervisor("blue");
    InstanceSpec spec = spec("blue", 1, model1());
    s.scale(spec, 1);
    await().atMost(START).until(() -> s.ready().size() == 1);
    s.scale(spec, 2);
    await().atMost(START).until(() -> s.ready().size() == 2);
    List<InstanceView> two = s.ready();
    assertNotEquals(two.get(0).baseUri(), two.get(1).baseUri());
    assertEquals(List.of("blue-1-0", "blue-1-1"), two.stream().map(InstanceView::id).toList());

    s.scale(spec, 1);
    // The newest goes; the oldest, warm one stays and leaves the ready set at once.
    assertEquals(List.of("blue-1-0"), s.ready().stream().map(InstanceView::id).toList());
    await().atMost(START).until(() -> s.instances().size() == 1);
    assertEquals(new InstanceSupervisor.Status(1, 1, 0, 0, ""), s.status());
    long gone = two.get(1).pid();
    await().atMost(START).until(() -> ProcessHandle.of(gone).map(p -> !p.isAlive()).orElse(true));
  }

  @Test
  void restartsAKilledInstance() throws Exception {
    InstanceSupervisor s = supervisor("blue");
    s.scale(spec("blue", 1, model1()), 1);
    await().atMost(START).until(() -> s.ready().size() == 1);
    InstanceView before = s.ready().get(0);

    assertTrue(ProcessHandle.of(before.pid()).orElseThrow().destroyForcibly());
    await().atMost(START).until(() -> s.ready().size() == 1 && s.ready().get(0).restarts() == 1);

    InstanceView after = s.ready().get(0);
    assertEquals(before.id(), after.id());
    assertNotEquals(before.pid(), after.pid());
    assertEquals(137, s.instance(after.id()).orElseThrow().lastExitCode().orElseThrow());
    assertEquals(EXPECTED, score(after.baseUri()).body());
    String warning =
        warnings.stream().filter(w -> w.contains("exited with code")).findFirst().orElseThrow();
    assertTrue(
        warning.startsWith(
            "ep1/blue: instance blue-1-0 exited with code 137 (SIGKILL); restarting it in 1000 ms"
                + " (crash 1 in a row). Last lines of "
                + logs.resolve("ep1/blue/blue-1-0.log")
                + ":"),
        warning);
    assertTrue(
        warning.contains("execution provider"),
        warning); // a line logged before the instance was ready
    assertEquals(new InstanceSupervisor.Status(1, 1, 0, 0, ""), s.status());
  }

  /**
   * A client that always picks a ready instance must never see a failure while generation 1 gives
   * way to 2.
   */
  @Test
  void rollingUpdateKeepsServing() throws Exception {
    // The drain delay covers the client's gap between reading ready() and sending, however slow
    // this machine.
    InstanceSupervisor s =
        supervisor(
            "blue",
            new InstanceSupervisor.Settings(
                SETTINGS.backoff(),
                SETTINGS.startupProbeInterval(),
                Duration.ofSeconds(3),
                SETTINGS.stopGrace(),
                10));
    s.scale(spec("blue", 1, model1()), 1);
    await().atMost(START).until(() -> s.ready().size() == 1);

    AtomicBoolean polling = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    List<String> failures = new CopyOnWriteArrayList<>();
    Set<Long> servedBy = ConcurrentHashMap.newKeySet();
    Thread client =
        new Thread(
            () -> {
              while (polling.get()) {
                List<InstanceView> ready = s.ready();
                if (ready.isEmpty()) {
                  failures.add("no ready instance");
                  continue;
                }
                InstanceView target = ready.get(0);
                try {
                  HttpResponse<String> r = score(target.baseUri());
                  if (r.statusCode() == 200 && r.body().equals(EXPECTED)) {
                    ok.incrementAndGet();
                    servedBy.add(target.generation());
                  } else {
                    failures.add(target.id() + ": " + r.statusCode() + " " + r.body());
                  }
                } catch (IOException | InterruptedException e) {
                  failures.add(target.id() + ": " + e);
                }
              }
            },
            "rolling-update-client");
    client.start();

    s.scale(spec("blue", 2, model1()), 1);
    // Old and new both run until the new one is ready.
    assertEquals(
        List.of("blue-1-0", "blue-2-0"), s.instances().stream().map(InstanceView::id).toList());
    await()
        .atMost(START)
        .until(
            () ->
                s.instances().stream()
                    .allMatch(i -> i.generation() == 2 && i.state() == State.READY));
    Thread.sleep(300);
    polling.set(false);
    client.join();

    assertEquals(List.of(), failures);
    assertEquals(Set.of(1L, 2L), servedBy);
    assertTrue(ok.get() > 20, "only " + ok.get() + " requests answered");
    assertEquals(new InstanceSupervisor.Status(1, 1, 0, 0, ""), s.status());
  }

  /**
   * An update to a corrupt model: the new instance crash-loops with growing delays and says why,
   * the old one keeps serving; rolling back stops the broken one.
   */
  @Test
  void corruptModelFailsWhileTheOldGenerationServes() throws Exception {
    InstanceSupervisor s = supervisor("blue");
    InstanceSpec good = spec("blue", 1, model1());
    s.scale(good, 1);
    await().atMost(START).until(() -> s.ready().size() == 1);
    InstanceView old = s.ready().get(0);

    s.scale(spec("blue", 2, root.resolve("scoring-function/src/test/resources/models/corrupt")), 1);
    AtomicReference<InstanceSupervisor.Status> status = new AtomicReference<>();
    await()
        .atMost(START)
        .until(
            () -> {
              status.set(s.status());
              return status.get().failed() == 1;
            });
    InstanceSupervisor.Status st = status.get();
    assertEquals(0, st.ready());
    assertTrue(
        st.message().startsWith("instance blue-2-0 exited with code 1: cannot load ONNX model "),
        st.message());
    assertTrue(st.message().contains("corrupt/model.onnx"), st.message());
    assertTrue(
        st.message().endsWith("; 1 instance(s) of the previous generation keep serving"),
        st.message());
    assertEquals(List.of(old), s.ready());
    assertEquals(EXPECTED, score(old.baseUri()).body());

    // Crash 1 waits 1 s, crash 2 waits 2 s.
    await()
        .atMost(START)
        .until(
            () ->
                warnings.stream()
                    .anyMatch(w -> w.contains("restarting it in 2000 ms (crash 2 in a row)")));
    assertTrue(
        warnings.stream()
            .anyMatch(
                w ->
                    w.contains("blue-2-0 exited with code 1")
                        && w.contains("restarting it in 1000 ms (crash 1 in a row)")));
    assertEquals(1, s.status().failed());
    assertEquals(List.of(old), s.ready());

    // Roll back: generation 1 is current again, the crash-looping instance goes.
    s.scale(good, 1);
    await().atMost(START).until(() -> s.instances().size() == 1);
    assertEquals(new InstanceSupervisor.Status(1, 1, 0, 0, ""), s.status());
    assertEquals(List.of(old), s.ready());
  }
}
