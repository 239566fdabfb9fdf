package dev.knoe.control.endpoint;

import dev.knoe.control.api.ApiException;
import dev.knoe.control.api.Preconditions;
import dev.knoe.control.credentials.EndpointKeys;
import dev.knoe.control.credentials.TokenIssuer;
import dev.knoe.control.model.ModelException;
import dev.knoe.control.model.ModelRegistry;
import dev.knoe.control.model.ModelVersion;
import dev.knoe.control.router.DataPlane;
import dev.knoe.control.router.RouteTable;
import dev.knoe.control.runtime.Backend;
import dev.knoe.control.spec.AuthMode;
import dev.knoe.control.spec.DeploymentSpec;
import dev.knoe.control.spec.EndpointSpec;
import dev.knoe.control.spec.SpecParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The control plane's decisions: what may change and how, then state saved, the router's tables
 * republished and the backend asked to converge. Changes to one endpoint and its deployments are
 * serialized by a per-endpoint lock; the generation is the ETag that turns a lost update into 412.
 */
public final class ControlPlane implements Backend.Listener {

  private static final Logger LOG = Logger.getLogger(ControlPlane.class);

  private final StateStore store;
  private final ModelRegistry models;
  private final TokenIssuer tokens;
  private final Backend backend;
  private final DataPlane dataPlane;
  private final Path codeDir;
  private final Clock clock;
  private final Map<String, EndpointState> endpoints = new ConcurrentHashMap<>();
  private final Map<String, Map<String, DeploymentState>> deployments = new ConcurrentHashMap<>();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();

  public ControlPlane(StateStore store, ModelRegistry models, TokenIssuer tokens, Backend backend, DataPlane dataPlane,
      Path codeDir, Clock clock) {
    this.store = store;
    this.models = models;
    this.tokens = tokens;
    this.backend = backend;
    this.dataPlane = dataPlane;
    this.codeDir = codeDir;
    this.clock = clock;
    backend.setListener(this);
  }

  /** Loads every endpoint and deployment from the data directory and brings their instances back. */
  public void restore() {
    for (EndpointState e : store.endpoints()) {
      endpoints.put(e.name(), e);
      Map<String, DeploymentState> ds = new ConcurrentHashMap<>();
      for (DeploymentState d : store.deployments(e.name())) {
        ds.put(d.name(), d);
      }
      deployments.put(e.name(), ds);
      publish(e.name());
      for (DeploymentState d : ds.values()) {
        LOG.infof("Restoring deployment %s/%s (generation %d)", e.name(), d.name(), d.generation());
        start(d.with(ProvisioningState.Updating, "restarting instances"));
      }
    }
  }

  // ---- endpoints ----

  public List<EndpointState> endpoints() {
    return endpoints.values().stream().sorted(Comparator.comparing(EndpointState::name)).toList();
  }

  public EndpointState endpoint(String name) {
    EndpointState e = endpoints.get(name);
    if (e == null) {
      throw ApiException.notFound("no endpoint '" + name + "'" + known(endpoints.keySet()));
    }
    return e;
  }

  /** Creates an endpoint, or updates it when {@code createOnly} is false and it exists. */
  public EndpointState putEndpoint(EndpointSpec spec, String ifMatch, boolean createOnly) {
    synchronized (lock(spec.name())) {
      EndpointState old = endpoints.get(spec.name());
      if (old == null) {
        Preconditions.checkAbsent("endpoint '" + spec.name() + "'", ifMatch);
        checkTraffic(spec, Map.of());
        EndpointState created = new EndpointState(spec, 1, EndpointKeys.generate(), ProvisioningState.Succeeded, null,
            clock.instant(), clock.instant());
        store.save(created);
        endpoints.put(spec.name(), created);
        deployments.put(spec.name(), new ConcurrentHashMap<>());
        publish(spec.name());
        LOG.infof("Created endpoint %s (auth_mode %s)", spec.name(), spec.authMode());
        return created;
      }
      if (createOnly) {
        throw ApiException.conflict("endpoint '" + spec.name() + "' already exists; change it with 'knoe online-endpoint update'");
      }
      Preconditions.checkEtag("endpoint '" + spec.name() + "'", old.etag(), ifMatch);
      checkTraffic(spec, deployments.get(spec.name()));
      EndpointState updated = old.with(spec, clock.instant()).with(ProvisioningState.Succeeded, null);
      store.save(updated);
      endpoints.put(spec.name(), updated);
      publish(spec.name());
      LOG.infof("Updated endpoint %s: traffic %s, mirror %s", spec.name(), spec.traffic(), spec.mirrorTraffic());
      return updated;
    }
  }

