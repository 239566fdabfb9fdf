package dev.knoe.control.runtime.local;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Why an instance's process ended, in one line, from its exit code and the last lines of its log.
 */
final class CrashReport {

  private static final int MAX_DETAIL = 500;
  private static final Map<Integer, String> SIGNALS =
      Map.of(1, "SIGHUP", 2, "SIGINT", 6, "SIGABRT", 9, "SIGKILL", 11, "SIGSEGV", 15, "SIGTERM");
  // Quarkus' console format: "12:00:00.000 ERROR [i.q.r.Application] message".
  private static final Pattern LOG_PREFIX =
      Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d+\\s+[A-Z]+\\s+\\[[^]]*]\\s*");
  private static final Pattern ERROR_LINE =
      Pattern.compile(
          "^(\\S+\\s+(ERROR|FATAL)\\s+\\[.*|Exception in thread .*|Error: .*|.*: line \\d+: .*)$");
  private static final Pattern EXCEPTION_CLASS =
      Pattern.compile("^(Caused by: )?([\\w$]+\\.)+[\\w$]*(Exception|Error): ");

  private CrashReport() {}

  /** True when the process ended because its port was taken between our pick and its bind. */
  static boolean bindConflict(List<String> tail) {
    return tail.stream()
        .anyMatch(
            l ->
                l.contains("seems to be in use by another process")
                    || l.contains("Address already in use")
                    || l.contains("java.net.BindException"));
  }

  /**
   * E.g. "instance blue-1-0 exited with code 1: cannot load ONNX model /m/model.onnx: ..." or
   * "instance blue-1-0 exited with code 137 (SIGKILL)". The detail is the root of the last error in
   * the log: the first "Caused by" after the last ERROR line (Quarkus wraps start failures in
   * "Failed to start quarkus"), else that line, else the last line unless a signal explains the
   * end.
   */
  static String reason(String instanceId, int exitCode, List<String> tail) {
    String signal = exitCode > 128 ? SIGNALS.get(exitCode - 128) : null;
    String head =
        "instance "
            + instanceId
            + " exited with code "
            + exitCode
            + (signal == null ? "" : " (" + signal + ")");
    String detail = detail(tail, signal == null);
    return detail.isEmpty() ? head : head + ": " + detail;
  }

  static String detail(List<String> tail, boolean lastLineIfNoError) {
    int error = -1;
    for (int i = tail.size() - 1; i >= 0; i--) {
      if (ERROR_LINE.matcher(tail.get(i)).matches()) {
        error = i;
        break;
      }
    }
    String line = "";
    if (error >= 0) {
      line = tail.get(error);
      for (int i = error + 1; i < tail.size(); i++) {
        if (tail.get(i).startsWith("Caused by: ")) {
          line = tail.get(i);
          break;
        }
      }
    } else if (lastLineIfNoError) {
      for (int i = tail.size() - 1; i >= 0 && line.isEmpty(); i--) {
        line = tail.get(i).strip();
      }
    }
    String d =
        EXCEPTION_CLASS.matcher(LOG_PREFIX.matcher(line.strip()).replaceFirst("")).replaceFirst("");
    return d.length() > MAX_DETAIL ? d.substring(0, MAX_DETAIL) + "..." : d;
  }
}
