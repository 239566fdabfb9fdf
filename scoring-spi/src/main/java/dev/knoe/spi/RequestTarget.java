package dev.knoe.spi;

import java.util.Locale;
import java.util.Optional;

/**
 * Whether a request's target is canonical, judged on the bytes the client sent, before any route is
 * matched. Knoe's servers (the scoring function and {@code knoe serve}) refuse a target that is not
 * with 400, so that the path a credential check reads and the path a router matches can never
 * differ: {@code /v2/health/../../score}, {@code /v2/health/%2e%2e/%2e%2e/score} and {@code
 * //score} never reach a route. Both servers ask this class, so they refuse the same targets.
 *
 * <p>Refused: dot segments ({@code .} or {@code ..}), empty segments ({@code //}), percent-encoded
 * dots, slashes and backslashes ({@code %2e}, {@code %2f}, {@code %5c}), backslashes, NUL and other
 * control characters (raw or encoded), a target that is neither a path nor an absolute URI (such as
 * {@code *} or {@code host:port}), and an absolute URI ({@code POST http://host/score}) naming
 * another host than the {@code Host} header. A trailing slash and letter case are left to the
 * routes.
 */
public final class RequestTarget {

  /** How much of a refused path an answer quotes: enough to recognise it, never a whole body. */
  private static final int QUOTED = 120;

  private RequestTarget() {}

  /**
   * Why {@code target} (the request line's target as received) is refused, or empty when it is
   * canonical. {@code host} is the request's {@code Host} header (or HTTP/2 authority), or null.
   */
  public static Optional<String> problem(String target, String host) {
    if (target == null || target.isEmpty()) {
      return Optional.of("the request has no target path");
    }
    String path = target;
    if (!target.startsWith("/")) {
      int scheme = schemeEnd(target);
      if (scheme < 0) {
        return Optional.of("the request target is not a path");
      }
      int slash = target.indexOf('/', scheme);
      String authority = target.substring(scheme, slash < 0 ? target.length() : slash);
      if (host == null || !authority.equalsIgnoreCase(host)) {
        return Optional.of(
            "the request names host '"
                + quote(authority)
                + "' in its target but '"
                + quote(String.valueOf(host))
                + "' in its Host header");
      }
      path = slash < 0 ? "/" : target.substring(slash);
    }
    int end = firstOf(path, '?', '#');
    return pathProblem(path.substring(0, end));
  }

  /** One pass over the path: it is checked on every request, so no regex and no split. */
  private static Optional<String> pathProblem(String path) {
    String why = null;
    int segmentStart = 1; // the path starts with '/'
    for (int i = 1; i <= path.length() && why == null; i++) {
      char c = i < path.length() ? path.charAt(i) : '/';
      if (c == '/') {
        why = segmentProblem(path, segmentStart, i);
        segmentStart = i + 1;
      } else if (c < 0x20 || c == 0x7f) {
        why = "a control character";
      } else if (c == '\\') {
        why = "a backslash";
      } else if (c == '%') {
        int v = escaped(path, i + 1);
        if (v == '.' || v == '/' || v == '\\') {
          why = "an encoded '.', '/' or '\\'";
        } else if (v >= 0 && (v < 0x20 || v == 0x7f)) {
          why = "a control character";
        }
      }
    }
    if (why == null) {
      return Optional.empty();
    }
    // The path itself is not quoted: it may hold a secret (an events token), and the answer is
    // logged.
    return Optional.of(
        "the request path is not canonical: it has "
            + why
            + "; send the path itself, as the API documents it");
  }

  /** An empty segment inside the path (a trailing slash is allowed), or a dot segment. */
  private static String segmentProblem(String path, int from, int to) {
    int length = to - from;
    if (length == 0 && to < path.length()) {
      return "an empty segment ('//')";
    }
    if ((length == 1 || length == 2) && path.startsWith(length == 1 ? "." : "..", from)) {
      return "a '.' or '..' segment";
    }
    return null;
  }

  /** The byte a {@code %xy} escape whose digits start at {@code at} stands for, else -1. */
  private static int escaped(String s, int at) {
    if (at + 1 >= s.length()) {
      return -1;
    }
    int hi = Character.digit(s.charAt(at), 16);
    int lo = Character.digit(s.charAt(at + 1), 16);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
  }

  /** The index just after {@code scheme://} of an http(s) URI, or -1 if the target is not one. */
  private static int schemeEnd(String target) {
    String lower = target.toLowerCase(Locale.ROOT);
    if (lower.startsWith("http://")) {
      return 7;
    }
    if (lower.startsWith("https://")) {
      return 8;
    }
    return -1;
  }

  private static int firstOf(String s, char a, char b) {
    int i = s.indexOf(a);
    int j = s.indexOf(b);
    if (i < 0) {
      return j < 0 ? s.length() : j;
    }
    return j < 0 ? i : Math.min(i, j);
  }

  /** The start of {@code s}, printable: a refusal quotes the path without echoing a long one. */
  private static String quote(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length() && out.length() < QUOTED; i++) {
      char c = s.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return s.length() > QUOTED ? out + "..." : out.toString();
  }
}
