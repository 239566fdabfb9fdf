package dev.knoe.control.state;

/**
 * Azure's provisioning states, with Azure's spelling: the one list, for the local store and the
 * cluster's status alike.
 */
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
