package dev.knoe.control.api;

/** {@code If-Match} as both backends read it: {@code *} or absent matches anything that exists. */
public final class Preconditions {

  private Preconditions() {}

  /** 412 unless {@code ifMatch} is absent, {@code *} or {@code etag} (quotes and {@code W/} ignored). */
  public static void checkEtag(String what, String etag, String ifMatch) {
    if (ifMatch != null && !ifMatch.equals("*") && !unquote(ifMatch).equals(unquote(etag))) {
      throw new ApiException(412, what + " changed since you read it (ETag " + etag + ", If-Match " + ifMatch
          + "); read it again and retry");
    }
  }

  /** 412 when {@code ifMatch} expects a resource that does not exist. */
  public static void checkAbsent(String what, String ifMatch) {
    if (ifMatch != null && !ifMatch.equals("*")) {
      throw new ApiException(412, what + " does not exist, but If-Match " + ifMatch + " expects it to");
    }
  }

  private static String unquote(String tag) {
    return tag.trim().replaceFirst("^W/", "").replace("\"", "");
  }
}
