package dev.knoe.control.api;

import dev.knoe.control.endpoint.EndpointView;
import dev.knoe.control.endpoint.Endpoints;
import dev.knoe.control.metrics.MetricsSource;
import dev.knoe.control.metrics.Query;
import dev.knoe.control.spec.Names;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /api/v1/endpoints/{name}/metrics?window=15m&step=1s}: the endpoint's deployments'
 * requests per second, p50 and p99 latency, 4xx and 5xx per second, instances ready and wanted,
 * requests held and cold starts, one value per step (the console's charts, {@code knoe
 * online-endpoint metrics}). Every deployment the endpoint has now is answered, all zero if need
 * be.
 */
@Path("/api/v1/endpoints/{name}/metrics")
@Produces(MediaType.APPLICATION_JSON)
public class MetricsResource {

  static final Duration DEFAULT_WINDOW = Duration.ofMinutes(15);
  static final Duration DEFAULT_STEP = Duration.ofSeconds(1);

  /** {@code 1h30m}, {@code 15m}, {@code 90s}, {@code 300} (seconds): at least one part. */
  private static final Pattern SHORT =
      Pattern.compile("(?:(\\d{1,6})h)?(?:(\\d{1,6})m)?(?:(\\d{1,9})s?)?");

  @Inject Endpoints endpoints;
  @Inject MetricsSource source;

  @GET
  public Map<String, Object> metrics(
      @PathParam("name") String name,
      @QueryParam("window") String window,
      @QueryParam("step") String step) {
    Names.ENDPOINT.require(name);
    long w = seconds("window", window, DEFAULT_WINDOW);
    long s = seconds("step", step, DEFAULT_STEP);
    long max = source.maxWindow().toSeconds();
    if (w > max) {
      throw ApiException.badRequest(
          "window = " + window + " (" + w + " s): at most " + max + " s here");
    }
    if (s > w) {
      throw ApiException.badRequest(
          "step = " + step + " (" + s + " s): at most the window (" + w + " s)");
    }
    EndpointView e = endpoints.endpoint(name); // 404 when there is none
    List<String> deployments = List.copyOf(e.deployments().keySet());
    return Views.metrics(source.read(new Query(name, deployments, w, s)));
  }

  /**
   * A duration in whole seconds, at least 1: {@code 15m}, {@code 90s}, {@code 1h}, {@code 1m30s}, a
   * bare number of seconds, or ISO-8601 ({@code PT5M}); absent is {@code byDefault}.
   */
  static long seconds(String param, String value, Duration byDefault) {
    if (value == null || value.isBlank()) {
      return byDefault.toSeconds();
    }
    Duration d = parse(value.trim());
    if (d == null || d.isNegative() || d.isZero() || d.getNano() != 0) {
      throw ApiException.badRequest(
          param
              + " = "
              + value
              + ": give a whole number of seconds of at least 1 s, as 15m, 90s, 1h, 1m30s or"
              + " PT5M");
    }
    return d.toSeconds();
  }

  private static Duration parse(String v) {
    if (v.regionMatches(true, 0, "P", 0, 1)) {
      try {
        return Duration.parse(v.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    Matcher m = SHORT.matcher(v.toLowerCase(Locale.ROOT));
    if (v.isEmpty()
        || !m.matches()
        || (m.group(1) == null && m.group(2) == null && m.group(3) == null)) {
      return null;
    }
    long h = m.group(1) == null ? 0 : Long.parseLong(m.group(1));
    long min = m.group(2) == null ? 0 : Long.parseLong(m.group(2));
    long sec = m.group(3) == null ? 0 : Long.parseLong(m.group(3));
    return Duration.ofHours(h).plusMinutes(min).plusSeconds(sec);
  }
}
