package dev.knoe.control.credentials;

import dev.knoe.control.files.AtomicFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The certificate {@code knoe serve} presents over HTTPS: read from the operator's PEM files, or a
 * self-signed pair for development made into {@code <data>/tls/} ({@code cert.pem}, {@code
 * key.pem}, owner-only) by the JDK's own {@code keytool} (no library on the class path makes
 * certificates). The pair is kept across restarts, so the fingerprint and the CLI's trust stay the
 * same, and made again when it has expired or does not name every address asked for.
 */
public final class ServerCertificate {

  /** Self-signed pairs live about two years; browsers refuse longer lives for public ones. */
  static final int SELF_SIGNED_DAYS = 825;

  private ServerCertificate() {}

  /** A certificate file (PEM, the server's certificate first) and its private key (PEM). */
  public record Pair(Path cert, Path key) {}

  /**
   * The self-signed pair in {@code dir}, made if missing, expired at {@code now}, or not naming
   * every one of {@code names} (host names and IP addresses the server is reached by).
   */
  public static Pair selfSigned(Path dir, Set<String> names, Instant now) throws IOException {
    Pair pair = new Pair(dir.resolve("cert.pem"), dir.resolve("key.pem"));
    Set<String> wanted = new LinkedHashSet<>();
    names.forEach(n -> wanted.add(normalized(n)));
    if (Files.exists(pair.cert()) && Files.exists(pair.key())) {
      X509Certificate cert = read(pair.cert()).get(0);
      if (now.isBefore(cert.getNotAfter().toInstant()) && names(cert).containsAll(wanted)) {
        return pair;
      }
    }
    AtomicFiles.ownerOnlyDirectory(dir);
    Path store = dir.resolve(".self-signed.p12");
    char[] password = Secrets.newKey().toCharArray();
    try {
      keytool(store, password, wanted);
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(store)) {
        ks.load(in, password);
      }
      PrivateKey key = (PrivateKey) ks.getKey("knoe", password);
      X509Certificate cert = (X509Certificate) ks.getCertificate("knoe");
      AtomicFiles.writeSecret(pair.key(), pem("PRIVATE KEY", key.getEncoded()));
      AtomicFiles.writeSecret(pair.cert(), pem("CERTIFICATE", cert.getEncoded()));
      return pair;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the self-signed certificate keytool made: " + e, e);
    } finally {
      Files.deleteIfExists(store);
    }
  }

  /** Runs {@code keytool -genkeypair}; the store's password goes by environment, not argument. */
  private static void keytool(Path store, char[] password, Set<String> names) throws IOException {
    Files.deleteIfExists(store);
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    List<String> san = new ArrayList<>();
    for (String n : names) {
      san.add((isIpAddress(n) ? "ip:" : "dns:") + n);
    }
    ProcessBuilder pb =
        new ProcessBuilder(
                keytool.toString(),
                "-genkeypair",
                "-alias",
                "knoe",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-sigalg",
                "SHA256withRSA",
                "-validity",
                Integer.toString(SELF_SIGNED_DAYS),
                "-dname",
                "CN=knoe serve (self-signed)",
                "-ext",
                "SAN=" + String.join(",", san),
                "-keystore",
                store.toString(),
                "-storetype",
                "PKCS12",
                "-storepass:env",
                "KNOE_KEYTOOL_PASSWORD")
            .redirectErrorStream(true);
    pb.environment().put("KNOE_KEYTOOL_PASSWORD", new String(password));
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException("keytool could not make a self-signed certificate: " + output.trim());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while keytool made a certificate", e);
    }
  }

  /** The certificates of a PEM file, in order; at least one. */
  public static List<X509Certificate> read(Path pem) throws IOException {
    byte[] bytes = Files.readAllBytes(pem);
    try {
      Collection<? extends java.security.cert.Certificate> certs =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(bytes));
      List<X509Certificate> out = new ArrayList<>();
      for (var c : certs) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new IOException(pem + " holds no PEM certificate");
      }
      return out;
    } catch (CertificateException e) {
      throw new IOException(pem + " is not a PEM certificate: " + e.getMessage(), e);
    }
  }

  /** SHA-256 of the certificate's DER encoding, as {@code AB:CD:...} (what browsers show). */
  public static String fingerprint(X509Certificate cert) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The DNS names and IP addresses of the certificate's subject alternative names. */
  static Set<String> names(X509Certificate cert) throws IOException {
    Set<String> names = new LinkedHashSet<>();
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          names.add(normalized(String.valueOf(san.get(1))));
        }
      }
    } catch (CertificateException e) {
      throw new IOException("cannot read the names of a certificate: " + e.getMessage(), e);
    }
    return names;
  }

  private static boolean isIpAddress(String name) {
    return name.contains(":") || name.matches("[0-9.]+");
  }

  /** An IP address in one spelling ({@code ::1} and {@code 0:0:0:0:0:0:0:1} are one address). */
  private static String normalized(String name) {
    if (!isIpAddress(name)) {
      return name.toLowerCase(java.util.Locale.ROOT);
    }
    try {
      return java.net.InetAddress.getByName(name).getHostAddress(); // a literal: no lookup
    } catch (java.net.UnknownHostException e) {
      return name;
    }
  }

  private static byte[] pem(String type, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return ("-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n")
        .getBytes(StandardCharsets.US_ASCII);
  }
}
