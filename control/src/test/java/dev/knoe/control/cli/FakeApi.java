package dev.knoe.control.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A control API on loopback that answers canned responses by method and path and records every
 * request. Each route serves its responses in order and repeats the last; an unknown route is a 404
 * in the API's error shape.
 */
final class FakeApi implements AutoCloseable {

  /** A request as received; header names are case-insensitive. */
  record Request(
      String method, String path, String query, Map<String, String> headers, byte[] body) {

    String header(String name) {
      return headers.get(name);
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    JsonNode json() {
      try {
        return Json.parse(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** A canned answer. */
  record Response(int status, String contentType, String body, Map<String, String> headers) {

    static Response json(int status, String body) {
      return new Response(status, "application/json", body, Map.of());
    }

    static Response json(String body) {
      return json(200, body);
    }

    static Response text(String body) {
      return new Response(200, "text/plain", body, Map.of());
    }

    static Response error(int status, String message) {
      return json(status, "{\"error\": \"" + message + "\"}");
    }

    static Response noContent() {
      return new Response(204, null, "", Map.of());
    }

    Response etag(String etag) {
      return new Response(status, contentType, body, Map.of("ETag", etag));
    }
  }

  static {
    // Without TCP_NODELAY each answer waits ~40 ms for a delayed ACK (headers and body are two
    // writes); read once, when the JDK's server first starts.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final HttpServer server;
  private final Map<String, Deque<Response>> routes = new ConcurrentHashMap<>();
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

  FakeApi() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Answers {@code method path} (raw, without the query) with these responses in turn. */
  FakeApi on(String method, String path, Response... responses) {
    routes.put(method + " " + path, new ArrayDeque<>(List.of(responses)));
    return this;
  }

  List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  List<Request> requests(String method, String path) {
    return requests().stream()
        .filter(r -> r.method().equals(method) && r.path().equals(path))
        .toList();
  }

  /** The one request to {@code method path}; fails when there is none or several. */
  Request only(String method, String path) {
    List<Request> matching = requests(method, path);
    if (matching.size() != 1) {
      throw new AssertionError(
          matching.size() + " requests to " + method + " " + path + " in " + summary());
    }
    return matching.get(0);
  }

  /** {@code ["GET /api/v1/endpoints/e", ...]}, in order. */
  List<String> summary() {
    return requests().stream().map(r -> r.method() + " " + r.path()).toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      var headers = new TreeMap<String, String>(String.CASE_INSENSITIVE_ORDER);
      exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, String.join(",", v)));
      String path = exchange.getRequestURI().getRawPath();
      requests.add(
          new Request(
              exchange.getRequestMethod(),
              path,
              exchange.getRequestURI().getRawQuery(),
              headers,
              body));
      Response response = next(exchange.getRequestMethod() + " " + path);
      if (response.contentType() != null) {
        exchange.getResponseHeaders().set("Content-Type", response.contentType());
      }
      response.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
      byte[] out = response.body().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(response.status(), out.length == 0 ? -1 : out.length);
      if (out.length > 0) {
        exchange.getResponseBody().write(out);
      }
    }
  }

  private Response next(String route) {
    Deque<Response> queue = routes.get(route);
    if (queue == null) {
      return Response.error(404, "no route " + route);
    }
    synchronized (queue) {
      return queue.size() > 1 ? queue.poll() : queue.peek();
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
