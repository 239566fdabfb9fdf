package dev.knoe.scoring.grpc;

import dev.knoe.scoring.Metrics;
import dev.knoe.scoring.ScoringException;
import dev.knoe.scoring.auth.Authenticator;
import dev.knoe.scoring.auth.Credentials;
import dev.knoe.scoring.config.ScoringConfig;
import dev.knoe.spi.RequestHeaders;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * What the HTTP routes' common handler does, for gRPC calls: a request id on every answer, the
 * credential check ({@code authorization: Bearer ...} metadata, the same {@link Authenticator}),
 * the no-traffic answer and the refusal of another deployment's request. ServerLive and ServerReady
 * are open, as {@code /v2/health/*} is.
 */
@ApplicationScoped
public class Gate implements ServerInterceptor {

  private static final Logger LOG = Logger.getLogger(Gate.class);
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final Set<String> HEALTH = Set.of("ServerLive", "ServerReady");

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of(RequestHeaders.AUTHORIZATION, Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> REQUEST_ID =
      Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> DEPLOYMENT =
      Metadata.Key.of(RequestHeaders.DEPLOYMENT, Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> DEPLOYMENT_ALIAS =
      Metadata.Key.of(RequestHeaders.DEPLOYMENT_ALIAS, Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> CHALLENGE =
      Metadata.Key.of("www-authenticate", Metadata.ASCII_STRING_MARSHALLER);

  /** The call's request id, for the service's log lines. */
  static final Context.Key<String> ID = Context.key("knoe.request-id");

  @Inject ScoringConfig config;
  @Inject Credentials credentials;
  @Inject Metrics metrics;

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    long start = System.nanoTime();
    String id = requestId(headers.get(REQUEST_ID));
    String method = call.getMethodDescriptor().getBareMethodName();
    ServerCall<Q, A> tagged =
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          private boolean headersSent;

          @Override
          public void sendHeaders(Metadata answer) {
            headersSent = true;
            tag(answer, id);
            super.sendHeaders(answer);
          }

          @Override
          public void close(Status status, Metadata trailers) {
            if (!headersSent) { // a failed call has trailers only: the id goes there
              tag(trailers, id);
            }
            super.close(status, trailers);
          }
        };
    Optional<ScoringException> refused = refusal(headers, HEALTH.contains(method));
    if (refused.isPresent()) {
      ScoringException e = refused.get();
      Metadata trailers = new Metadata();
      tag(trailers, id);
      if (e.kind() == ScoringException.Kind.UNAUTHORIZED) {
        trailers.put(CHALLENGE, "Bearer");
      }
      Status status = GrpcStatus.of(e);
      LOG.infof("gRPC %s -> %s: %s [request %s]", method, status.getCode(), e.getMessage(), id);
      if (method.equals("ModelInfer")) {
        metrics.request(InferenceService.ROUTE, e.status(), System.nanoTime() - start);
      }
      call.close(status, trailers);
      return new ServerCall.Listener<>() {};
    }
    return Contexts.interceptCall(Context.current().withValue(ID, id), tagged, headers, next);
  }

  private Optional<ScoringException> refusal(Metadata headers, boolean health) {
    Optional<String> ambiguous = RequestHeaders.problem(name -> all(headers, name));
    if (ambiguous.isPresent()) {
      return Optional.of(new ScoringException(ScoringException.Kind.BAD_INPUT, ambiguous.get()));
    }
    if (health) {
      return Optional.empty();
    }
    if (config.noTrafficEndpoint().isPresent()) {
      String endpoint = config.noTrafficEndpoint().get();
      return Optional.of(ScoringException.noTraffic(endpoint, ""));
    }
    Optional<Authenticator> authenticator = credentials.authenticator();
    if (authenticator.isPresent()) {
      Optional<String> denied = authenticator.get().check(headers.get(AUTHORIZATION));
      if (denied.isPresent()) {
        return Optional.of(
            new ScoringException(
                ScoringException.Kind.UNAUTHORIZED,
                denied.get().replace("'Authorization: Bearer", "'authorization: Bearer")));
      }
    }
    String named =
        headers.containsKey(DEPLOYMENT) ? headers.get(DEPLOYMENT) : headers.get(DEPLOYMENT_ALIAS);
    if (named != null
        && config.deploymentName().isPresent()
        && !named.equals(config.deploymentName().get())) {
      return Optional.of(
          new ScoringException(
              ScoringException.Kind.MISDIRECTED,
              "this is deployment '" + config.deploymentName().get() + "', not '" + named + "'"));
    }
    return Optional.empty();
  }

  /** Every value of a metadata key, as RequestHeaders reads headers. */
  private static List<String> all(Metadata headers, String name) {
    Iterable<String> values =
        headers.getAll(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
    List<String> out = new ArrayList<>();
    if (values != null) {
      values.forEach(out::add);
    }
    return out;
  }

  private void tag(Metadata answer, String id) {
    answer.put(REQUEST_ID, id);
    config.deploymentName().ifPresent(d -> answer.put(DEPLOYMENT, d));
  }

  /** The caller's request id when it is sane, else a new random one (as on HTTP). */
  private static String requestId(String asked) {
    if (asked != null && SAFE_ID.matcher(asked).matches()) {
      return asked;
    }
    return Long.toHexString(ThreadLocalRandom.current().nextLong())
        + Long.toHexString(ThreadLocalRandom.current().nextLong());
  }
}
