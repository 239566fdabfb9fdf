import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Traffic-switch latency of the Knoe router, run by bench/router.sh with single-file source launch:
 *
 * <pre>
 *   java bench/router/Switch.java BASE_URL ADMIN_KEY ENDPOINT_KEY ENDPOINT BODY_FILE FLIPS [FROM TO]
 * </pre>
 *
 * The endpoint must have all traffic on FROM (default blue) and a ready deployment TO (default
 * green). Each flip PUTs {@code /api/v1/endpoints/ENDPOINT} with {@code {"name":..,"traffic":{NEW:100}}}
 * and, from the moment the PUT's response has arrived, scores back to back until a response's
 * {@code azureml-model-deployment} header names NEW; that interval is the switch latency (it
 * includes the last request's own round trip). Flips alternate FROM -> TO -> FROM ...
 * The PUT goes through java.net.http; the scoring requests through a minimal keep-alive HTTP/1.1
 * client on a plain socket (TCP_NODELAY, one write per request), so that the client's own
 * overhead stays well below the router's. Before the flips it measures that client's steady
 * latency to each deployment (named by header), to compare the switch latency with.
 * Prints one line per flip and a final "SUMMARY key=value ..." line (ms).
 */
public class Switch {

  static final String HEADER = "azureml-model-deployment";
  static final long GIVE_UP_NS = 10_000_000_000L;

  public static void main(String[] a) throws Exception {
    if (a.length < 6) {
      System.err.println("usage: java Switch.java BASE_URL ADMIN_KEY ENDPOINT_KEY ENDPOINT BODY_FILE FLIPS [FROM TO]");
      System.exit(2);
    }
    String base = a[0].replaceAll("/$", "");
    String admin = a[1];
    String key = a[2];
    String endpoint = a[3];
    byte[] body = Files.readAllBytes(Path.of(a[4]));
    int flips = Integer.parseInt(a[5]);
    String from = a.length > 6 ? a[6] : "blue";
    String to = a.length > 7 ? a[7] : "green";

    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    URI scoreUri = URI.create(base + "/endpoints/" + endpoint + "/score");
    Scorer scorer = new Scorer(scoreUri, key, body);
    URI putUri = URI.create(base + "/api/v1/endpoints/" + endpoint);

    // Warm-up (not recorded): both deployments through the router by header, and the PUT path.
    for (String d : List.of(from, to)) {
      for (int i = 0; i < 3000; i++) {
        String got = scorer.score(d);
        if (!got.equals(d)) {
          throw new IllegalStateException("warm-up: asked for deployment " + d + " but " + got + " answered");
        }
      }
    }
    // Steady latency of one routed request to each deployment, for comparison.
    List<Double> baseFrom = new ArrayList<>();
    List<Double> baseTo = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      for (String d : List.of(from, to)) {
        long s = System.nanoTime();
        scorer.score(d);
        (d.equals(from) ? baseFrom : baseTo).add((System.nanoTime() - s) / 1e6);
      }
    }
    String current = scorer.score(null);
    if (!current.equals(from)) {
      throw new IllegalStateException("expected all traffic on '" + from + "' at the start, but '" + current + "' answered");
    }
    for (int i = 0; i < 6; i++) {
      String next = i % 2 == 0 ? to : from;
      put(client, putUri, admin, endpoint, next);
      waitFor(scorer, next);
    }

    List<Double> switchMs = new ArrayList<>();
    List<Double> putMs = new ArrayList<>();
    List<Double> lastReqMs = new ArrayList<>();
    int staleTotal = 0;
    int immediate = 0;
    for (int i = 0; i < flips; i++) {
      String next = i % 2 == 0 ? to : from;
      long t0 = System.nanoTime();
      put(client, putUri, admin, endpoint, next);
      long t1 = System.nanoTime(); // the PUT's response has arrived
      long[] w = waitFor(scorer, next);
      long t2 = w[0];
      int stale = (int) w[1];
      double sw = (t2 - t1) / 1e6;
      switchMs.add(sw);
      putMs.add((t1 - t0) / 1e6);
      lastReqMs.add(w[2] / 1e6);
      staleTotal += stale;
      if (stale == 0) {
        immediate++;
      }
      System.out.printf(Locale.ROOT, "flip %2d -> %-6s PUT %7.2f ms   switch %7.2f ms   stale responses %d   last request %6.2f ms%n",
          i + 1, next, (t1 - t0) / 1e6, sw, stale, w[2] / 1e6);
    }
    System.out.printf(Locale.ROOT,
        "SUMMARY flips=%d switch_p50=%.2f switch_p90=%.2f switch_max=%.2f put_p50=%.2f put_max=%.2f "
            + "stale_total=%d first_request_new=%d last_request_p50=%.2f base_%s_p50=%.3f base_%s_p50=%.3f%n",
        flips, pct(switchMs, 50), pct(switchMs, 90), max(switchMs), pct(putMs, 50), max(putMs), staleTotal, immediate,
        pct(lastReqMs, 50), from, pct(baseFrom, 50), to, pct(baseTo, 50));
  }

  /** Keep-alive HTTP/1.1 POSTs of one body on one socket; returns the deployment that answered. */
  static final class Scorer {
    final String host;
    final int port;
    final String head;
    final byte[] body;
    Socket socket;
    InputStream in;
    OutputStream out;

    Scorer(URI uri, String key, byte[] body) {
      this.host = uri.getHost();
      this.port = uri.getPort();
      this.body = body;
      this.head = "POST " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nAuthorization: Bearer " + key
          + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n";
    }

    /** One request, naming {@code deployment} in the header if not null; 200 expected. */
    String score(String deployment) throws IOException {
      if (socket == null) {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), 2000);
        socket.setSoTimeout(10_000);
        in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        out = socket.getOutputStream();
      }
      ByteArrayOutputStream req = new ByteArrayOutputStream(head.length() + body.length + 64);
      req.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
      if (deployment != null) {
        req.writeBytes((HEADER + ": " + deployment + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      }
      req.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
      req.writeBytes(body);
      req.writeTo(out);
      out.flush();
      String status = line();
      int code = Integer.parseInt(status.split(" ", 3)[1]);
      int length = -1;
      String served = "";
      boolean close = false;
      for (String h; !(h = line()).isEmpty(); ) {
        int colon = h.indexOf(':');
        String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = h.substring(colon + 1).trim();
        switch (name) {
          case "content-length" -> length = Integer.parseInt(value);
          case HEADER -> served = value;
          case "connection" -> close = value.equalsIgnoreCase("close");
          case "transfer-encoding" -> throw new IOException("chunked responses are not supported here");
          default -> { }
        }
      }
      if (length < 0) {
        throw new IOException("response without content-length: " + status);
      }
      byte[] content = in.readNBytes(length);
      if (content.length < length) {
        throw new EOFException("connection closed in the body");
      }
      if (close) {
        socket.close();
        socket = null;
      }
      if (code != 200) {
        throw new IllegalStateException("score answered " + status + ": " + new String(content, StandardCharsets.UTF_8));
      }
      return served;
    }

    private String line() throws IOException {
      StringBuilder sb = new StringBuilder();
      for (int c; (c = in.read()) != '\n'; ) {
        if (c < 0) {
          throw new EOFException("connection closed");
        }
        if (c != '\r') {
          sb.append((char) c);
        }
      }
      return sb.toString();
    }
  }

  static void put(HttpClient c, URI uri, String admin, String endpoint, String deployment) throws Exception {
    String json = "{\"name\":\"" + endpoint + "\",\"traffic\":{\"" + deployment + "\":100}}";
    HttpResponse<String> r = c.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("PUT " + uri + " answered " + r.statusCode() + ": " + r.body());
    }
  }

  /** Scores back to back until {@code deployment} answers: {arrival ns, stale responses, last request ns}. */
  static long[] waitFor(Scorer scorer, String deployment) throws Exception {
    long start = System.nanoTime();
    int stale = 0;
    while (true) {
      long s = System.nanoTime();
      String d = scorer.score(null);
      long now = System.nanoTime();
      if (d.equals(deployment)) {
        return new long[] {now, stale, now - s};
      }
      stale++;
      if (now - start > GIVE_UP_NS) {
        throw new IllegalStateException("traffic did not move to '" + deployment + "' within 10 s (" + stale
            + " responses from '" + d + "')");
      }
    }
  }

  static double pct(List<Double> v, int p) {
    List<Double> s = new ArrayList<>(v);
    Collections.sort(s);
    int i = (int) Math.ceil(p / 100.0 * s.size()) - 1; // nearest rank
    return s.get(Math.max(0, Math.min(s.size() - 1, i)));
  }

  static double max(List<Double> v) {
    return Collections.max(v);
  }
}
