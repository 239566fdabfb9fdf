package dev.knoe.control.router;

import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Chooses the deployment that answers: the one named in the {@code azureml-model-deployment} header
 * (or its alias {@code knoe-deployment}), else one drawn by the endpoint's traffic split. 503 while
 * the endpoint is being created, 404 for a deployment it does not have or when no deployment has
 * traffic.
 */
final class ChooseDeployment implements Step {

  private final Step next;

  ChooseDeployment(Step next) {
    this.next = next;
  }

  @Override
  public void handle(Exchange ex) {
    RouteTable table = ex.table;
    String endpoint = ex.endpoint;
    if (table.creating()) {
      ex.refuse(503, "endpoint '" + endpoint + "' is being created", null);
      return;
    }
    HttpServerRequest req = ex.ctx.request();
    String named = req.getHeader(DataPlane.DEPLOYMENT_HEADER);
    if (named == null) {
      named = req.getHeader(DataPlane.DEPLOYMENT_HEADER_ALIAS);
    }
    String deployment;
    if (named != null) {
      if (!table.deployments().containsKey(named)) {
        ex.refuse(
            404,
            "endpoint '"
                + endpoint
                + "' has no deployment '"
                + named
                + "' (deployments: "
                + String.join(", ", table.deployments().keySet())
                + ")",
            null);
        return;
      }
      deployment = named;
    } else {
      deployment = table.deploymentFor(ThreadLocalRandom.current().nextInt(100));
      if (deployment == null) {
        ex.refuse(
            404,
            "no deployment of endpoint '"
                + endpoint
                + "' has traffic; set it with 'knoe online-endpoint update -n "
                + endpoint
                + " --traffic \"<deployment>=100\"' or name one in the "
                + DataPlane.DEPLOYMENT_HEADER
                + " header",
            null);
        return;
      }
    }
    ex.named = named;
    ex.deployment = deployment;
    ex.route = table.deployments().get(deployment);
    next.handle(ex);
  }
}
