package dev.knoe.scoring.auth;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The secret of {@code POST /events/{token}}, read from {@code KNOE_EVENTS_TOKEN_FILE}: the token
 * on a line, and during a rotation the previous one on the next (surrounding whitespace trimmed;
 * blank lines and lines starting with {@code #} ignored, as in the keys file). Either is accepted:
 * the Triggers move to the first at once, while pods see a new Secret only when the kubelet
 * refreshes it, and a Broker does not retry a 401. The file is re-read like the keys file; a file
 * that disappears keeps the last good tokens, and a file holding more than two is refused (the last
 * good ones are kept). Tokens are held only as SHA-256 digests and compared in constant time.
 */
public final class EventsToken {

  /**
   * Why an events request is refused; the message never holds the presented or the expected token.
   */
  public enum Refusal {
    /** No file, or a file with no token: event delivery by token is off. */
    NOT_CONFIGURED,
    MISSING,
    WRONG
  }

  /** The current token and, during a rotation, the previous one. */
  static final int MAX_TOKENS = 2;

  private final WatchedFile<List<byte[]>> digests;

  public EventsToken(Path file, LongSupplier nanoClock) {
    this.digests =
        new WatchedFile<>(file, EventsToken::parse, nanoClock, Authenticator.RELOAD_CHECK_NANOS);
  }

  /** Empty when {@code presented} is one of the tokens, else why not. */
  public Optional<Refusal> check(String presented) {
    List<byte[]> expected = digests.get();
    if (expected.isEmpty()) {
      return Optional.of(Refusal.NOT_CONFIGURED);
    }
    if (presented == null || presented.isEmpty()) {
      return Optional.of(Refusal.MISSING);
    }
    byte[] given = Authenticator.sha256(presented.getBytes(StandardCharsets.UTF_8));
    boolean match = false;
    for (byte[] d : expected) {
      match |=
          MessageDigest.isEqual(d, given); // every one compared: the time says nothing of which
    }
    return match ? Optional.empty() : Optional.of(Refusal.WRONG);
  }

  private static List<byte[]> parse(byte[] content) {
    List<byte[]> found = new ArrayList<>();
    for (String line : new String(content, StandardCharsets.UTF_8).split("\n")) {
      String token = line.trim();
      if (token.isEmpty() || token.startsWith("#")) {
        continue;
      }
      if (found.size() == MAX_TOKENS) {
        throw new IllegalArgumentException(
            "the file holds more than "
                + MAX_TOKENS
                + " tokens; it holds the current one and, while rotating, the previous one");
      }
      found.add(Authenticator.sha256(token.getBytes(StandardCharsets.UTF_8)));
    }
    return List.copyOf(found);
  }
}
