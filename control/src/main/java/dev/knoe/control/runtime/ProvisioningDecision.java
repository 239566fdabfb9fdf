package dev.knoe.control.runtime;

import dev.knoe.control.state.ProvisioningState;

/**
 * A local deployment's {@code provisioning_state} from what its instances of the current generation
 * do. Failed means no instance can serve: a crash of one instance among several, with another still
 * serving, leaves the deployment as it was (Succeeded stays Succeeded) with a message naming the
 * crash, while the supervisor starts a replacement.
 */
final class ProvisioningDecision {

  private ProvisioningDecision() {}

  /** The state to report and why (null when all is well). */
  record Outcome(ProvisioningState state, String message) {}

  /**
   * @param current the state reported last
   * @param wanted instances the deployment is provisioned with
   * @param provisioned whether enough instances are ready for that ({@code ready >= wanted}, or the
   *     autoscaler's initial scale reached)
   * @param ready instances of the current generation serving now
   * @param failed instances of the current generation that crashed or failed their probes since
   *     they were last ready, restarting ones included
   * @param desired instances the supervisor is asked to keep (0: scaled to zero)
   * @param failure the latest failure, e.g. "instance blue-1-1 exited with code 137", or null
   */
  static Outcome decide(
      ProvisioningState current,
      int wanted,
      boolean provisioned,
      int ready,
      int failed,
      int desired,
      String failure) {
    boolean noneServes = ready == 0 && desired > 0;
    if (failed > 0 && noneServes && failure != null) {
      return new Outcome(ProvisioningState.Failed, failure);
    }
    String progress = ready + " of " + wanted + " instance(s) ready";
    if (provisioned) {
      return new Outcome(ProvisioningState.Succeeded, null);
    }
    if (failed > 0 && failure != null) {
      // Another instance serves: degraded, not failed, while the crashed one is replaced.
      return new Outcome(
          current == ProvisioningState.Succeeded
              ? ProvisioningState.Succeeded
              : inProgress(current),
          progress + "; " + failure);
    }
    return new Outcome(inProgress(current), progress);
  }

  private static ProvisioningState inProgress(ProvisioningState current) {
    return current == ProvisioningState.Creating
        ? ProvisioningState.Creating
        : ProvisioningState.Updating;
  }
}
