package dev.knoe.control.cluster.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.control.cluster.AuthSecrets;
import dev.knoe.control.cluster.OnlineEndpoint;
import dev.knoe.control.credentials.EndpointKeys;
import dev.knoe.control.knative.KnativeNames;
import dev.knoe.control.knative.KnativeRenderer;
import dev.knoe.control.knative.RenderSettings;
import dev.knoe.control.spec.EndpointSpec;
import dev.knoe.control.spec.SpecParser;
import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The wanted objects, built without a cluster. */
class DesiredTest {

  static final KnativeRenderer RENDERER = new KnativeRenderer(RenderSettings.defaults("knoe"));

  static OnlineEndpoint cr() {
    OnlineEndpoint cr = new OnlineEndpoint();
    cr.setMetadata(
        new ObjectMetaBuilder()
            .withName("my-endpoint")
            .withNamespace("knoe")
            .withUid("u-1")
            .build());
    return cr;
  }

  static EndpointSpec endpoint(Map<String, Object> extra) {
    Map<String, Object> yaml = new java.util.LinkedHashMap<>(Map.of("name", "my-endpoint"));
    yaml.putAll(extra);
    return SpecParser.endpoint(yaml, null, List.of()).spec();
  }

  static void assertOwned(HasMetadata o) {
    OwnerReference ref = o.getMetadata().getOwnerReferences().get(0);
    assertEquals(
        List.of("knoe.dev/v1alpha1", "OnlineEndpoint", "my-endpoint", "u-1", true),
        List.of(
            ref.getApiVersion(), ref.getKind(), ref.getName(), ref.getUid(), ref.getController()),
        o.getKind());
  }

  @Test
  void theServiceIsTheRenderersOwnedByTheEndpoint() {
    EndpointSpec e = endpoint(Map.of());
    var template = RENDERER.noTrafficTemplate(e);
    var traffic = RENDERER.traffic(e, Map.of());
    var s = Desired.service(RENDERER, cr(), e, template, traffic);
    assertOwned(s);
    assertEquals(RENDERER.service(e, template, traffic).getSpec(), s.getSpec());
    assertEquals("my-endpoint", s.getMetadata().getName());
  }

  @Test
  void triggersByNameInTheSpecsOrderDeliveringToTheTokensPath() {
    EndpointSpec e =
        endpoint(
            Map.of(
                "triggers",
                List.of(
                    Map.of("filter", Map.of("type", "b")),
                    Map.of("broker", "other", "filter", Map.of("type", "a")))));
    Map<String, Trigger> ts = Desired.triggers(RENDERER, cr(), e, "t0k3n");
    assertEquals(
        List.of(
            KnativeNames.trigger("my-endpoint", "default", Map.of("type", "b")),
            KnativeNames.trigger("my-endpoint", "other", Map.of("type", "a"))),
        List.copyOf(ts.keySet()));
    ts.values().forEach(DesiredTest::assertOwned);
    ts.values().forEach(t -> assertEquals("/events/t0k3n", t.getSpec().getSubscriber().getUri()));
  }

  @Test
  void theRoutingConfigMapIsInTheRunsNamespaceLabelledWithTheResourceName() {
    ConfigMap cm = Desired.routing(RENDERER, cr(), endpoint(Map.of()), "elsewhere");
    assertEquals("elsewhere", cm.getMetadata().getNamespace());
    assertEquals("my-endpoint-routing", cm.getMetadata().getName());
    assertEquals("my-endpoint", cm.getMetadata().getLabels().get(KnativeRenderer.LABEL_ENDPOINT));
    assertEquals(Map.of("mirror.json", "{}"), cm.getData());
    assertOwned(cm);
  }

  @Test
  void theAuthSecretHoldsTheKeysGivenTheTokenKeyAndTheEventsToken() {
    String token = Base64.getEncoder().encodeToString("ev\n".getBytes(StandardCharsets.UTF_8));
    Secret s =
        Desired.authSecret(
            cr(), endpoint(Map.of()), "knoe", new EndpointKeys("k1", "k2"), "PEM", token);
    assertEquals("my-endpoint-auth", s.getMetadata().getName());
    assertEquals("knoe", s.getMetadata().getNamespace());
    assertEquals("Opaque", s.getType());
    assertEquals(
        Map.of(Desired.MANAGED_BY, "knoe", KnativeRenderer.LABEL_ENDPOINT, "my-endpoint"),
        s.getMetadata().getLabels());
    assertOwned(s);
    assertEquals(new EndpointKeys("k1", "k2"), AuthSecrets.keys(s.getData()).orElseThrow());
    assertEquals("ev", AuthSecrets.eventsToken(s.getData()).orElseThrow());
    assertEquals(
        "PEM",
        new String(
            Base64.getDecoder().decode(s.getData().get(KnativeRenderer.TOKEN_KEY_FILE)),
            StandardCharsets.UTF_8));
  }

  @Test
  void anEmptyTokenKeyIsAnEmptyFileNotAMissingOne() {
    Secret s =
        Desired.authSecret(
            cr(), endpoint(Map.of()), "knoe", new EndpointKeys("k1", "k2"), "", "ZXY=");
    assertTrue(s.getData().containsKey(KnativeRenderer.TOKEN_KEY_FILE));
    assertEquals("", s.getData().get(KnativeRenderer.TOKEN_KEY_FILE));
  }
}
