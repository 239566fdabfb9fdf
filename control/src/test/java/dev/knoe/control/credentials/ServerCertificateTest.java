package dev.knoe.control.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerCertificateTest {

  @TempDir Path dir;

  private static final Instant NOW = Instant.now();

  @Test
  void aSelfSignedPairIsMadeOwnerOnlyAndKeptAcrossStarts() throws Exception {
    Set<String> names = Set.of("localhost", "127.0.0.1", "::1");
    ServerCertificate.Pair pair = ServerCertificate.selfSigned(dir, names, NOW);

    X509Certificate cert = ServerCertificate.read(pair.cert()).get(0);
    assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal());
    assertEquals(
        Set.of("localhost", "127.0.0.1", "0:0:0:0:0:0:0:1"), ServerCertificate.names(cert));
    cert.verify(cert.getPublicKey()); // self-signed
    String pem = Files.readString(pair.key());
    assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----\n"), pem);
    KeyFactory.getInstance("RSA")
        .generatePrivate(
            new PKCS8EncodedKeySpec(
                Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").trim())));
    for (Path p : new Path[] {pair.cert(), pair.key()}) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
    }
    try (var files = Files.list(dir)) {
      assertEquals(2, files.count(), "the keytool store is gone");
    }

    String fingerprint = ServerCertificate.fingerprint(cert);
    assertTrue(fingerprint.matches("([0-9A-F]{2}:){31}[0-9A-F]{2}"), fingerprint);
    ServerCertificate.selfSigned(dir, names, NOW.plus(Duration.ofDays(30)));
    assertEquals(
        fingerprint,
        ServerCertificate.fingerprint(ServerCertificate.read(pair.cert()).get(0)),
        "the same pair on the next start");
  }

  @Test
  void madeAgainWhenExpiredOrANewAddressIsAsked() throws Exception {
    ServerCertificate.Pair pair = ServerCertificate.selfSigned(dir, Set.of("127.0.0.1"), NOW);
    String first = ServerCertificate.fingerprint(ServerCertificate.read(pair.cert()).get(0));

    ServerCertificate.selfSigned(dir, Set.of("127.0.0.1", "192.168.1.20"), NOW);
    X509Certificate second = ServerCertificate.read(pair.cert()).get(0);
    assertNotEquals(first, ServerCertificate.fingerprint(second));
    assertTrue(ServerCertificate.names(second).contains("192.168.1.20"));

    ServerCertificate.selfSigned(
        dir,
        Set.of("127.0.0.1"),
        NOW.plus(Duration.ofDays(ServerCertificate.SELF_SIGNED_DAYS + 1)));
    assertNotEquals(
        ServerCertificate.fingerprint(second),
        ServerCertificate.fingerprint(ServerCertificate.read(pair.cert()).get(0)));
  }
}
