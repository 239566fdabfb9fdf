package dev.knoe.control.router;

/**
 * Takes a request in, or answers 429 when its deployment already holds 2 x
 * max_concurrent_requests_per_instance x instances requests (waiting or in flight; see {@link
 * Pool#admit}). A request taken in names its deployment in the answer's headers, and from here has
 * request_timeout_ms to be answered.
 */
final class Admit implements Step {

  private final Step next;

  Admit(Step next) {
    this.next = next;
  }

  @Override
  public void handle(Exchange ex) {
    RouteTable.DeploymentRoute route = ex.route;
    Pool pool = route.pool();
    int perInstance = 2 * route.maxConcurrentPerInstance();
    if (!pool.admit(perInstance, ex.start)) {
      ex.refuse(
          429,
          "too many pending requests for deployment '"
              + ex.deployment
              + "': the limit is 2 x max_concurrent_requests_per_instance ("
              + route.maxConcurrentPerInstance()
              + ") x instances ("
              + pool.capacityInstances()
              + ") = "
              + pool.limit(perInstance),
          ex.deployment);
      return;
    }
    ex.ctx.response().putHeader(DataPlane.DEPLOYMENT_HEADER, ex.deployment);
    // A gRPC call keeps its path: the service's, with the endpoint in a header.
    ex.path = ex.grpc ? ex.ctx.request().uri() : upstreamPath(ex.ctx.request().uri(), ex.endpoint);
    ex.admitted();
    next.handle(ex);
  }

  /** {@code /endpoints/<endpoint>/score?x=1} -> {@code /score?x=1}; nothing after -> {@code /}. */
  static String upstreamPath(String uri, String endpoint) {
    String prefix = "/endpoints/" + endpoint;
    String rest = uri.length() > prefix.length() ? uri.substring(prefix.length()) : "/";
    return rest.isEmpty() || rest.startsWith("?") ? "/" + rest : rest;
  }
}
