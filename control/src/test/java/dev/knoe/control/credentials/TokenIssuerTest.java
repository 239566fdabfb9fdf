package dev.knoe.control.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The signing key file: made on first start, read back on the next, refused when it is not one. */
class TokenIssuerTest {

  // The system clock: verify() checks expiry against jose4j's own clock, not the one given here.
  private static final Clock CLOCK = Clock.systemUTC();
  private static final Duration TTL = Duration.ofMinutes(5);

  @TempDir Path dir;

  /** PEM exactly as TokenIssuer wrote it before KeyUtils read it (64-column lines, LF). */
  private static String oldPem(String type, byte[] der) {
    Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    return "-----BEGIN "
        + type
        + "-----\n"
        + b64.encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private static KeyPair rsa() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    return gen.generateKeyPair();
  }

  @Test
  void aKeyFileWrittenByTheOldCodeStillSignsAndItsPublicPemIsUnchanged() throws Exception {
    KeyPair pair = rsa();
    Path file = dir.resolve("token-signing-key.pem");
    Files.writeString(file, oldPem("PRIVATE KEY", pair.getPrivate().getEncoded()));

    TokenIssuer issuer = new TokenIssuer(file, TTL, CLOCK);

    assertEquals(oldPem("PUBLIC KEY", pair.getPublic().getEncoded()), issuer.publicKeyPem());
    assertTrue(issuer.verify(issuer.issue("ep-a").accessToken(), "ep-a"));
    assertFalse(issuer.verify(issuer.issue("ep-a").accessToken(), "ep-b"), "audience checked");
  }

  @Test
  void aKeyMadeOnFirstStartIsReadBackOnTheNext() throws Exception {
    Path file = dir.resolve("secrets").resolve("token-signing-key.pem");
    TokenIssuer first = new TokenIssuer(file, TTL, CLOCK);
    String content = Files.readString(file);
    assertTrue(content.startsWith("-----BEGIN PRIVATE KEY-----\n"), content);

    TokenIssuer second = new TokenIssuer(file, TTL, CLOCK);

    assertEquals(content, Files.readString(file), "the key is kept, not replaced");
    assertEquals(first.publicKeyPem(), second.publicKeyPem());
    assertTrue(second.verify(first.issue("ep").accessToken(), "ep"));
  }

  @Test
  void windowsLineEndsAreRead() throws Exception {
    KeyPair pair = rsa();
    Path file = dir.resolve("crlf.pem");
    String crlf = oldPem("PRIVATE KEY", pair.getPrivate().getEncoded()).replace("\n", "\r\n");
    Files.writeString(file, crlf);

    assertEquals(
        oldPem("PUBLIC KEY", pair.getPublic().getEncoded()),
        new TokenIssuer(file, TTL, CLOCK).publicKeyPem());
  }

  record Corrupt(String name, byte[] content) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Corrupt> corrupt() throws Exception {
    KeyPair pair = rsa();
    return Stream.of(
        new Corrupt("not PEM at all", "hello\n".getBytes(StandardCharsets.US_ASCII)),
        new Corrupt(
            "bad base64",
            "-----BEGIN PRIVATE KEY-----\nMII*!\n-----END PRIVATE KEY-----\n"
                .getBytes(StandardCharsets.US_ASCII)),
        new Corrupt(
            "truncated key",
            oldPem("PRIVATE KEY", new byte[] {0x30, (byte) 0x82, 1, 2})
                .getBytes(StandardCharsets.US_ASCII)),
        new Corrupt(
            "a public key",
            oldPem("PUBLIC KEY", pair.getPublic().getEncoded())
                .getBytes(StandardCharsets.US_ASCII)),
        new Corrupt("binary", new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, (byte) 0x80}),
        new Corrupt("empty", new byte[0]));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corrupt")
  void aCorruptKeyFileIsRefusedWithItsName(Corrupt c) throws Exception {
    Path file = dir.resolve("token-signing-key.pem");
    Files.write(file, c.content());

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> new TokenIssuer(file, TTL, CLOCK));

    assertEquals("the token signing key " + file + " is not a PKCS#8 RSA key", e.getMessage());
    assertTrue(Files.exists(file), "a bad key is left for the operator, not overwritten");
  }
}
