package dev.knoe.scoring.auth;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The secret of {@code POST /events/{token}}, read from {@code KNOE_EVENTS_TOKEN_FILE}: one token on
 * a line (surrounding whitespace trimmed; blank lines and lines starting with {@code #} ignored, as
 * in the keys file). The file is re-read like the keys file; a file that disappears keeps the last
 * good token, and a file holding more than one token is refused (the last good one is kept). The
 * token is held only as its SHA-256 digest and compared in constant time.
 */
public final class EventsToken {

  /** Why an events request is refused; the message never holds the presented or the expected token. */
  public enum Refusal {
    /** No file, or a file with no token: event delivery by token is off. */
    NOT_CONFIGURED,
    MISSING,
    WRONG
  }

  private final WatchedFile<Optional<byte[]>> digest;

  public EventsToken(Path file, LongSupplier nanoClock) {
    this.digest = new WatchedFile<>(file, EventsToken::parse, nanoClock, Authenticator.RELOAD_CHECK_NANOS);
  }

  /** Empty when {@code presented} is the token, else why not. */
  public Optional<Refusal> check(String presented) {
    Optional<byte[]> expected = digest.get();
    if (expected.isEmpty()) {
      return Optional.of(Refusal.NOT_CONFIGURED);
    }
    if (presented == null || presented.isEmpty()) {
      return Optional.of(Refusal.MISSING);
    }
    byte[] given = Authenticator.sha256(presented.getBytes(StandardCharsets.UTF_8));
    return MessageDigest.isEqual(expected.get(), given) ? Optional.empty() : Optional.of(Refusal.WRONG);
  }

  private static Optional<byte[]> parse(byte[] content) {
    byte[] found = null;
    for (String line : new String(content, StandardCharsets.UTF_8).split("\n")) {
      String token = line.trim();
      if (token.isEmpty() || token.startsWith("#")) {
        continue;
      }
      if (found != null) {
        throw new IllegalArgumentException("the file holds more than one token; it must hold one");
      }
      found = Authenticator.sha256(token.getBytes(StandardCharsets.UTF_8));
    }
    return Optional.ofNullable(found);
  }
}
