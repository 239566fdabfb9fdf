package dev.knoe.scoring.auth;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.util.KeyUtils;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.spec.InvalidKeySpecException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Checks {@code Authorization: Bearer <credential>}: one of the keys in the keys file, or an RS256
 * JWT signed by the key in the public key file, not expired, for the expected audience. Keys are
 * held only as SHA-256 digests and every digest is compared in constant time, whatever matches.
 */
public final class Authenticator {

  static final long RELOAD_CHECK_NANOS = 200_000_000L;

  /** Tolerated difference between the issuer's clock and ours; a token 5 s past expiry fails. */
  private static final int CLOCK_SKEW_SECONDS = 5;

  private final WatchedFile<List<byte[]>> keys;
  private final WatchedFile<PublicKey> tokenKey;
  private final String audience;
  private volatile Verifier verifier;

  public Authenticator(
      Optional<Path> keysFile,
      Optional<Path> publicKeyFile,
      String audience,
      LongSupplier nanoClock) {
    if (keysFile.isEmpty() && publicKeyFile.isEmpty()) {
      throw new IllegalStateException(
          "KNOE_AUTH=required needs KNOE_KEYS_FILE or KNOE_JWT_PUBLIC_KEY_FILE");
    }
    this.keys =
        keysFile
            .map(p -> new WatchedFile<>(p, Authenticator::digests, nanoClock, RELOAD_CHECK_NANOS))
            .orElse(null);
    this.tokenKey =
        publicKeyFile
            .map(p -> new WatchedFile<>(p, Authenticator::publicKey, nanoClock, RELOAD_CHECK_NANOS))
            .orElse(null);
    this.audience = audience;
  }

  /**
   * Empty when the header carries a valid credential, else why not (never echoing the credential).
   */
  public Optional<String> check(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.of("missing credential: send 'Authorization: Bearer <key or token>'");
    }
    String credential = authorization.substring(7).trim();
    if (keys != null && matchesKey(credential, keys.get())) {
      return Optional.empty();
    }
    if (tokenKey != null && credential.chars().filter(c -> c == '.').count() == 2) {
      try {
        parser(tokenKey.get()).parse(credential);
        return Optional.empty();
      } catch (ParseException e) {
        return Optional.of("invalid token: " + reason(e));
      }
    }
    return Optional.of("invalid credential: the key or token is not accepted");
  }

  /** The parser for the current verification key, rebuilt only when the key file changed. */
  private DefaultJWTParser parser(PublicKey key) {
    Verifier v = verifier;
    if (v == null || v.key != key) {
      JWTAuthContextInfo info = new JWTAuthContextInfo(key, null);
      info.setSignatureAlgorithm(Set.of(SignatureAlgorithm.RS256));
      info.setExpectedAudience(Set.of(audience));
      info.setRequireNamedPrincipal(false);
      info.setClockSkew(CLOCK_SKEW_SECONDS);
      info.setExpGracePeriodSecs(0);
      v = new Verifier(key, new DefaultJWTParser(info));
      verifier = v;
    }
    return v.parser;
  }

  private record Verifier(PublicKey key, DefaultJWTParser parser) {}

  private static String reason(ParseException e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    String msg = String.valueOf(root.getMessage()).toLowerCase();
    if (msg.contains("expir")) {
      return "expired";
    }
    if (msg.contains("audience") || msg.contains("aud")) {
      return "wrong audience";
    }
    return "signature or claims not valid";
  }

  private static boolean matchesKey(String credential, List<byte[]> digests) {
    byte[] presented = sha256(credential.getBytes(StandardCharsets.UTF_8));
    boolean match = false;
    for (byte[] d : digests) {
      match |= MessageDigest.isEqual(d, presented); // no early exit: time does not tell which key
    }
    return match;
  }

  private static List<byte[]> digests(byte[] content) {
    List<byte[]> out = new ArrayList<>();
    for (String line : new String(content, StandardCharsets.UTF_8).split("\n")) {
      String key = line.trim();
      if (!key.isEmpty() && !key.startsWith("#")) {
        out.add(sha256(key.getBytes(StandardCharsets.UTF_8)));
      }
    }
    return List.copyOf(out);
  }

  /** The RSA key of a {@code -----BEGIN PUBLIC KEY-----} PEM, as the control plane writes it. */
  static PublicKey publicKey(byte[] pem) throws InvalidKeySpecException {
    try {
      return KeyUtils.decodePublicKey(new String(pem, StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      // IllegalArgumentException: KeyUtils lets Base64's complaint about a bad character through;
      // one message for both, as WatchedFile logs only the message.
      throw new InvalidKeySpecException("not an RSA public key in PEM: " + e.getMessage(), e);
    }
  }

  static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
