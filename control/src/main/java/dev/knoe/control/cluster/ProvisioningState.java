package dev.knoe.control.cluster;

/**
 * The values of {@code status.provisioning_state} of both custom resources (Azure's names), and
 * what each means for the Ready condition.
 */
public final class ProvisioningState {

  public static final String CREATING = "Creating";
  public static final String UPDATING = "Updating";
  public static final String SUCCEEDED = "Succeeded";
  public static final String FAILED = "Failed";

  private ProvisioningState() {}

  /** The Ready condition's status for {@code state}: True, False, or Unknown while on the way. */
  static String readyStatus(String state) {
    return SUCCEEDED.equals(state) ? "True" : FAILED.equals(state) ? "False" : "Unknown";
  }
}
