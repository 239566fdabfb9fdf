package dev.knoe.control.router;

import dev.knoe.control.credentials.Secrets;
import dev.knoe.control.credentials.TokenIssuer;

/**
 * Lets a request on only with {@code Authorization: Bearer <credential>} valid for its endpoint: a
 * key whose SHA-256 is among the endpoint's digests, or an aml_token issued for the endpoint. Both
 * compare in constant time (Secrets, TokenIssuer). Otherwise 401 with {@code WWW-Authenticate}.
 */
final class Authenticate implements Step {

  private final TokenIssuer tokens;
  private final Step next;

  Authenticate(TokenIssuer tokens, Step next) {
    this.tokens = tokens;
    this.next = next;
  }

  @Override
  public void handle(Exchange ex) {
    RouteTable table = ex.table;
    if (!authorized(table, ex.ctx.request().getHeader("Authorization"))) {
      ex.ctx.response().putHeader("WWW-Authenticate", "Bearer");
      String endpoint = ex.endpoint;
      ex.refuse(
          401,
          table.tokenAuth()
              ? "missing or invalid token: get one with 'knoe online-endpoint get-credentials -n "
                  + endpoint
                  + "'"
              : "missing or invalid key: send 'Authorization: Bearer <key>' with a key from 'knoe"
                  + " online-endpoint get-credentials -n "
                  + endpoint
                  + "'",
          null);
      return;
    }
    next.handle(ex);
  }

  /** True if {@code header} (the Authorization header, or null) carries a valid credential. */
  boolean authorized(RouteTable table, String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    String credential = header.substring(7).trim();
    return table.tokenAuth()
        ? tokens.verify(credential, table.endpoint())
        : Secrets.matchesAny(credential, table.keyDigests());
  }
}
