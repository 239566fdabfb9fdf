package dev.knoe.control.serve;

import dev.knoe.control.credentials.ServerCertificate;
import io.quarkus.runtime.Quarkus;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * {@code knoe serve [--port N] [--host H] [--data-dir DIR] [--tls-cert F --tls-key F |
 * --tls-self-signed]}: runs the embedded platform until stopped. The TLS choice is made here,
 * before Quarkus starts, because its HTTP server reads its certificate once, at start.
 */
public final class Serve {

  public static final int DEFAULT_PORT = 8500;

  private static final String USAGE =
      "Usage: knoe serve [--port N] [--host H] [--data-dir DIR]\n"
          + "                  [--tls-cert FILE --tls-key FILE | --tls-self-signed]\n"
          + "Runs the control API and the endpoints' router on one port (default "
          + DEFAULT_PORT
          + "),\n"
          + "with state under DIR (default ~/.knoe/data, or KNOE_DATA_DIR), bound to H (default\n"
          + "127.0.0.1). With a certificate and key (PEM; KNOE_TLS_CERT, KNOE_TLS_KEY) or a\n"
          + "self-signed pair made in DIR/tls (KNOE_TLS_SELF_SIGNED=true) it serves HTTPS only;\n"
          + "a host other than loopback needs one of them.";

  private Serve() {}

  public static void main(String... args) {
    int port = Integer.getInteger("quarkus.http.port", DEFAULT_PORT);
    String host = setting("quarkus.http.host", "QUARKUS_HTTP_HOST").orElse(Listen.DEFAULT_HOST);
    Optional<String> cert = setting("knoe.tls.cert", "KNOE_TLS_CERT");
    Optional<String> key = setting("knoe.tls.key", "KNOE_TLS_KEY");
    boolean selfSigned =
        setting("knoe.tls.self-signed", "KNOE_TLS_SELF_SIGNED")
            .map(Boolean::parseBoolean)
            .orElse(false);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(value(args, ++i, "--port"));
        case "--host" -> host = value(args, ++i, "--host");
        case "--tls-cert" -> cert = Optional.of(value(args, ++i, "--tls-cert"));
        case "--tls-key" -> key = Optional.of(value(args, ++i, "--tls-key"));
        case "--tls-self-signed" -> selfSigned = true;
        case "--data-dir" ->
            System.setProperty(
                "knoe.data-dir",
                Path.of(value(args, ++i, "--data-dir")).toAbsolutePath().toString());
        case "-h", "--help" -> {
          System.out.println(USAGE);
          return;
        }
        default -> usageError("unknown option '" + args[i] + "' for serve (try --help)");
      }
    }
    Listen listen;
    try {
      boolean cluster =
          setting("knoe.backend", "KNOE_BACKEND").filter("knative"::equalsIgnoreCase).isPresent();
      listen = new Listen(host, cert, key, selfSigned, cluster);
    } catch (IllegalArgumentException e) {
      usageError(e.getMessage());
      return;
    }
    System.setProperty("quarkus.http.host", listen.host());
    System.setProperty("quarkus.http.port", Integer.toString(port));
    if (listen.tls()) {
      ServerCertificate.Pair pair = certificate(listen);
      // HTTPS on the one port, and no plain HTTP listener at all.
      System.setProperty("quarkus.http.ssl-port", Integer.toString(port));
      System.setProperty("quarkus.http.insecure-requests", "disabled");
      System.setProperty("quarkus.http.ssl.certificate.files", pair.cert().toString());
      System.setProperty("quarkus.http.ssl.certificate.key-files", pair.key().toString());
      System.setProperty("knoe.tls.cert", pair.cert().toString());
      System.setProperty("knoe.tls.key", pair.key().toString());
    }
    Quarkus.run();
  }

  /** The operator's pair, checked; or the self-signed one under the data directory. */
  private static ServerCertificate.Pair certificate(Listen listen) {
    try {
      if (!listen.selfSigned()) {
        var pair =
            new ServerCertificate.Pair(
                Path.of(listen.cert().orElseThrow()).toAbsolutePath(),
                Path.of(listen.key().orElseThrow()).toAbsolutePath());
        ServerCertificate.read(pair.cert());
        if (!java.nio.file.Files.isReadable(pair.key())) {
          throw new IOException("cannot read the key " + pair.key());
        }
        return pair;
      }
      return ServerCertificate.selfSigned(
          dataDir().resolve("tls"), selfSignedNames(listen), Instant.now());
    } catch (IOException e) {
      System.err.println("knoe: error: TLS: " + e.getMessage());
      System.exit(1);
      return null;
    }
  }

  /** What a self-signed certificate names: loopback, the bound host, or every address. */
  static Set<String> selfSignedNames(Listen listen) {
    Set<String> names = new LinkedHashSet<>(Set.of("localhost", "127.0.0.1", "::1"));
    if (!listen.wildcard()) {
      names.add(listen.host().replaceAll("^\\[|]$", ""));
      return names;
    }
    try {
      names.add(InetAddress.getLocalHost().getHostName());
      for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress a : Collections.list(ni.getInetAddresses())) {
          if (!a.isLinkLocalAddress()) {
            names.add(a.getHostAddress().replaceAll("%.*$", ""));
          }
        }
      }
    } catch (IOException e) {
      // the loopback names above still serve this machine
    }
    return names;
  }

  /** As {@code Platform.dataDir()}: {@code --data-dir}, {@code KNOE_DATA_DIR}, the default. */
  private static Path dataDir() {
    return setting("knoe.data-dir", "KNOE_DATA_DIR")
        .map(Path::of)
        .orElseGet(() -> Path.of(System.getProperty("user.home"), ".knoe", "data"))
        .toAbsolutePath();
  }

  /** A system property, else an environment variable (this runs before Quarkus' config). */
  private static Optional<String> setting(String property, String env) {
    String v = System.getProperty(property);
    if (v == null || v.isBlank()) {
      v = System.getenv(env);
    }
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v);
  }

  private static void usageError(String message) {
    System.err.println("knoe: error: " + message);
    System.exit(2);
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      usageError(flag + " needs a value");
    }
    return args[i];
  }
}
