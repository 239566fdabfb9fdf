package dev.knoe.control.state;

/** Azure's provisioning states, with Azure's spelling. */
public enum ProvisioningState {
  Creating,
  Updating,
  Succeeded,
  Failed,
  Deleting;

  public boolean settled() {
    return this == Succeeded || this == Failed;
  }
}
