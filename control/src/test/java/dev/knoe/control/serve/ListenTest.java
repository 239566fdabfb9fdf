package dev.knoe.control.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ListenTest {

  record Case(
      String name,
      String host,
      String cert,
      String key,
      boolean selfSigned,
      String refusal,
      boolean tls,
      String clientHost,
      boolean cluster) {
    Case(
        String name,
        String host,
        String cert,
        String key,
        boolean selfSigned,
        String refusal,
        boolean tls,
        String clientHost) {
      this(name, host, cert, key, selfSigned, refusal, tls, clientHost, false);
    }

    @Override
    public String toString() {
      return name;
    }

    Listen listen() {
      return new Listen(
          host, Optional.ofNullable(cert), Optional.ofNullable(key), selfSigned, cluster);
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "the default: plain HTTP on loopback",
            "127.0.0.1",
            null,
            null,
            false,
            null,
            false,
            "127.0.0.1"),
        new Case("localhost is loopback", "localhost", null, null, false, null, false, "localhost"),
        new Case(
            "IPv6 loopback, bracketed in URLs", "::1", null, null, false, null, false, "[::1]"),
        new Case(
            "every address without TLS is refused",
            "0.0.0.0",
            null,
            null,
            false,
            "--host 0.0.0.0 is not a loopback address",
            false,
            null),
        new Case(
            "a LAN address without TLS is refused",
            "192.168.1.20",
            null,
            null,
            false,
            "--tls-self-signed for development",
            false,
            null),
        new Case(
            "every address with a certificate, named 127.0.0.1 locally",
            "0.0.0.0",
            "c.pem",
            "k.pem",
            false,
            null,
            true,
            "127.0.0.1"),
        new Case(
            "a LAN address, self-signed",
            "192.168.1.20",
            null,
            null,
            true,
            null,
            true,
            "192.168.1.20"),
        new Case(
            "loopback may use TLS too", "127.0.0.1", null, null, true, null, true, "127.0.0.1"),
        new Case(
            "a certificate without its key",
            "127.0.0.1",
            "c.pem",
            null,
            false,
            "--tls-cert and --tls-key go together",
            false,
            null),
        new Case(
            "a key without its certificate",
            "127.0.0.1",
            null,
            "k.pem",
            false,
            "--tls-cert and --tls-key go together",
            false,
            null),
        new Case(
            "self-signed and a certificate",
            "127.0.0.1",
            "c.pem",
            "k.pem",
            true,
            "not both",
            false,
            null),
        new Case(
            "a cluster pod binds every address in plain HTTP: TLS is the ingress's",
            "0.0.0.0",
            null,
            null,
            false,
            null,
            false,
            "127.0.0.1",
            true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void plainHttpStaysOnLoopback(Case c) {
    if (c.refusal() != null) {
      var e = assertThrows(IllegalArgumentException.class, c::listen);
      assertTrue(e.getMessage().contains(c.refusal()), e.getMessage());
      return;
    }
    Listen listen = c.listen();
    assertEquals(c.tls(), listen.tls());
    assertEquals(c.clientHost(), listen.clientHost());
  }
}
