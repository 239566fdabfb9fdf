package dev.knoe.control.runtime.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.knoe.control.spec.SpecException;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogReaderTest {

  @TempDir Path logs;

  private Path write(String instance, String content, long modifiedMillis) throws IOException {
    Path f = logs.resolve("ep1/blue/" + instance + ".log");
    Files.createDirectories(f.getParent());
    Files.writeString(f, content);
    Files.setLastModifiedTime(f, FileTime.fromMillis(modifiedMillis));
    return f;
  }

  @Test
  void lastLines() throws IOException {
    Path f = write("blue-1-0", "one\ntwo\nthree\nfour\n", 1000);
    assertEquals(List.of("three", "four"), LogReader.tail(f, 2));
    assertEquals(List.of("one", "two", "three", "four"), LogReader.tail(f, 10));
    assertEquals(List.of(), LogReader.tail(f, 0));
  }

  @Test
  void unfinishedLastLineAndCrLf() throws IOException {
    Path f = write("blue-1-0", "a\r\nb\r\nc", 1000);
    assertEquals(List.of("b", "c"), LogReader.tail(f, 2));
  }

  @Test
  void emptyAndMissing() throws IOException {
    assertEquals(List.of(), LogReader.tail(write("blue-1-0", "", 1000), 5));
    assertEquals(List.of(), LogReader.tail(logs.resolve("nope.log"), 5));
    assertEquals(List.of(), new LogReader(logs).tail("ep1", "green", 5));
  }

  /**
   * Reads from the end: the tail of a 200 000-line file, across many 8 KiB chunks, with multibyte
   * text.
   */
  @Test
  void bigFile() throws IOException {
    Path f = logs.resolve("big.log");
    try (Writer w = Files.newBufferedWriter(f, StandardCharsets.UTF_8)) {
      for (int i = 0; i < 200_000; i++) {
        w.write("line " + i + " — é\n");
      }
    }
    assertEquals(
        List.of("line 199997 — é", "line 199998 — é", "line 199999 — é"), LogReader.tail(f, 3));
    assertEquals(5000, LogReader.tail(f, 5000).size());
    assertEquals("line 195000 — é", LogReader.tail(f, 5000).get(0));
  }

  /**
   * Several instances: like tail -n on several files, the most recently written first, with
   * headers.
   */
  @Test
  void deploymentNewestInstanceFirst() throws IOException {
    write("blue-1-0", "old a\nold b\nold c\n", 1000);
    write("blue-2-1", "new a\nnew b\n", 2000);
    Files.writeString(logs.resolve("ep1/blue/blue-2-1.log.1"), "previous run\n");
    LogReader reader = new LogReader(logs);
    assertEquals(
        List.of("==> blue-2-1 <==", "new a", "new b", "", "==> blue-1-0 <==", "old b", "old c"),
        reader.tail("ep1", "blue", 2));
    assertEquals(List.of("blue-2-1", "blue-1-0"), reader.instanceIds("ep1", "blue"));
    assertEquals(List.of("old c"), reader.tail("ep1", "blue", "blue-1-0", 1));
  }

  @Test
  void oneInstanceNoHeader() throws IOException {
    write("blue-1-0", "a\nb\nc\n", 1000);
    assertEquals(List.of("b", "c"), new LogReader(logs).tail("ep1", "blue", 2));
  }

  /** The names are checked by the control plane's rules before a path is made of them. */
  @Test
  void namesOutsideTheRulesAreRefused() throws Exception {
    write("blue-1-0", "a\n", 1000);
    LogReader reader = new LogReader(logs.resolve("ep1"));
    assertThrows(SpecException.class, () -> reader.tail("..", "ep1", 5));
    assertThrows(SpecException.class, () -> reader.tail("ep1", "blue/../..", 5));
    assertThrows(SpecException.class, () -> reader.tail("ep1\0", "blue", 5));
    try (var launcher = new ProcessLauncher(List.of("true"), logs, java.util.Map.of())) {
      assertThrows(SpecException.class, () -> launcher.logFile("..", "blue", "blue-1-0"));
    }
  }
}
