package dev.knoe.control.runtime.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CrashReportTest {

  private static final List<String> CORRUPT_MODEL =
      List.of(
          "02:21:27.264 ERROR [i.q.r.Application] Failed to start application: java.lang.RuntimeException: Failed to start quarkus",
          "\tat io.quarkus.runner.ApplicationImpl.doStart(Unknown Source)",
          "\tat io.quarkus.runtime.Application.start(Application.java:112)",
          "Caused by: java.lang.IllegalStateException: cannot load ONNX model /m/corrupt/model.onnx: Error code - ORT_INVALID_PROTOBUF",
          "\tat dev.knoe.scoring.model.OnnxModel.load(OnnxModel.java:66)",
          "\t... 9 more",
          "Caused by: ai.onnxruntime.OrtException: Error code - ORT_INVALID_PROTOBUF - message: Protobuf parsing failed.",
          "\tat ai.onnxruntime.OrtSession.createSession(Native Method)",
          "\t... 18 more");

  private static final List<String> SERVING =
      List.of(
          "02:21:22.164 INFO  [d.k.s.ScoringService] Model 'model-1' ready in 87 ms",
          "02:21:22.400 INFO  [i.quarkus] knoe-scoring-function started in 1.232s. Listening on: http://127.0.0.1:18113");

  private static final List<String> PORT_TAKEN =
      List.of(
          "02:21:25.180 INFO  [d.k.s.ScoringService] Model 'model-1' ready in 64 ms",
          "02:21:25.262 ERROR [i.q.r.Application] Port 18111 seems to be in use by another process. Quarkus may already be running",
          "02:21:25.263 WARN  [i.q.r.Application] You can try to kill it with 'kill -9 <pid>'.");

  record Case(String name, int code, List<String> tail, String expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "corrupt model: the first cause after the error",
            1,
            CORRUPT_MODEL,
            "instance blue-1-0 exited with code 1: cannot load ONNX model /m/corrupt/model.onnx: Error code - ORT_INVALID_PROTOBUF"),
        new Case(
            "kill -9 of a serving instance: the signal, not its last info line",
            137,
            SERVING,
            "instance blue-1-0 exited with code 137 (SIGKILL)"),
        new Case(
            "exit without an error line: the last line",
            3,
            SERVING,
            "instance blue-1-0 exited with code 3: knoe-scoring-function started in 1.232s. Listening on: http://127.0.0.1:18113"),
        new Case(
            "port taken: the error line",
            1,
            PORT_TAKEN,
            "instance blue-1-0 exited with code 1: Port 18111 seems to be in use by another process. Quarkus may already be running"),
        new Case(
            "the launcher script fails",
            127,
            List.of("/x/bin/knoe-scoring-function: line 3: java: command not found"),
            "instance blue-1-0 exited with code 127: /x/bin/knoe-scoring-function: line 3: java: command not found"),
        new Case("no output at all", 1, List.of(), "instance blue-1-0 exited with code 1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reason(Case c) {
    assertEquals(c.expected(), CrashReport.reason("blue-1-0", c.code(), c.tail()));
  }

  @Test
  void bindConflict() {
    assertTrue(CrashReport.bindConflict(PORT_TAKEN));
    assertTrue(
        CrashReport.bindConflict(
            List.of("Caused by: java.net.BindException: Address already in use")));
    assertFalse(CrashReport.bindConflict(CORRUPT_MODEL));
  }

  @Test
  void longDetailsAreCut() {
    String reason = CrashReport.reason("b-1-0", 1, List.of("Error: " + "x".repeat(2000)));
    assertTrue(reason.length() < 600 && reason.endsWith("..."), reason);
  }
}
