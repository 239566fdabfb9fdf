package dev.knoe.control.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.control.spec.SpecException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
