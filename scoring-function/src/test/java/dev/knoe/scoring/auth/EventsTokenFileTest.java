package dev.knoe.scoring.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.knoe.scoring.auth.EventsToken.Refusal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The events token file: one token (two while rotating), comments and whitespace ignored, the last
 * good ones kept.
 */
class EventsTokenFileTest {

  @TempDir Path dir;
  final AtomicLong now = new AtomicLong();

  @Test
  void oneTokenTrimmedWithCommentsIgnored() throws Exception {
    Path file = write("# for the Trigger\n\n   s3cret-token \t\n# end\n", 1);
    EventsToken token = new EventsToken(file, now::get);
    assertEquals(Optional.empty(), token.check("s3cret-token"));
    assertEquals(Optional.of(Refusal.WRONG), token.check(" s3cret-token"));
    assertEquals(Optional.of(Refusal.WRONG), token.check("s3cret-toke"));
    assertEquals(Optional.of(Refusal.WRONG), token.check("# for the Trigger"));
    assertEquals(Optional.of(Refusal.MISSING), token.check(null));
    assertEquals(Optional.of(Refusal.MISSING), token.check(""));
  }

  @Test
  void duringARotationTheNewAndThePreviousTokenAreBothAccepted() throws Exception {
    Path file = write("old\n", 1);
    EventsToken token = new EventsToken(file, now::get);
    write("new\nold\n", 2);
    now.addAndGet(1_000_000_000L);
    assertEquals(Optional.empty(), token.check("new"));
    assertEquals(
        Optional.empty(), token.check("old"), "events already on their way with the old token");
    assertEquals(Optional.of(Refusal.WRONG), token.check("other"));
    write("new\n", 3);
    now.addAndGet(1_000_000_000L);
    assertEquals(Optional.of(Refusal.WRONG), token.check("old"), "the rotation is over");
  }

  @Test
  void aFileWithNoTokenTurnsDeliveryOffAndThreeTokensAreRefused() throws Exception {
    Path file = write("first\n", 1);
    EventsToken token = new EventsToken(file, now::get);
    write("first\nsecond\nthird\n", 2);
    now.addAndGet(1_000_000_000L);
    assertEquals(
        Optional.empty(), token.check("first"), "a file with three tokens keeps the last good one");
    assertEquals(Optional.of(Refusal.WRONG), token.check("second"));
    write("# none\n", 3);
    now.addAndGet(1_000_000_000L);
    assertEquals(Optional.of(Refusal.NOT_CONFIGURED), token.check("first"));
    write("next\n", 4);
    Files.delete(file);
    now.addAndGet(1_000_000_000L);
    assertEquals(
        Optional.of(Refusal.NOT_CONFIGURED),
        token.check("next"),
        "a file that disappears keeps what was read");
  }

  private Path write(String content, int second) throws Exception {
    Path file = dir.resolve("events-token");
    Files.writeString(file, content);
    Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(1_700_000_000L + second)));
    return file;
  }
}
