package dev.knoe.control.model;

import java.time.Instant;

/**
 * One registered model version. Immutable once registered.
 *
 * @param sha256 hex digest of the file; the file lives at {@code blobs/<sha256>/model.onnx}
 * @param anonymous registered implicitly from a deployment's inline {@code model.path}
 */
public record ModelVersion(
    String name,
    int version,
    String sha256,
    long size,
    String description,
    boolean anonymous,
    Instant createdAt) {

  /** {@code name:version}, as deployments refer to it. */
  public String reference() {
    return name + ":" + version;
  }
}
