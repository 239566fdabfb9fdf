package dev.knoe.control.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

/** The test API server is real: upstream kube-apiserver on etcd, with the CRDs installed. */
class RealClusterTest {

  @Test
  void servesTheApiWithTheCrdsInstalled() {
    RealCluster cluster = RealCluster.shared();
    String ns = cluster.newNamespace("smoke");
    try (KubernetesClient c = cluster.client()) {
      assertTrue(
          c.getKubernetesVersion().getGitVersion().startsWith("v1.3"),
          c.getKubernetesVersion().getGitVersion());
      c.configMaps()
          .inNamespace(ns)
          .resource(
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withName("x")
                  .endMetadata()
                  .addToData("a", "b")
                  .build())
          .create();
      assertEquals("b", c.configMaps().inNamespace(ns).withName("x").get().getData().get("a"));
      for (String crd :
          new String[] {
            "services.serving.knative.dev",
            "revisions.serving.knative.dev",
            "triggers.eventing.knative.dev",
            "brokers.eventing.knative.dev",
            "onlineendpoints.knoe.dev",
            "onlinedeployments.knoe.dev"
          }) {
        assertTrue(
            c.apiextensions().v1().customResourceDefinitions().withName(crd).get() != null, crd);
      }
    }
  }
}
