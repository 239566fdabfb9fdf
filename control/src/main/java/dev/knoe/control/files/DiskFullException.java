package dev.knoe.control.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.util.Locale;

/**
 * A write to the data directory refused for want of space (ENOSPC, or EDQUOT: a quota reached).
 * Whoever writes there turns its {@link IOException} into one with {@link #orUnchecked}, so that
 * the API can answer 507 naming the problem instead of a 500; what the write was part of is not
 * applied.
 */
public final class DiskFullException extends UncheckedIOException {

  public DiskFullException(String what, IOException cause) {
    super(
        what + ": no space left on the data directory's file system (" + reason(cause) + ")",
        cause);
  }

  /**
   * A {@link DiskFullException} when {@code e} says the file system is full, else an {@link
   * UncheckedIOException}; {@code what} names the write, e.g. "cannot store model m".
   */
  public static UncheckedIOException orUnchecked(String what, IOException e) {
    return isDiskFull(e) ? new DiskFullException(what, e) : new UncheckedIOException(what, e);
  }

  /** Whether {@code e} or a cause of it is ENOSPC or EDQUOT, as the JDK words them. */
  public static boolean isDiskFull(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = reason(t);
      if (m != null) {
        String lower = m.toLowerCase(Locale.ROOT);
        if (lower.contains("no space left on device") || lower.contains("disk quota exceeded")) {
          return true;
        }
      }
    }
    return false;
  }

  private static String reason(Throwable t) {
    return t instanceof FileSystemException f && f.getReason() != null
        ? f.getReason()
        : t.getMessage();
  }
}
