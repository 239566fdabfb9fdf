package dev.knoe.control.cluster.resources;

import dev.knoe.control.cluster.AuthSecrets;
import dev.knoe.control.cluster.OnlineEndpoint;
import dev.knoe.control.credentials.EndpointKeys;
import dev.knoe.control.knative.KnativeNames;
import dev.knoe.control.knative.KnativeRenderer;
import dev.knoe.control.spec.EndpointSpec;
import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.serving.v1.RevisionTemplateSpec;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.TrafficTarget;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The objects the reconciler wants for one OnlineEndpoint, as pure functions of the custom resource
 * and its parsed spec (in the spirit of Knative's {@code resources.MakeK8sPlaceholderService}):
 * nothing here reads the cluster, the clock or a random source. What {@link KnativeRenderer}
 * renders (also for {@code knoe render}) is reused; what is added here is what only a cluster has:
 * the owner reference to the OnlineEndpoint, its namespace, the auth Secret.
 */
public final class Desired {

  /** The label that says Knoe made an object (the auth Secret). */
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  private Desired() {}

  /**
   * The controller reference every object made for {@code cr} carries, so a cluster's garbage
   * collector deletes them with it.
   */
  public static OwnerReference owner(OnlineEndpoint cr) {
    return new OwnerReferenceBuilder()
        .withApiVersion(KnativeRenderer.API_VERSION)
        .withKind("OnlineEndpoint")
        .withName(cr.getMetadata().getName())
        .withUid(cr.getMetadata().getUid())
        .withController(true)
        .build();
  }

  /**
   * The Knative Service, owned by {@code cr}.
   *
   * @param template the revision being written
   * @param traffic where requests go
   */
  public static Service service(
      KnativeRenderer renderer,
      OnlineEndpoint cr,
      EndpointSpec endpoint,
      RevisionTemplateSpec template,
      List<TrafficTarget> traffic) {
    Service s = renderer.service(endpoint, template, traffic);
    s.getMetadata().setOwnerReferences(List.of(owner(cr)));
    return s;
  }

  /**
   * The endpoint's Triggers by name, in the spec's order, owned by {@code cr}, each delivering to
   * {@code /events/<eventsToken>}.
   */
  public static Map<String, Trigger> triggers(
      KnativeRenderer renderer, OnlineEndpoint cr, EndpointSpec endpoint, String eventsToken) {
    Map<String, Trigger> triggers = new LinkedHashMap<>();
    for (var t : endpoint.triggers()) {
      Trigger trigger = renderer.trigger(endpoint, t, eventsToken);
      trigger.getMetadata().setOwnerReferences(List.of(owner(cr)));
      triggers.put(trigger.getMetadata().getName(), trigger);
    }
    return triggers;
  }

  /**
   * The routing ConfigMap (the mirror rule) in {@code namespace}, owned by {@code cr} and labelled
   * with its resource name, as the Triggers and the Secret are: clean-up finds Knoe's objects so.
   */
  public static ConfigMap routing(
      KnativeRenderer renderer, OnlineEndpoint cr, EndpointSpec endpoint, String namespace) {
    ConfigMap desired = renderer.routing(endpoint);
    desired.getMetadata().setNamespace(namespace);
    desired.getMetadata().setOwnerReferences(List.of(owner(cr)));
    desired
        .getMetadata()
        .getLabels()
        .put(KnativeRenderer.LABEL_ENDPOINT, cr.getMetadata().getName());
    return desired;
  }

  /**
   * A new auth Secret: both keys files always exist (the one the auth mode does not use is read by
   * nobody), so switching {@code auth_mode} needs no new Secret. The random parts come in as
   * arguments so this stays a function.
   *
   * @param keys the endpoint's two keys ({@link EndpointKeys#generate()})
   * @param tokenPublicKey the platform's PEM token verification key, or empty
   * @param eventsTokenData a new events token as Secret data ({@link
   *     AuthSecrets#newEventsTokenData()})
   */
  public static Secret authSecret(
      OnlineEndpoint cr,
      EndpointSpec endpoint,
      String namespace,
      EndpointKeys keys,
      String tokenPublicKey,
      String eventsTokenData) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(KnativeNames.authSecret(endpoint.name()))
        .withNamespace(namespace)
        .addToLabels(MANAGED_BY, "knoe")
        .addToLabels(KnativeRenderer.LABEL_ENDPOINT, cr.getMetadata().getName())
        .withOwnerReferences(owner(cr))
        .endMetadata()
        .withType("Opaque")
        .addToData(AuthSecrets.KEYS_FILE, AuthSecrets.keysData(keys))
        .addToData(
            KnativeRenderer.TOKEN_KEY_FILE,
            Base64.getEncoder().encodeToString(tokenPublicKey.getBytes(StandardCharsets.UTF_8)))
        .addToData(AuthSecrets.EVENTS_TOKEN_FILE, eventsTokenData)
        .build();
  }
}
