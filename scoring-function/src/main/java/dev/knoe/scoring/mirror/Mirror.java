package dev.knoe.scoring.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.knoe.scoring.auth.WatchedFile;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntSupplier;
import org.jboss.logging.Logger;

/**
 * Mirror traffic on a cluster: a share of the requests this deployment answers is copied to another
 * deployment of the endpoint, whose answer is dropped. The rule is a file (a ConfigMap mounted in
 * every revision, {@code {"deployment": "green", "url":
 * "http://green-my-endpoint.ns.svc.cluster.local", "percent": 10}}, or {@code {}} for none) re-read
 * when it changes, so changing the mirror makes no new revision.
 *
 * <p>Never mirrored: requests that name a deployment (the tag header, as Azure skips requests with
 * the deployment header), copies themselves, and anything when this deployment is the mirror.
 */
public final class Mirror {

  /** The rule in the file; {@code url} null means no mirror. */
  record Rule(String deployment, URI url, int percent) {
    static final Rule NONE = new Rule(null, null, 0);
  }

  static final String COPY_HEADER = "knoe-mirrored";
  private static final Logger LOG = Logger.getLogger(Mirror.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> NOT_COPIED =
      Set.of(
          "host",
          "content-length",
          "connection",
          "transfer-encoding",
          "knative-serving-tag",
          "azureml-model-deployment",
          "knoe-deployment");

  private final WatchedFile<Rule> rule;
  private final String self;
  private final HttpClient client;
  private final IntSupplier dice;

  /**
   * @param self this deployment's name, or null
   * @param dice a number in 0..99 per request
   */
  Mirror(Path file, String self, Vertx vertx, IntSupplier dice) {
    this.rule = new WatchedFile<>(file, Mirror::parse, System::nanoTime, 1_000_000_000L);
    this.self = self;
    this.dice = dice;
    // A slow or sleeping mirror must not pile up copies: a few connections, a short queue, and a
    // copy that finds both full is dropped.
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setConnectTimeout(2000),
            new io.vertx.core.http.PoolOptions().setHttp1MaxSize(8).setMaxWaitQueueSize(32));
  }

  public Mirror(Path file, String self, Vertx vertx) {
    this(file, self, vertx, () -> ThreadLocalRandom.current().nextInt(100));
  }

  static Rule parse(byte[] content) throws Exception {
    JsonNode n = JSON.readTree(content);
    if (n == null || n.isEmpty() || !n.hasNonNull("url")) {
      return Rule.NONE;
    }
    int percent = n.path("percent").asInt(0);
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("percent = " + percent + ", must be between 0 and 100");
    }
    URI url = URI.create(n.get("url").asText());
    if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())
        || url.getHost() == null) {
      throw new IllegalArgumentException("url " + url + " is not an http(s) URL with a host");
    }
    return new Rule(n.path("deployment").asText(null), url, percent);
  }

  /** Whether this request is copied, given its headers; decides once per request. */
  boolean chosen(MultiMap headers) {
    Rule r = rule.get();
    if (r.url() == null || r.percent() == 0 || (self != null && self.equals(r.deployment()))) {
      return false;
    }
    if (headers.contains(COPY_HEADER)
        || headers.contains("knative-serving-tag")
        || headers.contains("azureml-model-deployment")
        || headers.contains("knoe-deployment")) {
      return false;
    }
    return dice.getAsInt() < r.percent();
  }

  /** Sends a copy when the rule says so; never waits for it and never fails the caller. */
  public void maybeCopy(String path, MultiMap headers, Buffer body) {
    if (!chosen(headers)) {
      return;
    }
    Rule r = rule.get();
    URI u = r.url();
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setHost(u.getHost())
            .setPort(u.getPort() > 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80)
            .setSsl("https".equals(u.getScheme()))
            .setURI(path)
            .setIdleTimeout(30_000);
    headers.forEach(
        e -> {
          if (!NOT_COPIED.contains(e.getKey().toLowerCase(Locale.ROOT))) {
            options.addHeader(e.getKey(), e.getValue());
          }
        });
    options.addHeader(COPY_HEADER, "1");
    client
        .request(options)
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().map(b -> resp.statusCode()))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                LOG.debugf("mirror copy to %s failed: %s", u, ar.cause().getMessage());
              }
            });
  }
}
