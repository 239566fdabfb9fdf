package dev.knoe.control.credentials;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/** Random credentials and their constant-time comparison. */
public final class Secrets {

  private static final SecureRandom RANDOM = new SecureRandom();

  private Secrets() {}

  /** 32 random bytes, URL-safe base64 (43 characters). */
  public static String newKey() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  public static byte[] sha256(String s) {
    return SHA256.get().digest(s.getBytes(StandardCharsets.UTF_8));
  }

  // One per thread (digest() resets it): the router checks a key per request, and looking the
  // algorithm up in the providers each time was a visible part of its CPU.
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException(e);
            }
          });

  /**
   * Whether {@code presented} equals one of the {@code digests}; compares digests of equal length
   * with {@link MessageDigest#isEqual} and never stops early, so timing reveals nothing.
   */
  public static boolean matchesAny(String presented, byte[]... digests) {
    byte[] p = sha256(presented);
    boolean match = false;
    for (byte[] d : digests) {
      match |= d != null && MessageDigest.isEqual(d, p);
    }
    return match;
  }
}
