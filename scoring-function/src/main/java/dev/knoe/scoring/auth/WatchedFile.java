package dev.knoe.scoring.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * The parsed content of a file, re-read when its modification time, size or identity changes (a
 * Kubernetes Secret volume swaps a symlink; an editor rewrites in place). The file is looked at no
 * more often than {@code minCheckNanos}, so the hot path pays for a stat call only that often. A
 * file that disappears or fails to parse keeps the last good content, with a warning.
 */
public final class WatchedFile<T> {

  public interface Parser<T> {
    T parse(byte[] content) throws Exception;
  }

  private static final Logger LOG = Logger.getLogger(WatchedFile.class);

  private final Path path;
  private final Parser<T> parser;
  private final LongSupplier nanoClock;
  private final long minCheckNanos;
  private volatile T value;
  private volatile long nextCheck;
  private Object stamp;

  public WatchedFile(Path path, Parser<T> parser, LongSupplier nanoClock, long minCheckNanos) {
    this.path = path;
    this.parser = parser;
    this.nanoClock = nanoClock;
    this.minCheckNanos = minCheckNanos;
    reload();
    if (value == null) {
      throw new IllegalStateException("cannot read " + path);
    }
  }

  public T get() {
    long now = nanoClock.getAsLong();
    if (now - nextCheck >= 0) {
      synchronized (this) {
        if (now - nextCheck >= 0) {
          reload();
          nextCheck = now + minCheckNanos;
        }
      }
    }
    return value;
  }

  private void reload() {
    try {
      BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
      Object now = a.lastModifiedTime() + "/" + a.size() + "/" + a.fileKey();
      if (Objects.equals(now, stamp)) {
        return;
      }
      T parsed = parser.parse(Files.readAllBytes(path));
      if (stamp != null) {
        LOG.infof("Reloaded %s", path);
      }
      value = parsed;
      stamp = now;
    } catch (IOException e) {
      LOG.warnf("cannot read %s (%s); keeping what was read before", path, e.toString());
    } catch (Exception e) {
      LOG.warnf("cannot parse %s (%s); keeping what was read before", path, e.getMessage());
    }
  }
}