  public void deleteEndpoint(String name) {
    synchronized (lock(name)) {
      EndpointState e = endpoint(name);
      endpoints.put(name, e.with(ProvisioningState.Deleting, null));
      dataPlane.remove(name);
      for (String d : deployments.getOrDefault(name, Map.of()).keySet()) {
        backend.remove(name, d);
      }
      store.deleteEndpoint(name);
      endpoints.remove(name);
      deployments.remove(name);
      deleteTree(codeDir.resolve(name));
      LOG.infof("Deleted endpoint %s", name);
    }
  }

  public EndpointKeys regenerateKey(String name, String keyType) {
    synchronized (lock(name)) {
      EndpointState e = endpoint(name);
      EndpointKeys next;
      try {
        next = e.keys().regenerate(keyType == null ? "" : keyType);
      } catch (IllegalArgumentException ex) {
        throw ApiException.badRequest(ex.getMessage());
      }
      EndpointState updated = e.with(next, clock.instant());
      store.save(updated);
      endpoints.put(name, updated);
      publish(name); // the old key is refused from this moment
      LOG.infof("Regenerated the %s key of endpoint %s", keyType, name);
      return next;
    }
  }

  public EndpointKeys keys(String name) {
    EndpointState e = endpoint(name);
    if (e.spec().authMode() != AuthMode.KEY) {
      throw ApiException.badRequest("endpoint '" + name + "' uses auth_mode aml_token: get a token with 'knoe online-endpoint get-credentials'");
    }
    return e.keys();
  }

  public TokenIssuer.Token token(String name) {
    EndpointState e = endpoint(name);
    if (e.spec().authMode() != AuthMode.AML_TOKEN) {
      throw ApiException.badRequest("endpoint '" + name + "' uses auth_mode key: tokens are for aml_token endpoints; use its keys");
    }
    return tokens.issue(name);
  }

  // ---- deployments ----

  public List<DeploymentState> deployments(String endpoint) {
    endpoint(endpoint);
    return deployments.getOrDefault(endpoint, Map.of()).values().stream()
        .sorted(Comparator.comparing(DeploymentState::name)).toList();
  }

  public DeploymentState deployment(String endpoint, String name) {
    DeploymentState d = deployments.getOrDefault(endpoint(endpoint).name(), Map.of()).get(name);
    if (d == null) {
      throw ApiException.notFound("endpoint '" + endpoint + "' has no deployment '" + name + "'"
          + known(deployments.getOrDefault(endpoint, Map.of()).keySet()));
    }
    return d;
  }

