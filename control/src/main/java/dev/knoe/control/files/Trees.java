package dev.knoe.control.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/** Whole folders. */
public final class Trees {

  private static final Logger LOG = Logger.getLogger(Trees.class);

  private Trees() {}

  /**
   * Deletes {@code dir} and everything below it, if it exists. A failure is logged, not thrown: the
   * callers delete what nothing refers to any more (a deleted deployment's code, a tombstone), so a
   * leftover is garbage, never state.
   */
  public static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.warnf("cannot delete %s: %s", dir, e.getMessage());
    }
  }
}
