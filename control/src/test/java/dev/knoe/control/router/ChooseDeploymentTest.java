package dev.knoe.control.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ChooseDeployment alone: the header first, then the traffic split; 503 and 404 otherwise. */
class ChooseDeploymentTest {

  Links links;

  @BeforeEach
  void start() throws Exception {
    links = new Links();
    links.serve(new ChooseDeployment(links.passes()));
  }

  @AfterEach
  void stop() throws Exception {
    links.close();
  }

  /** Deployments blue and green with this traffic. */
  static RouteTable table(List<RouteTable.Weight> traffic, boolean creating) {
    Map<String, Pool> pools = new LinkedHashMap<>();
    pools.put("blue", new Pool());
    pools.put("green", new Pool());
    RouteTable t = Links.table(pools, 1, 1000);
    return new RouteTable(
        "ep", false, t.keyDigests(), traffic, Optional.empty(), 0, t.deployments(), creating);
  }

  @Test
  void withoutAHeaderTheTrafficSplitChooses() throws Exception {
    links.table = table(List.of(new RouteTable.Weight("green", 100)), false);
    assertEquals("passed green", links.call().body());
    Exchange ex = links.next();
    assertEquals("green", ex.deployment);
    assertEquals(links.table.deployments().get("green"), ex.route);
    assertNull(ex.named, "drawn, not named: may be mirrored");
  }

  @Test
  void theSplitDrawsByCumulativePercent() {
    RouteTable t =
        table(
            List.of(new RouteTable.Weight("blue", 30), new RouteTable.Weight("green", 60)), false);
    assertEquals("blue", t.deploymentFor(0));
    assertEquals("blue", t.deploymentFor(29));
    assertEquals("green", t.deploymentFor(30));
    assertEquals("green", t.deploymentFor(89));
    assertNull(t.deploymentFor(90), "10 % go nowhere");
    assertEquals(Optional.of("green"), t.choose(30));
  }

  @Test
  void aNamedDeploymentIsChosenWhateverItsTraffic() throws Exception {
    links.table = table(List.of(new RouteTable.Weight("blue", 100)), false);
    assertEquals("passed green", links.call("azureml-model-deployment", "green").body());
    assertEquals("green", links.next().named);
    assertEquals("passed green", links.call("knoe-deployment", "green").body());
    links.next();
    assertEquals(
        "passed blue",
        links.call("azureml-model-deployment", "blue", "knoe-deployment", "green").body(),
        "the Azure header wins over the alias");
  }

  @Test
  void anUnknownNamedDeploymentIs404ListingTheOthers() throws Exception {
    links.table = table(List.of(new RouteTable.Weight("blue", 100)), false);
    HttpResponse<String> r = links.call("azureml-model-deployment", "purple");
    assertEquals(404, r.statusCode());
    assertEquals(
        "{\"error\":\"endpoint 'ep' has no deployment 'purple' (deployments: blue, green)\"}",
        r.body());
    assertEquals(List.of("ep/ 404"), links.served);
  }

  @Test
  void noTrafficIs404SayingHowToSetIt() throws Exception {
    links.table = table(List.of(), false);
    HttpResponse<String> r = links.call();
    assertEquals(404, r.statusCode());
    assertTrue(
        r.body()
            .contains(
                "no deployment of endpoint 'ep' has traffic; set it with 'knoe online-endpoint"
                    + " update -n ep --traffic \\\"<deployment>=100\\\"' or name one in the"
                    + " azureml-model-deployment header"),
        r.body());
  }

  @Test
  void anEndpointBeingCreatedIs503EvenForANamedDeployment() throws Exception {
    links.table = table(List.of(new RouteTable.Weight("blue", 100)), true);
    HttpResponse<String> r = links.call("azureml-model-deployment", "blue");
    assertEquals(503, r.statusCode());
    assertEquals("{\"error\":\"endpoint 'ep' is being created\"}", r.body());
    assertTrue(links.passed.isEmpty());
  }
}
