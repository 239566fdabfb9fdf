package dev.knoe.control.cluster;

import static dev.knoe.control.cluster.ClusterFixture.NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.jackson.JsonFormat;
import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.serving.v1.RevisionTemplateSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Triggered events, end to end as far as this machine goes: the reconciler (on the real API server)
 * makes the endpoint's Trigger, auth Secret and revision template; the scoring function then runs
 * as a real process with exactly that template's environment and the Secret's files where the pod
 * would mount them; and CloudEvents written by the CloudEvents Java SDK, structured and binary, are
 * delivered as a Broker delivers them: to the Trigger's subscriber (the Service's address with its
 * relative URI resolved against it), with no Authorization header. No Broker runs here: the
 * delivery is the one step played by the test.
 */
class TriggeredEventsIT {

  static final Path SCORING =
      Path.of(System.getProperty("scoring.home", "../scoring-function")).toAbsolutePath();
  static final Path MODEL =
      Path.of(System.getProperty("samples.dir", "../samples"))
          .toAbsolutePath()
          .resolve("models/model-1");

  @TempDir Path pod;
  ClusterFixture f;
  Process scoring;
  int port;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeEach
  void endpointWithATriggerRunning() throws Exception {
    f = new ClusterFixture();
    f.applyEndpoint(Map.of("blue", 100));
    f.editEndpoint(
        s ->
            s.put(
                "triggers",
                List.of(
                    Map.of(
                        "broker",
                        "default",
                        "filter",
                        Map.of("type", "com.example.order.created")))));
    f.applyDeployment("blue");
    f.converge();

    // The pod: the template's container, its Secret and ConfigMap volumes as files.
    RevisionTemplateSpec template = f.service().getSpec().getTemplate();
    Container container = template.getSpec().getContainers().get(0);
    Secret secret = f.client.secrets().inNamespace(NS).withName("my-endpoint-auth").get();
    Path auth = Files.createDirectories(pod.resolve("auth"));
    secret.getData().forEach((k, v) -> write(auth.resolve(k), Base64.getDecoder().decode(v)));
    Path routing = Files.createDirectories(pod.resolve("routing"));
    f.client
        .configMaps()
        .inNamespace(NS)
        .withName("my-endpoint-routing")
        .get()
        .getData()
        .forEach((k, v) -> write(routing.resolve(k), v.getBytes(StandardCharsets.UTF_8)));
    Map<String, String> mounts = new HashMap<>();
    container
        .getVolumeMounts()
        .forEach(
            m ->
                mounts.put(
                    m.getMountPath(),
                    switch (m.getName()) {
                      case "auth" -> auth.toString();
                      case "routing" -> routing.toString();
                      case "models" -> MODEL.resolve("model").toString();
                      default ->
                          throw new IllegalStateException(
                              "a volume this test does not mount: " + m.getName());
                    }));

    port = freePort();
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            SCORING.resolve("target/quarkus-app/quarkus-run.jar").toString());
    pb.environment().clear();
    pb.environment().put("PATH", "/usr/bin:/bin");
    container
        .getEnv()
        .forEach(
            e -> {
              String value = e.getValue();
              for (var m : mounts.entrySet()) {
                value = value.replace(m.getKey(), m.getValue());
              }
              pb.environment().put(e.getName(), value);
            });
    pb.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
    pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
    pb.environment().put("KNOE_PARENT_PID", Long.toString(ProcessHandle.current().pid()));
    pb.redirectErrorStream(true).redirectOutput(pod.resolve("scoring.log").toFile());
    scoring = pb.start();
    Awaitility.await("the scoring function is ready")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(
            () -> {
              assertTrue(scoring.isAlive(), () -> log());
              return get("/v2/health/ready") == 200;
            });
  }

  @AfterEach
  void stop() throws Exception {
    if (scoring != null) {
      scoring.destroy();
      scoring.waitFor(10, TimeUnit.SECONDS);
    }
    f.close();
  }

  @Test
  void eventsDeliveredToTheTriggersSubscriberAreScoredWithoutAKey() throws Exception {
    Trigger trigger = f.knative.triggers().inNamespace(NS).list().getItems().get(0);
    // Eventing resolves the subscriber: the Service's address, with the relative URI resolved
    // against it.
    URI address =
        URI.create(
            "http://127.0.0.1:" + port); // stands for http://my-endpoint.knoe.svc.cluster.local
    assertEquals("Service", trigger.getSpec().getSubscriber().getRef().getKind());
    URI delivery = address.resolve(trigger.getSpec().getSubscriber().getUri());

    for (boolean structured : List.of(true, false)) {
      CloudEvent order =
          CloudEventBuilder.v1()
              .withId("order-" + structured)
              .withSource(URI.create("/shop"))
              .withType("com.example.order.created")
              .withDataContentType("application/json")
              .withData(
                  Files.readAllBytes(MODEL.resolveSibling("../requests/model-1.json").normalize()))
              .build();
      HttpResponse<byte[]> reply = deliver(delivery, order, structured);
      assertEquals(
          200,
          reply.statusCode(),
          (structured ? "structured" : "binary") + ": " + text(reply) + log());
      CloudEvent answer = event(reply);
      assertEquals("knoe.score.response", answer.getType());
      JsonNode expected =
          ClusterFixture.JSON.readTree(MODEL.resolve("expected.json").toFile()).get("response");
      assertEquals(expected, ClusterFixture.JSON.readTree(answer.getData().toBytes()));
    }

    // The token is the credential: a wrong one is refused, and the token opens nothing else.
    HttpResponse<byte[]> wrong =
        deliver(
            address.resolve("/events/not-the-token"),
            CloudEventBuilder.v1()
                .withId("x")
                .withSource(URI.create("/shop"))
                .withType("com.example.order.created")
                .build(),
            true);
    assertEquals(401, wrong.statusCode());
    String token = trigger.getSpec().getSubscriber().getUri().substring("/events/".length());
    HttpResponse<String> score =
        http.send(
            HttpRequest.newBuilder(address.resolve("/score"))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"data\": [[1,2,3,4,5,6,7,8,9,10]]}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(401, score.statusCode(), "the events token is no key");
    assertFalse(log().contains(token), "the token is never logged");
  }

  /**
   * As a Broker's filter delivers (Eventing v0.50.0): the event as the SDK writes it, the headers
   * the dispatcher adds ({@code Prefer: reply}, {@code Kn-Namespace}, trace context), no
   * Authorization.
   */
  HttpResponse<byte[]> deliver(URI uri, CloudEvent event, boolean structured) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(30))
            .header("Prefer", "reply")
            .header("Kn-Namespace", NS)
            .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    AtomicReference<byte[]> body = new AtomicReference<>(new byte[0]);
    var writer = HttpMessageFactory.createWriter(request::header, body::set);
    if (structured) {
      writer.writeStructured(event, JsonFormat.CONTENT_TYPE);
    } else {
      writer.writeBinary(event);
    }
    return http.send(
        request.POST(HttpRequest.BodyPublishers.ofByteArray(body.get())).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  static CloudEvent event(HttpResponse<byte[]> reply) {
    if (reply.headers().firstValue("ce-id").isPresent()) {
      return HttpMessageFactory.createReaderFromMultimap(reply.headers().map(), reply.body())
          .toEvent();
    }
    return EventFormatProvider.getInstance()
        .resolveFormat(JsonFormat.CONTENT_TYPE)
        .deserialize(reply.body());
  }

  int get(String path) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  String log() {
    try {
      return Files.readString(pod.resolve("scoring.log"));
    } catch (IOException e) {
      return e.toString();
    }
  }

  static String text(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  static void write(Path file, byte[] bytes) {
    try {
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
