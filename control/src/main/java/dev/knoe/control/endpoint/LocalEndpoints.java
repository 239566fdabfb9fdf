package dev.knoe.control.endpoint;

import dev.knoe.control.credentials.EndpointKeys;
import dev.knoe.control.credentials.TokenIssuer;
import dev.knoe.control.files.DiskFullException;
import dev.knoe.control.files.Trees;
import dev.knoe.control.model.ModelException;
import dev.knoe.control.model.ModelRegistry;
import dev.knoe.control.model.ModelVersion;
import dev.knoe.control.router.DataPlane;
import dev.knoe.control.router.Pool;
import dev.knoe.control.router.RouteTable;
import dev.knoe.control.runtime.Backend;
import dev.knoe.control.spec.AuthMode;
import dev.knoe.control.spec.DeploymentSpec;
import dev.knoe.control.spec.EndpointSpec;
import dev.knoe.control.spec.Names;
import dev.knoe.control.spec.SpecWriter;
import dev.knoe.control.state.DeploymentState;
import dev.knoe.control.state.EndpointState;
import dev.knoe.control.state.ProvisioningState;
import dev.knoe.control.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The endpoint service on this machine: a change is checked by the {@link Rules}, saved under the
 * data directory, the router's tables republished and the local backend asked to converge. Changes
 * to one endpoint and its deployments are serialized by a per-endpoint lock; the generation is the
 * ETag that turns a lost update into 412.
 */
public final class LocalEndpoints implements Endpoints, Backend.Listener {

  private static final Logger LOG = Logger.getLogger(LocalEndpoints.class);

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

  public LocalEndpoints(
      StateStore store,
      ModelRegistry models,
      TokenIssuer tokens,
      Backend backend,
      DataPlane dataPlane,
      Path codeDir,
      Clock clock) {
    this.store = store;
    this.models = models;
    this.tokens = tokens;
    this.backend = backend;
    this.dataPlane = dataPlane;
    this.codeDir = codeDir;
    this.clock = clock;
    backend.setListener(this);
  }

  /**
   * Loads every endpoint and deployment from the data directory and brings their instances back.
   */
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

  @Override
  public Platform platform() {
    return new Platform("local", null);
  }

  // ---- endpoints ----

  @Override
  public List<EndpointView> endpoints() {
    return endpoints.values().stream()
        .sorted(Comparator.comparing(EndpointState::name))
        .map(this::view)
        .toList();
  }

  @Override
  public EndpointView endpoint(String name) {
    return view(state(name));
  }

  private EndpointState state(String name) {
    EndpointState e = endpoints.get(name);
    if (e == null) {
      throw Rules.noEndpoint(name, Rules.known(endpoints.keySet()));
    }
    return e;
  }

  @Override
  public EndpointView putEndpoint(EndpointSpec spec, String ifMatch, boolean createOnly) {
    String what = "endpoint '" + spec.name() + "'";
    synchronized (lock(spec.name())) {
      EndpointState old = endpoints.get(spec.name());
      if (old == null) {
        Rules.ifMatchAbsent(what, ifMatch);
        Rules.traffic(spec, Set.of());
        EndpointState created =
            new EndpointState(
                spec,
                1,
                EndpointKeys.generate(),
                ProvisioningState.Succeeded,
                null,
                clock.instant(),
                clock.instant());
        store.save(created);
        endpoints.put(spec.name(), created);
        deployments.put(spec.name(), new ConcurrentHashMap<>());
        publish(spec.name());
        LOG.infof("Created endpoint %s (auth_mode %s)", spec.name(), spec.authMode());
        return view(created);
      }
      if (createOnly) {
        throw Rules.endpointExists(spec.name());
      }
      Rules.ifMatch(what, old.etag(), ifMatch);
      Rules.traffic(spec, deployments.get(spec.name()).keySet());
      EndpointState updated =
          old.with(spec, clock.instant()).with(ProvisioningState.Succeeded, null);
      store.save(updated);
      endpoints.put(spec.name(), updated);
      publish(spec.name());
      LOG.infof(
          "Updated endpoint %s: traffic %s, mirror %s",
          spec.name(), spec.traffic(), spec.mirrorTraffic());
      return view(updated);
    }
  }

