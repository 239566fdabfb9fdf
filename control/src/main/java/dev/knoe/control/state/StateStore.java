package dev.knoe.control.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.knoe.control.files.AtomicFiles;
import dev.knoe.control.files.DiskFullException;
import dev.knoe.control.files.Trees;
import dev.knoe.control.spec.Names;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Endpoints and deployments under {@code <data>/endpoints/<name>/}: {@code endpoint.json}
 * (owner-only: it holds the keys) and {@code deployments/<name>.json}, each written atomically. A
 * name {@link Names} refuses is a {@link dev.knoe.control.spec.SpecException} before any path is
 * built from it.
 *
 * <p>Deleting an endpoint is one rename of its folder to a tombstone ({@code .deleted-<name>}), the
 * point where it is gone, then the removal of the tombstone; a kill in between leaves the
 * tombstone, which the next start removes.
 */
public final class StateStore {

  private static final Logger LOG = Logger.getLogger(StateStore.class);
  private static final String TOMBSTONE = ".deleted-";

  private final Path root;
  private final ObjectMapper json =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public StateStore(Path dataDir) {
    this.root = dataDir.resolve("endpoints");
    try {
      AtomicFiles.ownerOnlyDirectory(root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + root, e);
    }
    finishDeletes();
  }

  /**
   * Removes what writes and deletions interrupted by a kill left: temp files, tombstones, and
   * endpoint folders without {@code endpoint.json} (deleted by a version that removed that file
   * first, or created no further than the folder). Otherwise their deployments would come back with
   * the next endpoint created under the same name.
   */
  private void finishDeletes() {
    // Temp files of atomic writes a kill interrupted: never read, removed so that they do not pile
    // up.
    try (Stream<Path> files = Files.walk(root)) {
      files
          .filter(p -> p.getFileName().toString().startsWith(".") && p.toString().endsWith(".tmp"))
          .filter(Files::isRegularFile)
          .forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.warnf("cannot list %s: %s", root, e.getMessage());
    }
    for (Path dir : list(root)) {
      String name = dir.getFileName().toString();
      boolean tombstone = name.startsWith(TOMBSTONE);
      if (Files.isDirectory(dir)
          && (tombstone
              || (Names.ENDPOINT.isValid(name) && !Files.exists(dir.resolve("endpoint.json"))))) {
        LOG.infof("Removing %s, left by an interrupted deletion", dir);
        Trees.delete(dir);
      }
    }
  }

  public void save(EndpointState e) {
    write(endpointDir(e.name()).resolve("endpoint.json"), e, true);
  }

  public void save(DeploymentState d) {
    write(deploymentFile(d.endpoint(), d.name()), d, false);
  }

  public void deleteDeployment(String endpoint, String deployment) {
    try {
      AtomicFiles.delete(deploymentFile(endpoint, deployment));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void deleteEndpoint(String endpoint) {
    Path dir = endpointDir(endpoint);
    Path tombstone = root.resolve(TOMBSTONE + endpoint);
    try {
      if (!Files.exists(dir)) {
        return;
      }
      Trees.delete(tombstone); // a previous deletion's, if its removal failed
      AtomicFiles.rename(dir, tombstone); // from here on, a restart does not bring it back
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Trees.delete(tombstone);
  }

  public List<EndpointState> endpoints() {
    List<EndpointState> out = new ArrayList<>();
    for (Path dir : list(root)) {
      Path file = dir.resolve("endpoint.json");
      if (Names.ENDPOINT.isValid(dir.getFileName().toString()) && Files.exists(file)) {
        read(file, EndpointState.class, out);
      }
    }
    return out;
  }

  public List<DeploymentState> deployments(String endpoint) {
    List<DeploymentState> out = new ArrayList<>();
    for (Path file : list(endpointDir(endpoint).resolve("deployments"))) {
      if (file.toString().endsWith(".json")) {
        read(file, DeploymentState.class, out);
      }
    }
    return out;
  }

  private Path endpointDir(String endpoint) {
    return root.resolve(Names.ENDPOINT.require(endpoint));
  }

  private Path deploymentFile(String endpoint, String deployment) {
    return endpointDir(endpoint)
        .resolve("deployments")
        .resolve(Names.DEPLOYMENT.require(deployment) + ".json");
  }

  private <T> void read(Path file, Class<T> type, List<T> into) {
    try {
      into.add(json.readValue(file.toFile(), type));
    } catch (IOException e) {
      // Atomic writes make this a file edited by hand or a newer format: say so and go on.
      LOG.errorf("cannot read %s (%s); skipping it", file, e.getMessage());
    }
  }

  private void write(Path file, Object value, boolean secret) {
    try {
      byte[] bytes = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(value);
      if (secret) {
        AtomicFiles.writeSecret(file, bytes);
      } else {
        AtomicFiles.write(file, bytes);
      }
    } catch (IOException e) {
      throw DiskFullException.orUnchecked("cannot write " + file, e);
    }
  }

  private static List<Path> list(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
