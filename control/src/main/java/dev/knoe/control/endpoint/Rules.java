package dev.knoe.control.endpoint;

import dev.knoe.control.spec.AuthMode;
import dev.knoe.control.spec.EndpointSpec;
import dev.knoe.control.spec.SpecParser;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules every backend applies to endpoint and deployment changes, with their messages: written
 * once here, called by {@link LocalEndpoints} and {@link ClusterEndpoints} with what each read.
 * Pure: each either returns or throws the {@link EndpointException} the client sees.
 */
public final class Rules {

  private Rules() {}

  // ---------------------------------------------------------------- If-Match

  /**
   * {@code If-Match} on something that exists: absent or {@code *} matches anything, else the tag
   * must be the current one (quotes and {@code W/} ignored).
   */
  public static void ifMatch(String what, String etag, String ifMatch) {
    if (ifMatch != null && !ifMatch.equals("*") && !unquote(ifMatch).equals(unquote(etag))) {
      throw new EndpointException.PreconditionFailed(
          what
              + " changed since you read it (ETag "
              + etag
              + ", If-Match "
              + ifMatch
              + "); read it again and retry");
    }
  }

  /** {@code If-Match} on something that does not exist: only absent or {@code *} may go on. */
  public static void ifMatchAbsent(String what, String ifMatch) {
    if (ifMatch != null && !ifMatch.equals("*")) {
      throw new EndpointException.PreconditionFailed(
          what + " does not exist, but If-Match " + ifMatch + " expects it to");
    }
  }

  private static String unquote(String tag) {
    return tag.trim().replaceFirst("^W/", "").replace("\"", "");
  }

  // ---------------------------------------------------------------- existence

  public static EndpointException.NotFound noEndpoint(String name, String where) {
    return new EndpointException.NotFound("no endpoint '" + name + "'" + where);
  }

  public static EndpointException.NotFound noDeployment(
      String endpoint, String name, Collection<String> known) {
    return new EndpointException.NotFound(
        "endpoint '" + endpoint + "' has no deployment '" + name + "'" + known(known));
  }

  /** {@code " (known: a, b)"}, or nothing: the names a typo was probably meant to be. */
  public static String known(Collection<String> names) {
    return names.isEmpty()
        ? ""
        : " (known: " + String.join(", ", names.stream().sorted().toList()) + ")";
  }

  /** A create-only request for an endpoint that exists. */
  public static EndpointException.Conflict endpointExists(String name) {
    return new EndpointException.Conflict(
        "endpoint '" + name + "' already exists; change it with 'knoe online-endpoint update'");
  }

  /** A create-only request for a deployment that exists. */
  public static EndpointException.Conflict deploymentExists(String endpoint, String name) {
    return new EndpointException.Conflict(
        "deployment '"
            + name
            + "' already exists on endpoint '"
            + endpoint
            + "'; change it with 'knoe online-deployment update'");
  }

  // ---------------------------------------------------------------- traffic and deployments

  /** Traffic and mirror traffic name only deployments the endpoint has. */
  public static void traffic(EndpointSpec spec, Set<String> deployments) {
    List<String> problems =
        SpecParser.checkTraffic(spec.name(), spec.traffic(), spec.mirrorTraffic(), deployments);
    if (!problems.isEmpty()) {
      throw new EndpointException.Invalid(String.join("; ", problems));
    }
  }

  /** An endpoint holds at most {@link SpecParser#MAX_DEPLOYMENTS}; updating one is always fine. */
  public static void deploymentLimit(String endpoint, Set<String> existing, String deployment) {
    SpecParser.checkDeploymentLimit(endpoint, existing, deployment)
        .ifPresent(
            m -> {
              throw new EndpointException.Invalid(m);
            });
  }

  /** No deletion of a deployment with live traffic or receiving mirrored traffic. */
  public static void deletable(
      String endpoint,
      String deployment,
      Map<String, Integer> traffic,
      Map<String, Integer> mirror) {
    boolean mirrored = mirror.getOrDefault(deployment, 0) > 0;
    SpecParser.checkDeletable(endpoint, deployment, traffic, mirrored)
        .ifPresent(
            m -> {
              throw new EndpointException.Conflict(m);
            });
  }

  // ---------------------------------------------------------------- credentials

  /** Keys are for key endpoints. */
  public static void keyAuth(String endpoint, AuthMode mode) {
    if (mode != AuthMode.KEY) {
      throw new EndpointException.Invalid(
          "endpoint '"
              + endpoint
              + "' uses auth_mode aml_token: get a"
              + " token with 'knoe online-endpoint get-credentials'");
    }
  }

  /** Tokens are for aml_token endpoints. */
  public static void tokenAuth(String endpoint, AuthMode mode) {
    if (mode != AuthMode.AML_TOKEN) {
      throw new EndpointException.Invalid(
          "endpoint '"
              + endpoint
              + "' uses auth_mode key: tokens are"
              + " for aml_token endpoints; use its keys");
    }
  }

  /**
   * {@code primary} or {@code secondary} (what {@code EndpointKeys.regenerate} refuses, as a 400).
   */
  public static <T> T keyType(java.util.function.Supplier<T> regenerate) {
    try {
      return regenerate.get();
    } catch (IllegalArgumentException e) {
      throw new EndpointException.Invalid(e.getMessage());
    }
  }
}
