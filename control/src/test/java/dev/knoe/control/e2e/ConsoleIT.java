package dev.knoe.control.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The web console in a real headless Chromium against a real {@code knoe serve} with real
 * instances: the safe rollout done from the console alone (models uploaded, endpoint and
 * deployments from YAML, traffic by sliders), with what the API then says checked beside it. Takes
 * the screenshots of docs/console/ on the way.
 */
class ConsoleIT {

  static final String REQUEST = SafeRolloutIT.REQUEST;

  /** A tag that would run if the console wrote server values as HTML. */
  static final String INJECTED =
      "<img src=x onerror=\"window.injected=1\"><script>window.injected=2</script>";

  @Test
  void safeRolloutFromTheConsole() throws Exception {
    Path data =
        Files.createTempDirectory(Path.of("target"), "console-").toAbsolutePath().resolve("data");
    try (KnoeServe serve = new KnoeServe(data, Map.of()).start();
        Browser b = new Browser()) {
      try {
        walk(serve, b);
      } catch (Throwable e) {
        b.dismissAnyConfirmation();
        b.screenshot("failure"); // what the page showed when the test gave up
        throw e;
      }
    }
  }

  private static void walk(KnoeServe serve, Browser b) throws Exception {
    String console = serve.uri("/").toString();

    // Sign-in: / leads to the console; a wrong key is refused and says so.
    b.open(console);
    b.waitFor(d -> d.getCurrentUrl().contains("/console/") ? true : null);
    b.byId("admin-key").sendKeys("not-the-admin-key");
    b.byId("sign-in-button").click();
    assertTrue(b.textOf("sign-in-error", "refused").contains("401"));
    b.screenshot("sign-in");
    b.byId("admin-key").clear();
    b.byId("admin-key").sendKeys(serve.adminKey());
    b.byId("sign-in-button").click();
    b.byId("endpoint-list");
    assertEquals(serve.adminKey(), b.script("return sessionStorage.getItem('knoe.adminKey')"));
    assertEquals("", b.script("return document.cookie"), "no cookie is set");

    // Models: both uploaded with the file input; the page shows versions and sha256.
    b.byId("nav-models").click();
    upload(b, "model-1", KnoeServe.SAMPLES.resolve("models/model-1/model/model.onnx"));
    upload(b, "model-2", KnoeServe.SAMPLES.resolve("models/model-2/model/model.onnx"));
    JsonNode m2 = serve.ok("GET", "/api/v1/models/model-2/versions/1", null);
    b.textOf("models-table", m2.get("sha256").asText().substring(0, 16));

    // Endpoint from YAML: a refused spec shows the API's problem beside its line.
    b.byId("nav-endpoints").click();
    editorText(b, "endpoint-yaml-text", "name: my-endpoint\nauth_mode: magic\n");
    b.byId("create-endpoint").click();
    assertTrue(b.textOf("endpoint-yaml-problems", "line 2:").contains("auth_mode 'magic'"));
    assertEquals("2", b.find("#endpoint-yaml-gutter .bad").getText(), "the refused line is marked");
    b.screenshot("endpoints-yaml-problem");
    editorText(
        b,
        "endpoint-yaml-text",
        "name: my-endpoint\nauth_mode: key\ndescription: Console walk-through\ntags:\n  note: '"
            + INJECTED
            + "'\n");
    b.byId("create-endpoint").click();
    b.textOf("endpoint-name", "my-endpoint");
    assertEquals(
        "key", serve.ok("GET", "/api/v1/endpoints/my-endpoint", null).get("auth_mode").asText());

    // The tag holding markup is shown as text and ran nothing.
    assertTrue(b.textOf("fact-tags", "<script>").contains(INJECTED));
    assertNull(b.script("return window.injected"), "the injected markup did not run");

    // Blue (model-1) and green (model-2) from YAML, each at 0 % until the sliders move.
    deploy(b, "blue", "model-1");
    deploy(b, "green", "model-2");
    b.screenshot("endpoint");

    // Sliders: blue to 100 with the keyboard (End), applied; then green to 10 (blue follows to
    // 90).
    slider(b, "blue", Keys.END);
    b.byId("apply-traffic").click();
    awaitTraffic(serve, Map.of("blue", 100));

    // Mirror 20 % of blue's traffic to green (its slider goes up to 50), then stop mirroring.
    new Select(b.byId("mirror-deployment")).selectByValue("green");
    b.byId("mirror-percent").sendKeys(Keys.END);
    assertEquals("50", b.byId("mirror-percent").getAttribute("value"), "at most 50 %");
    for (int i = 0; i < 30; i++) {
      b.byId("mirror-percent").sendKeys(Keys.ARROW_LEFT);
    }
    b.byId("apply-traffic").click();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertEquals(
                    KnoeServe.JSON.valueToTree(Map.of("green", 20)),
                    serve.ok("GET", "/api/v1/endpoints/my-endpoint", null).get("mirror_traffic")));
    new Select(b.byId("mirror-deployment")).selectByValue("");
    slider(b, "green", Keys.HOME);
    for (int i = 0; i < 10; i++) {
      slider(b, "green", Keys.ARROW_RIGHT);
    }
    assertEquals("90", b.byId("traffic-blue").getAttribute("value"), "the sum stays 100");
    b.screenshot("traffic-sliders");
    b.byId("apply-traffic").click();
    awaitTraffic(serve, Map.of("blue", 90, "green", 10));
    String key =
        serve.ok("GET", "/api/v1/endpoints/my-endpoint/keys", null).get("primaryKey").asText();

