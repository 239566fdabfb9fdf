package dev.knoe.control.knative;

import dev.knoe.autoscaler.ScalingPolicy;

/**
 * What the cluster's manifests depend on besides the specs (the chart's values).
 *
 * @param namespace where endpoints live
 * @param scoringImage the scoring-function image, unless a deployment names {@code
 *     environment.image}
 * @param gpuScoringImage the same for GPU instance types: the scoring function with CUDA 12 and
 *     cuDNN 9 beside it (ONNX Runtime's CUDA provider needs them; without them it falls back to
 *     CPU)
 * @param storageInitializerImage downloads and checks the model (needs {@code sh}, {@code wget},
 *     {@code sha256sum}: busybox has them)
 * @param modelReaderSecret Secret whose {@code token} key lets pods download models from the
 *     control plane
 * @param catalog the instance types
 * @param autoscaling platform-wide autoscaling knobs (Knative's config-autoscaler)
 */
public record RenderSettings(
    String namespace,
    String scoringImage,
    String gpuScoringImage,
    String storageInitializerImage,
    String modelReaderSecret,
    InstanceTypeCatalog catalog,
    ScalingPolicy autoscaling) {

  public static final String DEFAULT_SCORING_IMAGE = "ghcr.io/knoe-dev/knoe-scoring-function:0.1.0";
  public static final String DEFAULT_GPU_SCORING_IMAGE =
      "ghcr.io/knoe-dev/knoe-scoring-function:0.1.0-cuda";
  public static final String DEFAULT_STORAGE_INITIALIZER_IMAGE = "busybox:1.36";

  /**
   * The GPU image: the one configured, else the configured scoring image (a custom image is the
   * user's; an invented {@code -cuda} name of it might not exist), else the default CUDA image.
   */
  public static String gpuScoringImage(String configuredGpu, String configuredScoring) {
    return configuredGpu != null
        ? configuredGpu
        : configuredScoring != null ? configuredScoring : DEFAULT_GPU_SCORING_IMAGE;
  }

  /** The same settings for endpoints in {@code other}. */
  public RenderSettings inNamespace(String other) {
    return new RenderSettings(
        other,
        scoringImage,
        gpuScoringImage,
        storageInitializerImage,
        modelReaderSecret,
        catalog,
        autoscaling);
  }

  /** The chart's defaults in {@code namespace}. */
  public static RenderSettings defaults(String namespace) {
    return new RenderSettings(
        namespace,
        DEFAULT_SCORING_IMAGE,
        DEFAULT_GPU_SCORING_IMAGE,
        DEFAULT_STORAGE_INITIALIZER_IMAGE,
        "knoe-model-reader",
        InstanceTypeCatalog.DEFAULT,
        ScalingPolicy.builder().build());
  }
}
