package dev.knoe.scoring.http;

import java.util.Set;

/**
 * Who may call a path of the scoring function, decided on the path as the router matches it
 * (normalized). Everything needs the credential but the explicit list below, so a route added later
 * is closed until someone opens it here.
 */
enum Access {
  /** Health and readiness: what Kubernetes probes and Knative's queue-proxy ask, with no key. */
  OPEN,
  /** CloudEvents from a Knative Broker: the token in the path is the credential. */
  EVENTS_TOKEN,
  /** Everything else: {@code Authorization: Bearer <key or token>}. */
  CREDENTIAL;

  /** The allow-list of unauthenticated paths, and only those. */
  static final Set<String> OPEN_PATHS = Set.of("/v2/health/live", "/v2/health/ready");

  /** The events routes, which check their token themselves. */
  static final String EVENTS = "/events";

  static Access of(String normalizedPath) {
    // The router treats a trailing slash as the same route, so the list does too.
    String path =
        normalizedPath.length() > 1 && normalizedPath.endsWith("/")
            ? normalizedPath.substring(0, normalizedPath.length() - 1)
            : normalizedPath;
    if (OPEN_PATHS.contains(path)) {
      return OPEN;
    }
    if (path.equals(EVENTS)
        || (path.startsWith(EVENTS + "/") && path.indexOf('/', EVENTS.length() + 1) < 0)) {
      return EVENTS_TOKEN;
    }
    return CREDENTIAL;
  }
}
