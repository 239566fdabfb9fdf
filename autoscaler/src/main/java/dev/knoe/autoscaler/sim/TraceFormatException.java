package dev.knoe.autoscaler.sim;

/** A trace file that cannot be read; the message names the file, line and column. */
public final class TraceFormatException extends Exception {

  public TraceFormatException(String message) {
    super(message);
  }
}