  @Override
  public void deleteEndpoint(String name, String ifMatch) {
    synchronized (lock(name)) {
      EndpointState e = state(name);
      Rules.ifMatch("endpoint '" + name + "'", e.etag(), ifMatch);
      endpoints.put(name, e.with(ProvisioningState.Deleting, null));
      dataPlane.remove(name);
      for (String d : deployments.getOrDefault(name, Map.of()).keySet()) {
        backend.remove(name, d);
      }
      store.deleteEndpoint(name);
      endpoints.remove(name);
      deployments.remove(name);
      Trees.delete(codeFolder(name));
      LOG.infof("Deleted endpoint %s", name);
    }
  }

  @Override
  public EndpointKeys regenerateKey(String name, String keyType, String ifMatch) {
    synchronized (lock(name)) {
      EndpointState e = state(name);
      Rules.ifMatch("endpoint '" + name + "'", e.etag(), ifMatch);
      Rules.keyAuth(name, e.spec().authMode());
      EndpointKeys next = Rules.keyType(() -> e.keys().regenerate(keyType == null ? "" : keyType));
      EndpointState updated = e.with(next, clock.instant());
      store.save(updated);
      endpoints.put(name, updated);
      publish(name); // the old key is refused from this moment
      LOG.infof("Regenerated the %s key of endpoint %s", keyType, name);
      return next;
    }
  }

  @Override
  public EndpointKeys keys(String name) {
    EndpointState e = state(name);
    Rules.keyAuth(name, e.spec().authMode());
    return e.keys();
  }

  @Override
  public TokenIssuer.Token token(String name) {
    Rules.tokenAuth(name, state(name).spec().authMode());
    return tokens.issue(name);
  }

  // ---- deployments ----

  @Override
  public List<DeploymentView> deployments(String endpoint) {
    state(endpoint);
    return deployments.getOrDefault(endpoint, Map.of()).values().stream()
        .sorted(Comparator.comparing(DeploymentState::name))
        .map(this::view)
        .toList();
  }

  @Override
  public DeploymentView deployment(String endpoint, String name) {
    return view(deploymentState(endpoint, name));
  }

  private DeploymentState deploymentState(String endpoint, String name) {
    Map<String, DeploymentState> ds = deployments.getOrDefault(state(endpoint).name(), Map.of());
    DeploymentState d = ds.get(name);
    if (d == null) {
      throw Rules.noDeployment(endpoint, name, ds.keySet());
    }
    return d;
  }

  /** Creates or updates a deployment; its instances start (or roll) in the background. */
  @Override
  public DeploymentView putDeployment(DeploymentSpec spec, String ifMatch, boolean createOnly) {
    String ep = spec.endpointName();
    String what = "deployment '" + spec.name() + "'";
    synchronized (lock(ep)) {
      state(ep);
      Map<String, DeploymentState> ds = deployments.get(ep);
      DeploymentState old = ds.get(spec.name());
      if (old == null) {
        Rules.ifMatchAbsent(what, ifMatch);
      } else if (createOnly) {
        throw Rules.deploymentExists(ep, spec.name());
      } else {
        Rules.ifMatch(what, old.etag(), ifMatch);
      }
      Rules.deploymentLimit(ep, ds.keySet(), spec.name());
      checkCode(spec);
      ModelVersion model = resolveModel(spec);
      long generation = old == null ? 1 : old.generation() + 1;
      DeploymentState next =
          new DeploymentState(
              spec,
              model,
              generation,
              old == null ? ProvisioningState.Creating : ProvisioningState.Updating,
              "starting instances",
              old == null ? clock.instant() : old.createdAt(),
              clock.instant());
      store.save(next);
      ds.put(spec.name(), next);
      publish(ep);
      LOG.infof(
          "%s deployment %s/%s (generation %d, model %s, %d instance(s))",
          old == null ? "Creating" : "Updating",
          ep,
          spec.name(),
          generation,
          model.reference(),
          spec.instanceCount());
      start(next);
      return view(next);
    }
  }

