package dev.knoe.spi;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The headers whose meaning would be ambiguous if a request carried them twice: the credential and
 * the deployment asked for. With two {@code Authorization} headers one server might check the first
 * and a proxy forward the second; with {@code azureml-model-deployment: blue} and {@code
 * knoe-deployment: green} one would silently win. Knoe's router and the scoring function refuse
 * such a request with 400 naming the header, judged here so both judge alike.
 */
public final class RequestHeaders {

  public static final String AUTHORIZATION = "authorization";

  /** The deployment a request asks for, as Azure ML names the header. */
  public static final String DEPLOYMENT = "azureml-model-deployment";

  /** Knoe's shorter alias of {@link #DEPLOYMENT}. */
  public static final String DEPLOYMENT_ALIAS = "knoe-deployment";

  private RequestHeaders() {}

  /**
   * Why the request's headers are ambiguous, or empty. {@code all} gives every value of a header
   * (lower-case name), an empty list when it is absent.
   */
  public static Optional<String> problem(Function<String, List<String>> all) {
    if (all.apply(AUTHORIZATION).size() > 1) {
      return Optional.of(
          "the request carries more than one Authorization header: send exactly one");
    }
    List<String> named = all.apply(DEPLOYMENT);
    List<String> alias = all.apply(DEPLOYMENT_ALIAS);
    if (named.size() + alias.size() > 1) {
      long distinct =
          java.util.stream.Stream.concat(named.stream(), alias.stream()).distinct().count();
      if (distinct > 1) {
        return Optional.of(
            "the request names more than one deployment in its "
                + DEPLOYMENT
                + " / "
                + DEPLOYMENT_ALIAS
                + " headers: name one");
      }
    }
    return Optional.empty();
  }
}
