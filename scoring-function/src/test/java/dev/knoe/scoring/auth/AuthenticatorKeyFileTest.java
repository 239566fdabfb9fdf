package dev.knoe.scoring.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.InvalidKeySpecException;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token verification key file: the PEM the control plane writes is read; a corrupt one is
 * refused at start with the file's name, and a corrupt replacement keeps the last good key.
 */
class AuthenticatorKeyFileTest {

  private static KeyPair pair;

  @TempDir Path dir;

  @BeforeAll
  static void keyPair() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    pair = gen.generateKeyPair();
  }

  /** PEM exactly as the control plane's TokenIssuer.publicKeyPem() has always written it. */
  private static String controlPlanePem() {
    Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    return "-----BEGIN PUBLIC KEY-----\n"
        + b64.encodeToString(pair.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  private static String token(String audience) {
    return "Bearer "
        + Jwt.subject("tester")
            .audience(audience)
            .expiresAt(Instant.now().plusSeconds(300))
            .jws()
            .algorithm(SignatureAlgorithm.RS256)
            .sign(pair.getPrivate());
  }

  @Test
  void readsThePemTheControlPlaneWrites() throws Exception {
    byte[] pem = controlPlanePem().getBytes(StandardCharsets.US_ASCII);
    assertEquals(pair.getPublic(), Authenticator.publicKey(pem));
    byte[] crlf = controlPlanePem().replace("\n", "\r\n").getBytes(StandardCharsets.US_ASCII);
    assertEquals(pair.getPublic(), Authenticator.publicKey(crlf));
  }

  @Test
  void garbageIsNotAKeyWithOneMessage() {
    for (String garbage :
        new String[] {
          "hello",
          "-----BEGIN PUBLIC KEY-----\nMII*!\n-----END PUBLIC KEY-----\n",
          "-----BEGIN PUBLIC KEY-----\nMIIBIjAN\n-----END PUBLIC KEY-----\n"
        }) {
      InvalidKeySpecException e =
          assertThrows(
              InvalidKeySpecException.class,
              () -> Authenticator.publicKey(garbage.getBytes(StandardCharsets.US_ASCII)));
      assertTrue(e.getMessage().startsWith("not an RSA public key in PEM: "), e.getMessage());
    }
  }

  @Test
  void aCorruptKeyFileAtStartIsRefusedWithItsName() throws Exception {
    Path file = dir.resolve("token.pub");
    Files.writeString(file, "-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----\n");

    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> new Authenticator(Optional.empty(), Optional.of(file), "ep", () -> 0));

    assertEquals("cannot read " + file, e.getMessage());
  }

  @Test
  void aCorruptReplacementKeepsTheLastGoodKey() throws Exception {
    Path file = dir.resolve("token.pub");
    Files.writeString(file, controlPlanePem());
    AtomicLong now = new AtomicLong();
    Authenticator auth = new Authenticator(Optional.empty(), Optional.of(file), "ep", now::get);
    assertEquals(Optional.empty(), auth.check(token("ep")));

    Files.writeString(file, "garbage");
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
    now.addAndGet(Authenticator.RELOAD_CHECK_NANOS);

    assertEquals(Optional.empty(), auth.check(token("ep")), "still the last good key");
    assertEquals(Optional.of("invalid token: wrong audience"), auth.check(token("other")));
  }
}
