package dev.knoe.scoring.model;

import dev.knoe.scoring.config.ScoringConfig.Device;

/**
 * Which execution provider to try, decided from the requested device and whether this machine shows
 * an NVIDIA GPU. {@code cpu} never touches the CUDA provider (whose library is 583 MiB to unpack);
 * {@code auto} tries CUDA only when a GPU is present.
 *
 * @param tryCuda whether to add the CUDA execution provider
 * @param reason one line for the log saying why
 */
public record DevicePlan(boolean tryCuda, String reason) {

  public static DevicePlan choose(Device requested, boolean gpuPresent) {
    return switch (requested) {
      case cpu -> new DevicePlan(false, "KNOE_DEVICE=cpu");
      case cuda -> new DevicePlan(true, "KNOE_DEVICE=cuda");
      case auto ->
          gpuPresent
              ? new DevicePlan(true, "KNOE_DEVICE=auto and an NVIDIA GPU is present")
              : new DevicePlan(false, "KNOE_DEVICE=auto and no NVIDIA GPU was found");
    };
  }
}
