package dev.knoe.control.model;

/** A registry request that cannot be done, with the HTTP status it maps to. */
public final class ModelException extends RuntimeException {

  private final int status;

  public ModelException(int status, String message) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