    // A change made elsewhere meanwhile is shown, not overwritten.
    slider(b, "green", Keys.ARROW_RIGHT); // 11, not applied yet
    serve.ok(
        "PUT",
        "/api/v1/endpoints/my-endpoint",
        "{\"name\":\"my-endpoint\",\"traffic\":{\"blue\":80,\"green\":20}}");
    b.byId("apply-traffic").click();
    assertTrue(b.textOf("traffic-error", "changed elsewhere").contains("blue 80 %, green 20 %"));
    awaitTraffic(serve, Map.of("blue", 80, "green", 20));
    b.byId("reset-traffic").click();
    b.waitFor(d -> "80".equals(b.byId("traffic-blue").getAttribute("value")) ? true : null);

    // Live charts move under load: requests/s of both deployments above zero.
    AtomicBoolean loading = new AtomicBoolean(true);
    AtomicInteger failed = new AtomicInteger();
    Thread load =
        new Thread(
            () -> {
              while (loading.get()) {
                try {
                  if (serve.score("my-endpoint", key, null, REQUEST).statusCode() != 200) {
                    failed.incrementAndGet();
                  }
                } catch (Exception e) {
                  failed.incrementAndGet();
                }
              }
            });
    load.start();
    try {
      b.byId("tab-charts").click();
      for (String d : new String[] {"blue", "green"}) {
        b.waitFor(
            Duration.ofSeconds(30),
            x -> {
              String last =
                  b.attribute(
                      "#chart-" + d + "-rps [data-series=requests_per_second]", "data-last");
              return !last.isEmpty() && Double.parseDouble(last) > 0 ? true : null;
            });
      }
      b.find("#chart-blue-latency [data-series=latency_p50_ms]");
      // The last minute, with some seconds of load in it, for the screenshot.
      new Select(b.byId("charts-window")).selectByValue("1m");
      Thread.sleep(8000);
      b.waitFor(
          x ->
              b.attribute("#chart-green-rps svg", "aria-label") != null
                      && b.find("#chart-green-rps text:nth-of-type(3)").getText().endsWith(" s")
                  ? true
                  : null);
      for (String series : new String[] {"errors_4xx_per_second", "errors_5xx_per_second"}) {
        assertEquals(
            "0",
            b.attribute("#chart-blue-errors [data-series=" + series + "]", "data-last"),
            series + ": no error under load (HTTP/2 answers are not taken for hang-ups)");
      }
      b.screenshot("charts");
    } finally {
      loading.set(false);
      load.join();
    }
    assertEquals(0, failed.get(), "no request failed while the sliders moved");

    // Test: green by header answers green's result.
    b.byId("tab-test").click();
    b.waitFor(d -> b.byId("test-body").getAttribute("value").contains("data") ? true : null);
    new Select(b.byId("test-target")).selectByValue("green");
    WebElement body = b.byId("test-body");
    body.clear();
    body.sendKeys(REQUEST);
    b.byId("test-send").click();
    assertEquals("200", b.textOf("test-status", "200"));
    assertEquals("green", b.textOf("test-deployment", "green"));
    assertEquals(
        KnoeServe.JSON.readTree(SafeRolloutIT.GREEN_ANSWER),
        KnoeServe.JSON.readTree(b.byId("test-answer").getText()));
    b.screenshot("test");

    // An input named with markup: green refuses it (400, shown) and logs it; both as text below.
    String marked = "<img src=x onerror=window.injected=3>";
    body.clear();
    body.sendKeys("{\"inputs\": {\"" + marked + "\": [[1]]}}");
    b.byId("test-send").click();
    assertEquals("400", b.textOf("test-status", "400"));
    assertTrue(b.textOf("test-answer", "unknown input").contains(marked));

