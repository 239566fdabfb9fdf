package dev.knoe.control.cluster;

/**
 * The values of {@code status.provisioning_state} of both custom resources, as the strings the
 * status holds: the names of {@link dev.knoe.control.state.ProvisioningState}, the one list of
 * states both backends use, and what each means for the Ready condition.
 */
public final class ProvisioningState {

  public static final String CREATING = dev.knoe.control.state.ProvisioningState.Creating.name();
  public static final String UPDATING = dev.knoe.control.state.ProvisioningState.Updating.name();
  public static final String SUCCEEDED = dev.knoe.control.state.ProvisioningState.Succeeded.name();
  public static final String FAILED = dev.knoe.control.state.ProvisioningState.Failed.name();

  private ProvisioningState() {}

  /** The Ready condition's status for {@code state}: True, False, or Unknown while on the way. */
  static String readyStatus(String state) {
    return SUCCEEDED.equals(state) ? "True" : FAILED.equals(state) ? "False" : "Unknown";
  }
}
