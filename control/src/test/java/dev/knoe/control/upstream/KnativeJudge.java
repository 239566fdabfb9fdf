package dev.knoe.control.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Knative's own admission code as a judge: {@code upstream/knative-judge} (Knative Serving and
 * Eventing v0.50.0) runs {@code SetDefaults} and {@code Validate} on each object, as Knative's
 * webhooks do, with the feature flags the chart writes into Knative's {@code config-features}.
 */
public final class KnativeJudge {

  /**
   * What the judge said of one object: {@code ok}, {@code refused} or {@code warning}, and its
   * line.
   */
  public record Verdict(String outcome, String line) {}

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static Path config;

  private KnativeJudge() {}

  /**
   * Fails with Knative's own messages when it refuses any of {@code objects}; returns every
   * verdict.
   */
  public static List<Verdict> assertAccepted(List<? extends HasMetadata> objects) {
    return assertAccepted(
        objects.stream().map(Serialization::asYaml).collect(Collectors.joining("\n")));
  }

  /** The same for YAML documents (what {@code knoe render} prints). */
  public static List<Verdict> assertAccepted(String yaml) {
    List<Verdict> verdicts = judge(yaml);
    List<String> refused =
        verdicts.stream().filter(v -> v.outcome().equals("refused")).map(Verdict::line).toList();
    if (!refused.isEmpty()) {
      throw new AssertionError("Knative's validation refuses:\n" + String.join("\n", refused));
    }
    return verdicts;
  }

  /** Every verdict on the judged objects of {@code yaml} (other kinds are skipped by the judge). */
  public static List<Verdict> judge(String yaml) {
    try {
      Process p =
          new ProcessBuilder(
                  Upstream.binary("knative-judge").toString(), "--config", chartConfig().toString())
              .redirectErrorStream(false)
              .start();
      try (var in = p.getOutputStream()) {
        in.write(yaml.getBytes(StandardCharsets.UTF_8));
      }
      // Read both streams before waiting: a judge blocked on a full pipe would never exit.
      var err = new java.util.concurrent.CompletableFuture<String>();
      Thread reader =
          new Thread(
              () -> {
                try {
                  err.complete(
                      new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                  err.complete(e.toString());
                }
              });
      reader.setDaemon(true);
      reader.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("knative-judge did not finish in 60 s");
      }
      if (p.exitValue() == 2) {
        throw new IllegalStateException(
            "knative-judge could not read its input: " + err.join() + "\n" + yaml);
      }
      List<Verdict> verdicts = new ArrayList<>();
      for (String line : out.split("\n")) {
        if (!line.isBlank()) {
          verdicts.add(new Verdict(line.substring(0, line.indexOf(' ')), line));
        }
      }
      if (p.exitValue() == 1 && verdicts.stream().noneMatch(v -> v.outcome().equals("refused"))) {
        throw new IllegalStateException(
            "knative-judge failed without a refusal: " + out + err.join());
      }
      return verdicts;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Knative's {@code config-features} as the chart writes it ({@code knative.features} in its
   * values), so the judge allows exactly the pod-spec features a cluster with the chart allows. The
   * other ConfigMaps (defaults, autoscaler, broker defaults) are Knative's own defaults: the chart
   * does not change them.
   */
  static synchronized Path chartConfig() throws IOException {
    if (config == null) {
      JsonNode values = YAML.readTree(Upstream.ROOT.resolve("charts/knoe/values.yaml").toFile());
      Map<String, String> data = new LinkedHashMap<>();
      values
          .path("knative")
          .path("features")
          .fields()
          .forEachRemaining(e -> data.put(e.getKey(), e.getValue().asText()));
      Map<String, Object> cm =
          Map.of(
              "apiVersion",
              "v1",
              "kind",
              "ConfigMap",
              "metadata",
              Map.of("name", "config-features", "namespace", "knative-serving"),
              "data",
              data);
      config = Files.createTempFile("knoe-config-features", ".yaml");
      config.toFile().deleteOnExit();
      Files.writeString(config, YAML.writeValueAsString(cm));
    }
    return config;
  }
}
