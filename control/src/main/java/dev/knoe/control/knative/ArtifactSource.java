package dev.knoe.control.knative;

/**
 * A file a pod downloads before the scoring function starts (the registered model, or a handler
 * jar): where from, and the digest it must have.
 *
 * @param url an HTTP(S) URL, e.g. the control plane's {@code
 *     /api/v1/models/<name>/versions/<v>/content}
 * @param sha256 lowercase hex; the download fails unless the file has it
 * @param fileName the name it gets in the pod, e.g. {@code model.onnx}
 */
public record ArtifactSource(String url, String sha256, String fileName) {

  public ArtifactSource {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("an artifact needs a URL");
    }
    if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("sha256 '" + sha256 + "' is not 64 lowercase hex digits");
    }
    if (fileName == null || !fileName.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("file name '" + fileName + "' must be a plain file name");
    }
  }
}
