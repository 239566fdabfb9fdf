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

  /**
   * The version's ETag: a version never changes, but its number is given again when the newest
   * version is deleted, so the tag tells it from one registered later under the same number by its
   * registration time and content, e.g. {@code 1733222400000-9f86d081884c7d65} (unquoted, as {@code
   * EntityTag} takes it).
   */
  public String etag() {
    return createdAt.toEpochMilli() + "-" + sha256.substring(0, 16);
  }
}
