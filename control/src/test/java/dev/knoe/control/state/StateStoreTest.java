package dev.knoe.control.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.control.credentials.EndpointKeys;
import dev.knoe.control.model.ModelVersion;
import dev.knoe.control.spec.DeploymentSpec;
import dev.knoe.control.spec.EndpointSpec;
import dev.knoe.control.spec.ModelRef;
import dev.knoe.control.spec.SpecException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The store builds no path from a name its kind's rule refuses, and so deletes nothing for one. */
class StateStoreTest {

  @TempDir Path data;

  @Test
  void badNamesAreRefusedBeforeAnyFileIsTouched() throws Exception {
    StateStore store = new StateStore(data);
    Path keep = data.resolve("endpoints").resolve("keep.json");
    Files.writeString(keep, "{}");
    Path outside = data.resolve("admin-key");
    Files.writeString(outside, "secret");
    List<Executable> refused =
        List.of(
            () -> store.deleteEndpoint(".."),
            () -> store.deleteEndpoint(""),
            () -> store.deleteEndpoint("ep1\0"),
            () -> store.deleteDeployment("ep1", "../../admin-key"),
            () -> store.deleteDeployment("..", "keep"),
            () -> store.deployments("a/b"),
            () -> store.deployments("a\\b"));
    for (Executable e : refused) {
      assertThrows(SpecException.class, e);
    }
    assertTrue(Files.exists(keep));
    assertEquals("secret", Files.readString(outside));
  }

  @Test
  void anEndpointDeletedHalfWayDoesNotBringItsDeploymentsBackUnderTheSameName() throws Exception {
    StateStore store = new StateStore(data);
    store.save(endpoint("ep1"));
    store.save(deployment("ep1", "blue"));
    store.save(endpoint("ep2"));
    store.save(deployment("ep2", "blue"));
    // What kills left: ep1 by a deletion that removed endpoint.json first (as before tombstones),
    // ep2 between the rename to its tombstone and the removal.
    Path endpoints = data.resolve("endpoints");
    Files.delete(endpoints.resolve("ep1/endpoint.json"));
    Files.move(endpoints.resolve("ep2"), endpoints.resolve(".deleted-ep2"));
    store.save(endpoint("ep3"));
    Path temp = endpoints.resolve("ep3/.endpoint.json123.tmp"); // an atomic write killed midway
    Files.writeString(temp, "{\"spec\": {\"na");

    StateStore restarted = new StateStore(data);
    assertEquals(List.of("ep3"), restarted.endpoints().stream().map(EndpointState::name).toList());
    assertFalse(Files.exists(temp));
    restarted.save(endpoint("ep1"));
    restarted.save(endpoint("ep2"));
    assertEquals(List.of(), restarted.deployments("ep1"));
    assertEquals(List.of(), restarted.deployments("ep2"));
    assertFalse(Files.exists(endpoints.resolve(".deleted-ep2")));
  }

  @Test
  void aDeletedEndpointLeavesNothing() throws Exception {
    StateStore store = new StateStore(data);
    store.save(endpoint("ep1"));
    store.save(deployment("ep1", "blue"));
    store.deleteEndpoint("ep1");
    try (var left = Files.list(data.resolve("endpoints"))) {
      assertEquals(List.of(), left.toList());
    }
    store.save(endpoint("ep1"));
    assertEquals(List.of(), new StateStore(data).deployments("ep1"));
  }

  private static EndpointState endpoint(String name) {
    Instant t = Instant.parse("2026-12-04T00:00:00Z");
    return new EndpointState(
        EndpointSpec.of(name), 1, EndpointKeys.generate(), ProvisioningState.Succeeded, null, t, t);
  }

  private static DeploymentState deployment(String endpoint, String name) {
    Instant t = Instant.parse("2026-12-04T00:00:00Z");
    return new DeploymentState(
        DeploymentSpec.of(name, endpoint, ModelRef.registered("m", "1")),
        new ModelVersion("m", 1, "0".repeat(64), 1, null, false, t),
        1,
        ProvisioningState.Creating,
        null,
        t,
        t);
  }
}
