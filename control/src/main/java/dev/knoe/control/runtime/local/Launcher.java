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

  /** A started process. */
  record Launched(Process process, int port, Path log) {}
}
