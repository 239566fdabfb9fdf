package dev.knoe.control.credentials;

import dev.knoe.control.files.AtomicFiles;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.build.Jwt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
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
    String jwt = Jwt.issuer("knoe").subject("knoe-client").audience(endpoint)
        .issuedAt(now).expiresAt(expiry)
        .jws().algorithm(SignatureAlgorithm.RS256).sign(privateKey);
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
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(publicKey.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
  }

  private static PrivateKey loadOrCreate(Path file) {
    try {
      if (Files.exists(file)) {
        String pem = Files.readString(file).replaceAll("-----[A-Z ]+-----|\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
      }
      KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
      gen.initialize(2048);
      KeyPair pair = gen.generateKeyPair();
      String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
          .encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
      AtomicFiles.writeSecret(file, pem.getBytes(StandardCharsets.US_ASCII));
      return pair.getPrivate();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write the token signing key " + file, e);
    } catch (Exception e) {
      throw new IllegalStateException("the token signing key " + file + " is not a PKCS#8 RSA key", e);
    }
  }

  private static PublicKey publicOf(RSAPrivateCrtKey key) {
    try {
      return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent()));
    } catch (NoSuchAlgorithmException | java.security.spec.InvalidKeySpecException e) {
      throw new IllegalStateException(e);
    }
  }
}