  @Override
  public void deleteDeployment(String endpoint, String name, String ifMatch) {
    synchronized (lock(endpoint)) {
      EndpointState e = state(endpoint);
      Rules.ifMatch("deployment '" + name + "'", deploymentState(endpoint, name).etag(), ifMatch);
      Rules.deletable(endpoint, name, e.spec().traffic(), e.spec().mirrorTraffic());
      backend.remove(endpoint, name);
      store.deleteDeployment(endpoint, name);
      deployments.get(endpoint).remove(name);
      publish(endpoint);
      Trees.delete(codeFolder(endpoint, name));
      LOG.infof("Deleted deployment %s/%s", endpoint, name);
    }
  }

  @Override
  public List<String> logs(String endpoint, String name, int lines, String container) {
    deploymentState(endpoint, name);
    return backend.logs(endpoint, name, lines, container);
  }

  @Override
  public boolean modelInUse(ModelVersion v) {
    return deployments.values().stream()
        .flatMap(m -> m.values().stream())
        .anyMatch(
            d ->
                d.model().sha256().equals(v.sha256())
                    && d.model().name().equals(v.name())
                    && d.model().version() == v.version());
  }

  @Override
  public void changed(
      String endpoint, String name, long generation, ProvisioningState state, String message) {
    synchronized (lock(endpoint)) {
      Map<String, DeploymentState> ds = deployments.get(endpoint);
      DeploymentState d = ds == null ? null : ds.get(name);
      if (d == null
          || d.generation() != generation
          || (d.state() == state && java.util.Objects.equals(d.message(), message))) {
        return;
      }
      DeploymentState next = d.with(state, message);
      ds.put(name, next);
      store.save(next);
      if (state == ProvisioningState.Failed) {
        LOG.warnf("Deployment %s/%s failed: %s", endpoint, name, message);
      } else {
        LOG.infof(
            "Deployment %s/%s: %s%s",
            endpoint, name, state, message == null ? "" : " (" + message + ")");
      }
    }
  }

  // ---- views ----

  /** Local addresses are relative to the control API's: the router shares its port. */
  private EndpointView view(EndpointState e) {
    String root = "endpoints/" + e.name();
    Map<String, EndpointView.DeploymentSummary> ds = new LinkedHashMap<>();
    for (DeploymentState d :
        deployments.getOrDefault(e.name(), Map.of()).values().stream()
            .sorted(Comparator.comparing(DeploymentState::name))
            .toList()) {
      ds.put(
          d.name(),
          new EndpointView.DeploymentSummary(
              d.state().name(),
              root + "/score",
              Map.of(DataPlane.DEPLOYMENT_HEADER, d.name()),
              null,
              null));
    }
    return new EndpointView(
        SpecWriter.endpoint(e.spec()),
        e.state().name(),
        e.message(),
        root + "/score",
        root + "/swagger.json",
        e.spec().traffic(),
        e.spec().mirrorTraffic(),
        null,
        ds,
        e.generation(),
        e.createdAt(),
        e.updatedAt(),
        Long.toString(e.generation()));
  }

  private DeploymentView view(DeploymentState d) {
    Pool pool = backend.pool(d.endpoint(), d.name());
    Optional<Backend.ScaleStatus> scale = backend.scaleStatus(d.endpoint(), d.name());
    List<DeploymentView.Instance> instances =
        pool == null
            ? List.of()
            : pool.ready().stream()
                .map(
                    t ->
                        new DeploymentView.Instance(
                            t.id(), "http://" + t.host() + ":" + t.port(), t.inFlight().get()))
                .toList();
    return new DeploymentView(
        SpecWriter.deployment(d.spec()),
        d.endpoint(),
        d.name(),
        d.state().name(),
        d.message(),
        d.model(),
        instances.size(),
        scale.map(Backend.ScaleStatus::desired).orElse(null),
        scale.map(Backend.ScaleStatus::lastDecision).orElse(null),
        instances,
        null,
        null,
        "endpoints/" + d.endpoint() + "/score",
        d.generation(),
        d.createdAt(),
        d.updatedAt(),
        Long.toString(d.generation()));
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
    if (ref.isInline()) {
      Path file = onnxFile(Path.of(ref.path()));
      return models.registerInline(file, spec.endpointName() + "-" + spec.name());
    }
    return models.resolve(ref.name(), ref.version());
  }