  /** Creates or updates a deployment; its instances start (or roll) in the background. */
  public DeploymentState putDeployment(DeploymentSpec spec, String ifMatch, boolean createOnly) {
    String ep = spec.endpointName();
    synchronized (lock(ep)) {
      endpoint(ep);
      Map<String, DeploymentState> ds = deployments.get(ep);
      DeploymentState old = ds.get(spec.name());
      if (old != null && createOnly) {
        throw ApiException.conflict("deployment '" + spec.name() + "' already exists on endpoint '" + ep
            + "'; change it with 'knoe online-deployment update'");
      }
      if (old == null) {
        Preconditions.checkAbsent("deployment '" + spec.name() + "'", ifMatch);
      }
      if (old != null) {
        Preconditions.checkEtag("deployment '" + spec.name() + "'", old.etag(), ifMatch);
      }
      SpecParser.checkDeploymentLimit(ep, ds.keySet(), spec.name()).ifPresent(m -> {
        throw ApiException.badRequest(m);
      });
      checkCode(spec);
      ModelVersion model = resolveModel(spec);
      long generation = old == null ? 1 : old.generation() + 1;
      DeploymentState next = new DeploymentState(spec, model, generation,
          old == null ? ProvisioningState.Creating : ProvisioningState.Updating, "starting instances",
          old == null ? clock.instant() : old.createdAt(), clock.instant());
      store.save(next);
      ds.put(spec.name(), next);
      publish(ep);
      LOG.infof("%s deployment %s/%s (generation %d, model %s, %d instance(s))", old == null ? "Creating" : "Updating",
          ep, spec.name(), generation, model.reference(), spec.instanceCount());
      start(next);
      return next;
    }
  }

  public void deleteDeployment(String endpoint, String name) {
    synchronized (lock(endpoint)) {
      EndpointState e = endpoint(endpoint);
      deployment(endpoint, name);
      SpecParser.checkDeletable(endpoint, name, e.spec().traffic(), e.spec().mirrorTraffic().containsKey(name))
          .ifPresent(m -> {
            throw ApiException.conflict(m);
          });
      backend.remove(endpoint, name);
      store.deleteDeployment(endpoint, name);
      deployments.get(endpoint).remove(name);
      publish(endpoint);
      deleteTree(codeDir.resolve(endpoint).resolve(name));
      LOG.infof("Deleted deployment %s/%s", endpoint, name);
    }
  }

  public List<String> logs(String endpoint, String name, int lines, String container) {
    deployment(endpoint, name);
    return backend.logs(endpoint, name, lines, container);
  }

  /** Whether any deployment serves this model version (a version in use cannot be deleted). */
  public boolean inUse(ModelVersion v) {
    return deployments.values().stream().flatMap(m -> m.values().stream())
        .anyMatch(d -> d.model().sha256().equals(v.sha256()) && d.model().name().equals(v.name())
            && d.model().version() == v.version());
  }

  @Override
  public void changed(String endpoint, String name, long generation, ProvisioningState state, String message) {
    synchronized (lock(endpoint)) {
      Map<String, DeploymentState> ds = deployments.get(endpoint);
      DeploymentState d = ds == null ? null : ds.get(name);
      if (d == null || d.generation() != generation || (d.state() == state && java.util.Objects.equals(d.message(), message))) {
        return;
      }
      DeploymentState next = d.with(state, message);
      ds.put(name, next);
      store.save(next);
      if (state == ProvisioningState.Failed) {
        LOG.warnf("Deployment %s/%s failed: %s", endpoint, name, message);
      } else {
        LOG.infof("Deployment %s/%s: %s%s", endpoint, name, state, message == null ? "" : " (" + message + ")");
      }
    }
  }

  // ---- helpers ----

  private void start(DeploymentState d) {
    Path model;
    try {
      model = models.verifiedFile(d.model());
    } catch (ModelException e) {
      changed(d.endpoint(), d.name(), d.generation(), ProvisioningState.Failed, e.getMessage());
      return;
    }
    backend.apply(d, model, code(d));
  }

  private ModelVersion resolveModel(DeploymentSpec spec) {
    var ref = spec.model();
    try {
      if (ref.isInline()) {
        Path file = onnxFile(Path.of(ref.path()));
        return models.registerInline(file, spec.endpointName() + "-" + spec.name());
      }
      return models.resolve(ref.name(), ref.version());
    } catch (ModelException e) {
      throw new ApiException(e.status(), e.getMessage());
    }
  }

