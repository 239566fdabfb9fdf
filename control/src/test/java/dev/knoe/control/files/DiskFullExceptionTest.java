package dev.knoe.control.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DiskFullExceptionTest {

  record Case(String name, IOException thrown, boolean full) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        // FileChannel.write and OutputStream.write say it in the message alone.
        new Case("write: ENOSPC", new IOException("No space left on device"), true),
        // Files.createTempFile and friends: a FileSystemException whose reason says it.
        new Case(
            "create: ENOSPC",
            new FileSystemException("/data/x.tmp", null, "No space left on device"),
            true),
        new Case("quota: EDQUOT", new IOException("Disk quota exceeded"), true),
        new Case(
            "wrapped",
            new IOException("cannot copy", new IOException("No space left on device")),
            true),
        new Case("permission denied", new IOException("Permission denied"), false),
        new Case("no message", new IOException(), false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void tellsAFullDiskFromOtherFailures(Case c) {
    UncheckedIOException e = DiskFullException.orUnchecked("cannot write f", c.thrown());
    assertEquals(c.full(), e instanceof DiskFullException, e.getMessage());
    if (c.full()) {
      assertInstanceOf(DiskFullException.class, e);
      assertTrue(e.getMessage().startsWith("cannot write f: no space left"), e.getMessage());
    }
  }
}