  /**
   * The model file a path names, by {@link dev.knoe.spi.ModelFolder}'s rule, checked as a model
   * before it is registered; a bad path or model is a 400.
   */
  private static Path onnxFile(Path path) {
    try {
      return dev.knoe.spi.ModelFolder.checkedOnnxFile(path, "model.path");
    } catch (IllegalArgumentException e) {
      throw new EndpointException.Invalid(e.getMessage());
    }
  }

  /**
   * A copy of the handler code under the data directory, so the deployment survives the user moving
   * files.
   */
  private Path code(DeploymentState d) {
    var cc = d.spec().codeConfiguration();
    if (cc == null) {
      return null;
    }
    Path source = Path.of(cc.code());
    Path target = codeFolder(d.endpoint(), d.name()).resolve(Long.toString(d.generation()));
    try {
      if (!Files.exists(target)) {
        if (!Files.exists(source)) {
          throw new EndpointException.Invalid(
              "code_configuration.code " + source + " does not exist");
        }
        Path tmp = target.resolveSibling(target.getFileName() + ".part");
        Trees.delete(tmp);
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
          Files.copy(
              source, tmp.resolve(source.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      }
      return target; // a class folder, or a folder holding the jar: the scoring function reads both
    } catch (IOException e) {
      throw DiskFullException.orUnchecked("cannot copy handler code from " + source, e);
    }
  }

  /** {@code <code>/<endpoint>}, where its deployments' handler code is copied. */
  private Path codeFolder(String endpoint) {
    return codeDir.resolve(Names.ENDPOINT.require(endpoint));
  }

  /** {@code <code>/<endpoint>/<deployment>}, one folder per generation in it. */
  private Path codeFolder(String endpoint, String deployment) {
    return codeFolder(endpoint).resolve(Names.DEPLOYMENT.require(deployment));
  }

  /**
   * Refused before anything is saved: a deployment whose handler code cannot be found never starts.
   */
  private static void checkCode(DeploymentSpec spec) {
    var cc = spec.codeConfiguration();
    if (cc == null) {
      return;
    }
    if (cc.code() == null) {
      throw new EndpointException.Invalid(
          "code_configuration.code is required: the local backend loads the handler "
              + cc.scoringScript()
              + " from that jar or class folder");
    }
    if (!Files.exists(Path.of(cc.code()))) {
      throw new EndpointException.Invalid(
          "code_configuration.code " + cc.code() + " does not exist");
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
      routes.put(
          d.name(),
          new RouteTable.DeploymentRoute(
              d.name(),
              rs.maxConcurrentRequestsPerInstance(),
              rs.requestTimeoutMs(),
              backend.pool(name, d.name())));
    }
    List<RouteTable.Weight> weights = new ArrayList<>();
    e.spec()
        .traffic()
        .forEach(
            (d, p) -> {
              if (p > 0) {
                weights.add(new RouteTable.Weight(d, p));
              }
            });
    var mirror =
        e.spec().mirrorTraffic().entrySet().stream().filter(m -> m.getValue() > 0).findFirst();
    dataPlane.publish(
        new RouteTable(
            name,
            e.spec().authMode() == AuthMode.AML_TOKEN,
            e.keys().digests(),
            weights,
            mirror.map(Map.Entry::getKey),
            mirror.map(Map.Entry::getValue).orElse(0),
            routes,
            e.state() == ProvisioningState.Creating));
  }

  private Object lock(String endpoint) {
    return locks.computeIfAbsent(endpoint, k -> new Object());
  }
}
