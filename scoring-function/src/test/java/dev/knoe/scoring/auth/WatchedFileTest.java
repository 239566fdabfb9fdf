package dev.knoe.scoring.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloading on a timeline: the file is looked at no more often than the check interval. */
class WatchedFileTest {

  @TempDir Path dir;

  @Test
  void reloadsAChangedFileOnlyAfterTheCheckInterval() throws Exception {
    Path file = dir.resolve("keys");
    Files.writeString(file, "a");
    AtomicLong now = new AtomicLong(0);
    WatchedFile<String> watched = new WatchedFile<>(file, String::new, now::get, 1_000);
    assertEquals("a", watched.get()); // first get checks and keeps "a"

    Files.writeString(file, "bb");
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
    now.set(999);
    assertEquals("a", watched.get()); // within the interval: not looked at
    now.set(1_000);
    assertEquals("bb", watched.get());
  }

  @Test
  void keepsTheLastGoodContentWhenTheFileDisappears() throws Exception {
    Path file = dir.resolve("keys");
    Files.writeString(file, "a");
    AtomicLong now = new AtomicLong(0);
    WatchedFile<String> watched = new WatchedFile<>(file, String::new, now::get, 10);
    Files.delete(file);
    now.set(100);
    assertEquals("a", watched.get());
  }
}
