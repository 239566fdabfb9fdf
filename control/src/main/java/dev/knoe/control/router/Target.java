package dev.knoe.control.router;

import java.util.concurrent.atomic.AtomicInteger;

/** One ready instance and the requests it is serving now. */
public record Target(String id, String host, int port, AtomicInteger inFlight) {

  public Target(String id, String host, int port) {
    this(id, host, port, new AtomicInteger());
  }
}
