package dev.knoe.control.credentials;

import dev.knoe.control.files.AtomicFiles;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signs and verifies the short-lived RS256 tokens of {@code auth_mode: aml_token} endpoints; the
 * audience is the endpoint's name, so a token for one endpoint opens no other. The signing key is
 * made on first start and kept owner-only in the data directory.
 */
public final class TokenIssuer {

  /** What {@code get-credentials} returns for a token endpoint, with Azure's field names. */
  public record Token(String accessToken, Instant expiryTimeUtc, Instant refreshAfterTimeUtc) {}

  private final PrivateKey privateKey;
  private final PublicKey publicKey;
  private final Duration ttl;
  private final Clock clock;
  private final ConcurrentHashMap<String, DefaultJWTParser> parsers = new ConcurrentHashMap<>();

  public TokenIssuer(Path keyFile, Duration ttl, Clock clock) {
    this.ttl = ttl;
    this.clock = clock;
    this.privateKey = loadOrCreate(keyFile);
    this.publicKey = publicOf((RSAPrivateCrtKey) privateKey);
  }

  public Token issue(String endpoint) {
    Instant now = clock.instant();
    Instant expiry = now.plus(ttl);
    String jwt =
        Jwt.issuer("knoe")
            .subject("knoe-client")
            .audience(endpoint)
            .issuedAt(now)
            .expiresAt(expiry)
            .jws()
            .algorithm(SignatureAlgorithm.RS256)
            .sign(privateKey);
    return new Token(jwt, expiry, now.plus(ttl.dividedBy(2)));
  }

  /** Whether the token is ours, unexpired and for this endpoint. */
  public boolean verify(String token, String endpoint) {
    if (token.chars().filter(c -> c == '.').count() != 2) {
      return false;
    }
    try {
      parsers.computeIfAbsent(endpoint, this::parser).parse(token);
      return true;
    } catch (ParseException e) {
      return false;
    }
  }

  private DefaultJWTParser parser(String endpoint) {
    JWTAuthContextInfo info = new JWTAuthContextInfo(publicKey, "knoe");
    info.setSignatureAlgorithm(Set.of(SignatureAlgorithm.RS256));
    info.setExpectedAudience(Set.of(endpoint));
    info.setRequireNamedPrincipal(false);
    info.setClockSkew(0);
    info.setExpGracePeriodSecs(0);
    return new DefaultJWTParser(info);
  }

  /** The verification key as PEM, for scoring functions that check tokens themselves. */
  public String publicKeyPem() {
    return pem("PUBLIC KEY", publicKey.getEncoded());
  }

  private static PrivateKey loadOrCreate(Path file) {
    try {
      if (Files.exists(file)) {
        // US-ASCII, not UTF-8: a binary file then fails as "not a key", not as unreadable.
        String pem = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
        return KeyUtils.decodePrivateKey(pem);
      }
      KeyPair pair = KeyUtils.generateKeyPair(2048);
      String pem = pem("PRIVATE KEY", pair.getPrivate().getEncoded());
      AtomicFiles.writeSecret(file, pem.getBytes(StandardCharsets.US_ASCII));
      return pair.getPrivate();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write the token signing key " + file, e);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      // IllegalArgumentException: KeyUtils lets Base64's complaint about a bad character through.
      throw new IllegalStateException(
          "the token signing key " + file + " is not a PKCS#8 RSA key", e);
    }
  }

  /**
   * {@code der} as PEM with 64-column lines, as openssl writes it. KeyUtils only reads PEM, so this
   * is the one writer in this module; files written before it existed have the same layout.
   */
  private static String pem(String type, byte[] der) {
    Base64.Encoder lines = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    return "-----BEGIN "
        + type
        + "-----\n"
        + lines.encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private static PublicKey publicOf(RSAPrivateCrtKey key) {
    try {
      return KeyFactory.getInstance("RSA")
          .generatePublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
