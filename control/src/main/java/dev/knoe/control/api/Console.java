package dev.knoe.control.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The web console: static files under {@code /console/} (HTML, CSS, ES modules in
 * META-INF/resources/console, served by Quarkus), {@code /} and {@code /console} sending the
 * browser there. The files hold no data and no secret: every figure the console shows it reads from
 * the API with the admin key the user signs in with, sent as a bearer header (no cookie, so no
 * CSRF).
 */
@ApplicationScoped
public class Console {

  static final String HOME = "/console/";

  /**
   * Scripts, styles and requests from this origin only; no inline script or style, no eval, no
   * plugin, no frame: a value that slipped into the page as markup still could not run.
   */
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          + "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

  void register(@Observes Router router) {
    router.get("/").order(-20).handler(Console::home);
    router.get("/console").order(-20).handler(Console::home);
    router.route(HOME + "*").order(-20).handler(Console::headers);
  }

  private static void home(RoutingContext ctx) {
    // Vert.x matches "/console" to "/console/" too: that one is the console's index.html.
    if (ctx.request().path().endsWith(HOME)) {
      ctx.next();
      return;
    }
    ctx.response().setStatusCode(302).putHeader(HttpHeaders.LOCATION, HOME).end();
  }

  private static void headers(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Security-Policy", CSP)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("X-Frame-Options", "DENY")
        // A new knoe serve may ship a new console: the browser asks again (a 304 when unchanged).
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
    ctx.next();
  }
}
