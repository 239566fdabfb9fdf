package dev.knoe.control.runtime.local;

import java.net.URI;
import java.time.Instant;

/**
 * An instance at one moment, for the router and the API.
 *
 * @param baseUri {@code http://127.0.0.1:<port>} of its current or last process, null if it never
 *     started one
 * @param pid process id of its current or last process, -1 if none
 * @param restarts times its process was started again after a crash
 * @param startedAt when its current or last process started, null if none
 */
public record InstanceView(
    String id,
    long generation,
    URI baseUri,
    Instance.State state,
    long pid,
    int restarts,
    Instant startedAt) {}
