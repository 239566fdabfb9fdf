package dev.knoe.control.upstream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The upstream binaries the tests run, each built once from the Go module proxy by {@code
 * upstream/build.sh} at the release its wrapper module pins, and cached between runs.
 */
public final class Upstream {

  /** The repository's top folder (tests run in {@code control/}). */
  public static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private static final Map<String, Path> BUILT = new ConcurrentHashMap<>();

  private Upstream() {}

  /**
   * The path of {@code name} (etcd, kube-apiserver, knative-judge), built now if it is not cached.
   */
  public static Path binary(String name) {
    return BUILT.computeIfAbsent(name, Upstream::build);
  }

  private static Path build(String name) {
    try {
      Path log = Files.createTempFile("knoe-build-" + name, ".log");
      // The build's progress goes to the test output too: a first build takes minutes.
      Process p =
          new ProcessBuilder("bash", ROOT.resolve("upstream/build.sh").toString(), name)
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .redirectOutput(log.toFile())
              .start();
      // A first build with module downloads takes minutes; one that hangs (a stuck download) must
      // not hold the whole test run until CI's own limit.
      if (!p.waitFor(40, java.util.concurrent.TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException(
            "upstream/build.sh " + name + " did not finish in 40 minutes");
      }
      int rc = p.exitValue();
      String out = Files.readString(log, StandardCharsets.UTF_8).strip();
      Files.deleteIfExists(log);
      if (rc != 0) {
        throw new IllegalStateException(
            "upstream/build.sh " + name + " failed (exit " + rc + "): " + out);
      }
      return Path.of(out);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot run upstream/build.sh " + name + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while building " + name, e);
    }
  }
}
