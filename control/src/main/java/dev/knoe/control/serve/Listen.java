package dev.knoe.control.serve;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Where and how {@code knoe serve} listens: plain HTTP on a loopback address, or HTTPS only. Plain
 * HTTP is never offered beyond this machine: keys and tokens would cross the network in the clear.
 *
 * @param host the address bound ({@code 127.0.0.1} by default; {@code 0.0.0.0} for every one)
 * @param cert the operator's certificate (PEM), with {@code key}
 * @param key the operator's private key (PEM), with {@code cert}
 * @param selfSigned make a self-signed pair for development (instead of {@code cert} and {@code
 *     key})
 * @param cluster {@code knoe.backend=knative}: a pod binds every address of its own network
 *     namespace, reached through a Kubernetes Service (in-cluster model downloads included), where
 *     TLS is the ingress's or the mesh's; plain HTTP is allowed there
 */
record Listen(
    String host, Optional<String> cert, Optional<String> key, boolean selfSigned, boolean cluster) {

  static final String DEFAULT_HOST = "127.0.0.1";

  /** Checks the combination; a refusal's message says what to pass instead. */
  Listen {
    if (cert.isPresent() != key.isPresent()) {
      throw new IllegalArgumentException(
          "--tls-cert and --tls-key go together (the certificate and its private key, PEM)");
    }
    if (selfSigned && cert.isPresent()) {
      throw new IllegalArgumentException(
          "--tls-self-signed makes its own certificate: give it or --tls-cert/--tls-key, not"
              + " both");
    }
    if (!(selfSigned || cert.isPresent()) && !cluster && !loopback(host)) {
      throw new IllegalArgumentException(
          "--host "
              + host
              + " is not a loopback address, and plain HTTP stays on this machine: give"
              + " --tls-cert FILE --tls-key FILE (PEM), or --tls-self-signed for development");
    }
  }

  /** HTTPS only (no plain HTTP listener). */
  boolean tls() {
    return selfSigned || cert.isPresent();
  }

  /** Every address of the machine ({@code 0.0.0.0}, {@code ::}). */
  boolean wildcard() {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
  }

  /**
   * The host a client on this machine names in URLs: the bound address, or {@code 127.0.0.1} when
   * every address is bound.
   */
  String clientHost() {
    if (wildcard()) {
      return DEFAULT_HOST;
    }
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  static boolean loopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