    // Consume: snippets with the endpoint's scoring URI.
    b.byId("tab-consume").click();
    String uri = serve.ok("GET", "/api/v1/endpoints/my-endpoint", null).get("scoring_uri").asText();
    assertTrue(b.textOf("snippet-curl", uri).contains("Authorization: Bearer $KNOE_KEY"));
    assertTrue(b.textOf("snippet-python", uri).contains("requests.post"));
    assertTrue(b.textOf("snippet-java", uri).contains("HttpClient"));
    b.screenshot("consume");

    // Logs: an instance's log lines, followed.
    b.byId("tab-logs").click();
    new Select(b.byId("logs-deployment")).selectByValue("green");
    b.waitFor(Duration.ofSeconds(30), d -> b.byId("logs").getText().contains(marked) ? true : null);
    assertNull(b.script("return window.injected"), "the logged markup did not run");
    b.screenshot("logs");

    // Keys: shown on request; regenerating the primary one refuses the old key from then on.
    b.byId("tab-overview").click();
    b.byId("show-keys").click();
    assertEquals(key, b.textOf("primary-key", key));
    b.byId("regenerate-primary").click();
    b.acceptConfirmation();
    String newKey =
        b.waitFor(
            d -> {
              String k = b.byId("primary-key").getText();
              return k.equals(key) ? null : k;
            });
    assertNotEquals(key, newKey);
    assertEquals(
        newKey,
        serve.ok("GET", "/api/v1/endpoints/my-endpoint/keys", null).get("primaryKey").asText());
    assertEquals(401, serve.score("my-endpoint", key, null, REQUEST).statusCode());
    assertEquals(200, serve.score("my-endpoint", newKey, null, REQUEST).statusCode());

    // The safe rollout's end: all to green, then blue deleted with confirmation.
    slider(b, "green", Keys.END);
    b.byId("apply-traffic").click();
    awaitTraffic(serve, Map.of("green", 100));
    b.find("tr[data-deployment=blue] button.danger").click();
    b.acceptConfirmation();
    b.waitFor(
        Duration.ofSeconds(60),
        d ->
            b.driver.findElements(By.cssSelector("tr[data-deployment=blue]")).isEmpty()
                ? true
                : null);
    assertEquals(
        200,
        serve.api("GET", "/api/v1/endpoints/my-endpoint/deployments/green", null).statusCode());
    assertEquals(
        404, serve.api("GET", "/api/v1/endpoints/my-endpoint/deployments/blue", null).statusCode());

    // Models page: which deployment uses what.
    b.byId("nav-models").click();
    b.textOf("models-table", "my-endpoint/green");
    b.screenshot("models");

    // Sign-out forgets the key.
    b.byId("sign-out").click();
    b.byId("admin-key");
    assertNull(b.script("return sessionStorage.getItem('knoe.adminKey')"));
    assertFalse(b.byId("nav").isDisplayed());
    assertEquals(List.of(), b.refusedByPolicy(), "the console runs under its own policy");
  }

  private static void upload(Browser b, String name, Path file) {
    b.byId("model-name").clear();
    b.byId("model-name").sendKeys(name);
    b.byId("model-file").sendKeys(file.toString());
    b.byId("upload-model").click();
    b.textOf("upload-status", "Registered " + name + ":1");
    b.textOf("models-table", name);
  }

  /** Replaces the editor's text as a user would (select all, type). */
  private static void editorText(Browser b, String id, String text) {
    WebElement area = b.byId(id);
    area.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
    // Sent as keystrokes: the text holds no tab (the editor's Tab key would insert spaces).
    area.sendKeys(text);
  }

  private static void deploy(Browser b, String name, String model) {
    editorText(
        b,
        "deployment-yaml-text",
        "name: "
            + name
            + "\nendpoint_name: my-endpoint\nmodel: azureml:"
            + model
            + ":1\ninstance_type: cpu-small\ninstance_count: 1\n");
    b.byId("create-deployment").click();
    b.waitFor(
        Duration.ofSeconds(120),
        d -> {
          var row = d.findElements(By.cssSelector("tr[data-deployment=" + name + "]"));
          return !row.isEmpty()
                  && row.get(0).getText().contains("Succeeded")
                  && row.get(0).findElement(By.className("instances")).getText().equals("1 / 1")
              ? true
              : null;
        });
  }

  private static void slider(Browser b, String deployment, Keys key) {
    b.waitFor( // found again if the page redrew it (a stale element was not sent the key)
        d -> {
          d.findElement(By.id("traffic-" + deployment)).sendKeys(key);
          return true;
        });
  }

  private static void awaitTraffic(KnoeServe serve, Map<String, Integer> expected) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonNode t = serve.ok("GET", "/api/v1/endpoints/my-endpoint", null).get("traffic");
              assertEquals(KnoeServe.JSON.valueToTree(expected), t);
            });
  }
}
