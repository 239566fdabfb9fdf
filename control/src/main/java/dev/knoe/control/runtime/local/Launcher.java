package dev.knoe.control.runtime.local;

import java.io.IOException;
import java.nio.file.Path;

/** Starts the process of one deployment instance. */
public interface Launcher {

  /**
   * Starts a process for {@code spec} and returns at once, before it is ready; it serves HTTP on
   * {@code 127.0.0.1:port} once up and writes its output to {@code log}.
   */
  Launched launch(InstanceSpec spec, String instanceId) throws IOException;

  /**
   * True once the launcher has begun to stop every process it started (its close, or the JVM
   * shutting down under {@code knoe serve}, whose hook may run before the supervisors are closed):
   * an exit from then on is that stop, not a crash.
   */
  default boolean stoppingAll() {
    return false;
  }

  /** A started process. */
  record Launched(Process process, int port, Path log) {}
}
