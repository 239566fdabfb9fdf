package dev.knoe.control.runtime.local;

import dev.knoe.control.spec.Names;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads back the instances' output that {@link ProcessLauncher} writes under a log folder, from the
 * end of each file, so memory stays bounded whatever the size of a log.
 */
public final class LogReader {

  /**
   * Logs read by one {@link #tail(String, String, int)}: the newest instances, enough for a
   * deployment.
   */
  static final int MAX_FILES = 20;

  // Bytes read back from one file at most: a log of one huge line must not fill the heap.
  static final int MAX_BYTES = 4 << 20;
  private static final int CHUNK = 8192;

  private final Path logDir;

  public LogReader(Path logDir) {
    this.logDir = logDir.toAbsolutePath();
  }

  /**
   * The last {@code lines} lines of each instance log of a deployment, as {@code tail -n lines} on
   * several files prints them: the most recently written log first, each headed by {@code ==>
   * <instanceId> <==} when there is more than one. Logs of instances that no longer run stay
   * readable until a new instance of the same id starts. Empty when the deployment has no log.
   */
  public List<String> tail(String endpoint, String deployment, int lines) throws IOException {
    List<Path> files = logs(endpoint, deployment);
    if (files.size() == 1) {
      return tail(files.get(0), lines);
    }
    List<String> out = new ArrayList<>();
    for (Path f : files) {
      if (!out.isEmpty()) {
        out.add("");
      }
      out.add("==> " + instanceId(f) + " <==");
      out.addAll(tail(f, lines));
    }
    return out;
  }

  /** The last {@code lines} lines of one instance's log; empty when it has none. */
  public List<String> tail(String endpoint, String deployment, String instanceId, int lines)
      throws IOException {
    return tail(dir(endpoint, deployment).resolve(instanceId + ".log"), lines);
  }

  /** Ids of the instances that have a log, most recently written first. */
  public List<String> instanceIds(String endpoint, String deployment) throws IOException {
    return logs(endpoint, deployment).stream().map(LogReader::instanceId).toList();
  }

  /**
   * The last {@code lines} lines of {@code file} (without line ends); empty if it does not exist.
   */
  public static List<String> tail(Path file, int lines) throws IOException {
    if (lines < 0) {
      throw new IllegalArgumentException("lines = " + lines + ", must be at least 0");
    }
    if (lines == 0) {
      return List.of();
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long end = f.length();
      // A final line end closes the last line; it does not start an empty one.
      if (end > 0 && byteAt(f, end - 1) == '\n') {
        end--;
      }
      long start = end;
      int newlines = 0;
      byte[] chunk = new byte[CHUNK];
      scan:
      while (start > 0 && end - start < MAX_BYTES) {
        int n = (int) Math.min(CHUNK, start);
        f.seek(start - n);
        f.readFully(chunk, 0, n);
        for (int i = n - 1; i >= 0; i--) {
          if (chunk[i] == '\n' && ++newlines == lines) {
            start = start - n + i + 1;
            break scan;
          }
        }
        start -= n;
      }
      byte[] bytes = new byte[(int) (end - start)];
      f.seek(start);
      f.readFully(bytes);
      String text = new String(bytes, StandardCharsets.UTF_8);
      if (text.isEmpty() && end == 0) {
        return List.of();
      }
      List<String> all = Arrays.stream(text.split("\n", -1)).map(LogReader::withoutCr).toList();
      return all.subList(Math.max(0, all.size() - lines), all.size());
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      return List.of();
    }
  }

  private static String withoutCr(String line) {
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }

  private static int byteAt(RandomAccessFile f, long pos) throws IOException {
    f.seek(pos);
    return f.read();
  }

  /**
   * @throws dev.knoe.control.spec.SpecException for a name {@link Names} refuses
   */
  private Path dir(String endpoint, String deployment) {
    return logDir
        .resolve(Names.ENDPOINT.require(endpoint))
        .resolve(Names.DEPLOYMENT.require(deployment));
  }

  private List<Path> logs(String endpoint, String deployment) throws IOException {
    Path dir = dir(endpoint, deployment);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".log") && Files.isRegularFile(p))
          .sorted(
              Comparator.comparing(LogReader::modified).reversed().thenComparing(Path::toString))
          .limit(MAX_FILES)
          .toList();
    }
  }

  private static FileTime modified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }

  private static String instanceId(Path log) {
    String name = log.getFileName().toString();
    return name.substring(0, name.length() - ".log".length());
  }
}