  /** The model file a path names, by {@link dev.knoe.spi.ModelFolder}'s rule; a bad path is a 400. */
  public static Path onnxFile(Path path) {
    try {
      return dev.knoe.spi.ModelFolder.onnxFile(path);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
  }

  /** A copy of the handler code under the data directory, so the deployment survives the user moving files. */
  private Path code(DeploymentState d) {
    var cc = d.spec().codeConfiguration();
    if (cc == null) {
      return null;
    }
    Path source = Path.of(cc.code());
    Path target = codeDir.resolve(d.endpoint()).resolve(d.name()).resolve(Long.toString(d.generation()));
    try {
      if (!Files.exists(target)) {
        if (!Files.exists(source)) {
          throw ApiException.badRequest("code_configuration.code " + source + " does not exist");
        }
        Path tmp = target.resolveSibling(target.getFileName() + ".part");
        deleteTree(tmp);
        Files.createDirectories(tmp);
        if (Files.isDirectory(source)) {
          try (Stream<Path> files = Files.walk(source)) {
            for (Path p : (Iterable<Path>) files::iterator) {
              Path to = tmp.resolve(source.relativize(p).toString());
              if (Files.isDirectory(p)) {
                Files.createDirectories(to);
              } else {
                Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
              }
            }
          }
        } else {
          Files.copy(source, tmp.resolve(source.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      }
      return target; // a class folder, or a folder holding the jar: the scoring function reads both
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy handler code from " + source, e);
    }
  }

  /** Refused before anything is saved: a deployment whose handler code cannot be found never starts. */
  private static void checkCode(DeploymentSpec spec) {
    var cc = spec.codeConfiguration();
    if (cc == null) {
      return;
    }
    if (cc.code() == null) {
      throw ApiException.badRequest("code_configuration.code is required: the local backend loads the handler "
          + cc.scoringScript() + " from that jar or class folder");
    }
    if (!Files.exists(Path.of(cc.code()))) {
      throw ApiException.badRequest("code_configuration.code " + cc.code() + " does not exist");
    }
  }

  private void checkTraffic(EndpointSpec spec, Map<String, DeploymentState> existing) {
    List<String> problems = SpecParser.checkTraffic(spec.name(), spec.traffic(), spec.mirrorTraffic(), existing.keySet());
    if (!problems.isEmpty()) {
      throw ApiException.badRequest(String.join("; ", problems));
    }
  }

  /** Builds the endpoint's route table from its spec, keys and deployments, and swaps it in. */
  private void publish(String name) {
    EndpointState e = endpoints.get(name);
    if (e == null) {
      return;
    }
    Map<String, RouteTable.DeploymentRoute> routes = new LinkedHashMap<>();
    for (DeploymentState d : deployments.getOrDefault(name, Map.of()).values()) {
      var rs = d.spec().requestSettings();
      routes.put(d.name(), new RouteTable.DeploymentRoute(d.name(), rs.maxConcurrentRequestsPerInstance(),
          rs.requestTimeoutMs(), backend.pool(name, d.name())));
    }
    List<RouteTable.Weight> weights = new ArrayList<>();
    e.spec().traffic().forEach((d, p) -> {
      if (p > 0) {
        weights.add(new RouteTable.Weight(d, p));
      }
    });
    var mirror = e.spec().mirrorTraffic().entrySet().stream().filter(m -> m.getValue() > 0).findFirst();
    dataPlane.publish(new RouteTable(name, e.spec().authMode() == AuthMode.AML_TOKEN, e.keys().digests(), weights,
        mirror.map(Map.Entry::getKey), mirror.map(Map.Entry::getValue).orElse(0), routes,
        e.state() == ProvisioningState.Creating));
  }

  private Object lock(String endpoint) {
    return locks.computeIfAbsent(endpoint, k -> new Object());
  }

  private static String known(java.util.Set<String> names) {
    return names.isEmpty() ? "" : " (known: " + String.join(", ", names.stream().sorted().toList()) + ")";
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.warnf("cannot delete %s: %s", dir, e.getMessage());
    }
  }
}
