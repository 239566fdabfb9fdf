package dev.knoe.scoring;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.knoe.scoring.batch.Batcher;
import dev.knoe.scoring.batch.Direct;
import dev.knoe.scoring.batch.Inference;
import dev.knoe.scoring.batch.Observer;
import dev.knoe.scoring.codec.ScoreCodec;
import dev.knoe.scoring.codec.V2Codec;
import dev.knoe.scoring.config.ScoringConfig;
import dev.knoe.scoring.handler.HandlerModel;
import dev.knoe.scoring.handler.HandlerRequest;
import dev.knoe.scoring.handler.Handlers;
import dev.knoe.scoring.model.DevicePlan;
import dev.knoe.scoring.model.NativeLibraries;
import dev.knoe.scoring.model.OnnxModel;
import dev.knoe.scoring.model.Signature;
import dev.knoe.scoring.tensor.Tensor;
import dev.knoe.spi.HandlerContext;
import dev.knoe.spi.Model;
import dev.knoe.spi.ScoringHandler;
import dev.knoe.spi.ScoringRequest;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Loads the model (and the custom handler, if any) once at start, warms it up, and only then
 * reports ready; scores requests through the batcher or one run per request.
 */
@ApplicationScoped
public class ScoringService {

  private static final Logger LOG = Logger.getLogger(ScoringService.class);

  /** A {@code /score} body beside the model file, used for the warm-up run instead of zeros. */
  public static final String SAMPLE_REQUEST = "sample-request.json";

  // A process's start time is derived from the boot time, which Linux gives in whole seconds.
  private static final long START_TIME_SLACK_MS = 2_000;

  @Inject ScoringConfig config;
  @Inject ObjectMapper mapper;
  @Inject Metrics metrics;

  private volatile boolean ready;
  private OnnxModel model;
  private String modelName;
  private Inference inference;
  private ScoringHandler handler;
  private ExecutorService handlerPool;

  void start(@Observes StartupEvent event) throws Exception {
    long start = System.nanoTime();
    long bootedAt = System.currentTimeMillis();
    long loaded = start;
    long warmed = start;
    if (config.noTrafficEndpoint().isPresent()) {
      modelName = "none";
      ready = true;
      LOG.infof(
          "No model: answering 404 for endpoint '%s', which has no deployment with traffic",
          config.noTrafficEndpoint().get());
      return;
    }
    Optional<Path> dir =
        config
            .modelDir()
            .or(
                () ->
                    ConfigProvider.getConfig().getOptionalValue("azureml.model-dir", String.class))
            .map(Path::of);
    if (dir.isEmpty() && config.handlerClass().isEmpty()) {
      throw new IllegalStateException(
          "set KNOE_MODEL_DIR (or AZUREML_MODEL_DIR) to the model folder or .onnx file");
    }
    modelName =
        config.modelName().orElseGet(() -> dir.map(ModelFiles::defaultName).orElse("handler"));
    if (dir.isPresent()) {
      Path file = ModelFiles.checked(dir.get());
      DevicePlan plan = DevicePlan.choose(config.device(), gpuPresent());
      Path nativeDir =
          config.nativeDir().map(Path::of).orElseGet(() -> NativeLibraries.defaultDir(version()));
      // Half the cores for ONNX Runtime, the rest for HTTP and JSON: on two cores one inference
      // thread
      // beside the event loops serves ~1.3x more than two threads fighting them (bench/RESULTS.md).
      int intraOp =
          config.intraOpThreads() > 0
              ? config.intraOpThreads()
              : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
      model =
          OnnxModel.load(
              file, plan, config.cudaDeviceId(), intraOp, config.intraOpSpinning(), nativeDir);
      loaded = System.nanoTime();
      warmUp(file);
      warmed = System.nanoTime();
      inference = inference(model.signature());
    }
    if (config.handlerClass().isPresent()) {
      handler = loadHandler(dir);
    }
    // A kill -9 of `knoe serve` runs no shutdown hook: follow the parent instead of lingering as an
    // orphan.
    if (config.parentPid().isPresent() && !followParent(config.parentPid().get())) {
      return;
    }
    ready = true;
    LOG.infof(
        "Model '%s' ready in %d ms%s",
        modelName,
        (System.nanoTime() - start) / 1_000_000,
        handler == null ? "" : " with handler " + config.handlerClass().get());
    // The cold-start breakdown (bench/coldstart.sh reads this line): from the spawn by the local
    // backend (launcher script included), else from the OS's process start time.
    Optional<Long> spawned =
        config
            .spawnedAtMs()
            .or(
                () ->
                    ProcessHandle.current()
                        .info()
                        .startInstant()
                        .map(java.time.Instant::toEpochMilli));
    if (spawned.isPresent()) {
      LOG.infof(
          "Cold start: process start to framework ready %d ms, ONNX Runtime and model load %d ms, first inference %d ms",
          bootedAt - spawned.get(), (loaded - start) / 1_000_000, (warmed - loaded) / 1_000_000);
    }
  }

  /**
   * Exits when the parent process does: true when it lives and is watched; false when it is gone
   * already (killed while this instance started: CrashConsistencyIT left such orphans running for
   * good), the exit begun. A pid that the system has given to a process started after this one was
   * spawned is not the parent.
   */
  private boolean followParent(long pid) {
    Optional<ProcessHandle> parent = ProcessHandle.of(pid).filter(this::startedBeforeUs);
    if (parent.isEmpty()) {
      LOG.warnf("Parent process %d is gone; stopping", pid);
      io.quarkus.runtime.Quarkus.asyncExit();
      return false;
    }
    parent
        .get()
        .onExit()
        .thenRun(
            () -> {
              LOG.warnf("Parent process %d exited; stopping", pid);
              io.quarkus.runtime.Quarkus.asyncExit();
            });
    return true;
  }

  private boolean startedBeforeUs(ProcessHandle p) {
    Optional<Long> spawned = config.spawnedAtMs();
    Optional<java.time.Instant> started = p.info().startInstant();
    return spawned.isEmpty()
        || started.isEmpty()
        || started.get().toEpochMilli() <= spawned.get() + START_TIME_SLACK_MS;
  }

  /**
   * One run before ready, so the first request does not pay for lazy initialisation: with the
   * model's own {@value #SAMPLE_REQUEST} (a {@code /score} body beside the model file) when there
   * is one, else with zeros. A failure is logged and the instance starts all the same: zeros are
   * not a valid input of every model (a Range step, a divisor, a scale), and ONNX Runtime has
   * loaded it, so each request is judged on its own.
   */
  private void warmUp(Path file) {
    Path sample = file.resolveSibling(SAMPLE_REQUEST);
    boolean hasSample = Files.isRegularFile(sample);
    try {
      if (hasSample) {
        model.run(ScoreCodec.decode(Files.readAllBytes(sample), model.signature()));
      } else {
        model.warmUp();
      }
    } catch (Exception e) {
      LOG.warnf(
          "Warm-up run with %s failed; serving all the same (the model's inputs are %s): %s",
          hasSample ? sample : "zeros (add a " + SAMPLE_REQUEST + " beside the model to use it)",
          model.signature().inputNames(),
          e.getMessage());
    }
  }

  private Inference inference(Signature signature) {
    Observer observer = metrics.inferenceObserver();
    int workers = Math.max(1, config.batch().workers());
    if (config.batch().maxSize() > 1 && signature.batchable()) {
      LOG.infof(
          "Dynamic batching on: up to %d rows, waiting at most %d ms under load, %d concurrent run(s)",
          config.batch().maxSize(), config.batch().maxDelayMs(), workers);
      Inference b =
          new Batcher(
              model::run,
              config.batch().maxSize(),
              config.batch().maxDelayMs(),
              workers,
              pool("knoe-infer", workers),
              observer);
      metrics.queueDepth(b::queueDepth);
      return b;
    }
    LOG.infof(
        "Dynamic batching off (%s)",
        config.batch().maxSize() <= 1
            ? "KNOE_BATCH_MAX_SIZE=" + config.batch().maxSize()
            : "the model's inputs and outputs do not all have a dynamic first dimension");
    Inference d =
        new Direct(
            model::run, pool("knoe-infer", Runtime.getRuntime().availableProcessors()), observer);
    metrics.queueDepth(d::queueDepth);
    return d;
  }

  private ScoringHandler loadHandler(Optional<Path> dir) throws Exception {
    Path path =
        config
            .handlerPath()
            .map(Path::of)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "KNOE_HANDLER_CLASS is set but KNOE_HANDLER_PATH is not"));
    ScoringHandler h = Handlers.load(path, config.handlerClass().get());
    Model handlerModel = model == null ? null : new HandlerModel(model);
    h.init(
        new HandlerContext() {
          @Override
          public Path modelDir() {
            return dir.orElse(null);
          }

          @Override
          public String modelName() {
            return modelName;
          }

          @Override
          public Model model() {
            if (handlerModel == null) {
              throw new IllegalStateException("no model: KNOE_MODEL_DIR is not set");
            }
            return handlerModel;
          }

          @Override
          public Map<String, String> environment() {
            return System.getenv();
          }
        });
    handlerPool = pool("knoe-handler", Math.max(8, 4 * Runtime.getRuntime().availableProcessors()));
    return h;
  }

  private static ExecutorService pool(String name, int threads) {
    AtomicInteger n = new AtomicInteger();
    return Executors.newFixedThreadPool(
        threads,
        r -> {
          Thread t = new Thread(r, name + "-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  private static boolean gpuPresent() {
    return Files.exists(Path.of("/dev/nvidiactl"))
        || Files.exists(Path.of("/proc/driver/nvidia/version"));
  }

  private static String version() {
    String v = ai.onnxruntime.OrtEnvironment.class.getPackage().getImplementationVersion();
    return v == null ? "1.29.0" : v;
  }

  void stop(@Observes ShutdownEvent event) {
    if (inference != null) {
      inference.close();
    }
    if (handlerPool != null) {
      handlerPool.shutdown();
    }
    if (model != null) {
      model.close();
    }
  }

  public boolean ready() {
    return ready;
  }

  public String modelName() {
    return modelName;
  }

  /**
   * Refuses (404) a V2 model name this instance does not answer to: its model's name, or the name
   * of its endpoint ({@code KNOE_ENDPOINT_NAME}), which every deployment of the endpoint answers
   * to, so a client that lets the traffic split choose the deployment can name the model without
   * knowing which one answers.
   */
  public void checkModelName(String asked) {
    if (asked.equals(modelName) || config.endpointName().filter(asked::equals).isPresent()) {
      return;
    }
    throw new ScoringException(
        ScoringException.Kind.NOT_FOUND,
        "unknown model '"
            + asked
            + "'; this server serves '"
            + modelName
            + "'"
            + config
                .endpointName()
                .map(e -> " (or, by its endpoint's name, '" + e + "')")
                .orElse(""));
  }

  /** The one version of the model this instance serves, in V2 paths and answers. */
  public static final String MODEL_VERSION = "1";

  /**
   * Refuses (404) a V2 model version other than the one served: an instance loads one model file,
   * and the registry's version of it is not passed to instances, so its only version is {@value
   * #MODEL_VERSION}. An empty version (gRPC's default, a path without {@code /versions/}) names it.
   */
  public void checkModelVersion(String model, String asked) {
    if (asked == null || asked.isEmpty() || asked.equals(MODEL_VERSION)) {
      return;
    }
    throw new ScoringException(
        ScoringException.Kind.NOT_FOUND,
        "model '"
            + model
            + "' has no version '"
            + asked
            + "'; its only version is '"
            + MODEL_VERSION
            + "'");
  }

  public Optional<Signature> signature() {
    return Optional.ofNullable(model).map(OnnxModel::signature);
  }

  private OnnxModel requireModel() {
    if (!ready) {
      throw new ScoringException(ScoringException.Kind.NOT_READY, "the model is still loading");
    }
    if (model == null) {
      throw ScoringException.noModel();
    }
    return model;
  }

  /** {@code POST /score}: the custom handler when there is one, else the model. */
  public CompletableFuture<byte[]> score(
      byte[] body, String contentType, Map<String, String> headers) {
    if (handler != null) {
      return CompletableFuture.supplyAsync(
          () -> runHandler(new HandlerRequest(body, contentType, headers, mapper)), handlerPool);
    }
    OnnxModel m = requireModel();
    var arriving = inference.arriving();
    arriving.incrementAndGet();
    Map<String, Tensor> inputs;
    try {
      inputs = ScoreCodec.decode(body, m.signature());
    } finally {
      arriving.decrementAndGet(); // before submit: the woken dispatcher must not wait for this very
      // request
    }
    return inference.submit(inputs).thenApply(ScoreCodec::encode);
  }

  /**
   * A V2 infer request answered all in JSON (CloudEvents carry JSON): outputs asked for as binary
   * data come back as JSON data.
   */
  public CompletableFuture<byte[]> infer(byte[] body) {
    return infer(V2Codec.Body.json(body), true).thenApply(V2Codec.Response::json);
  }

  /** {@code POST /v2/models/{m}/infer}, JSON or with binary tensor data. */
  public CompletableFuture<V2Codec.Response> infer(V2Codec.Body body) {
    return infer(body, false);
  }

  private CompletableFuture<V2Codec.Response> infer(V2Codec.Body body, boolean jsonOnly) {
    OnnxModel m = requireModel();
    var arriving = inference.arriving();
    arriving.incrementAndGet();
    V2Codec.Request request;
    try {
      V2Codec.Request decoded = V2Codec.decode(body, m.signature());
      request = jsonOnly ? decoded.asJson() : decoded;
    } finally {
      arriving.decrementAndGet();
    }
    return inference
        .submit(request.inputs())
        .thenApply(out -> V2Codec.encode(modelName, request, out));
  }

  /**
   * An infer request in a wire format its caller decodes (gRPC), through the same batcher as HTTP's
   * V2 requests; {@code decode} runs counted as arriving, as HTTP's parse does, and {@code encode}
   * on the thread that finished the run.
   */
  public <T> CompletableFuture<T> infer(
      Function<Signature, V2Codec.Request> decode,
      BiFunction<V2Codec.Request, Map<String, Tensor>, T> encode) {
    OnnxModel m = requireModel();
    var arriving = inference.arriving();
    arriving.incrementAndGet();
    V2Codec.Request request;
    try {
      request = decode.apply(m.signature());
    } finally {
      arriving.decrementAndGet();
    }
    return inference.submit(request.inputs()).thenApply(out -> encode.apply(request, out));
  }

  private byte[] runHandler(ScoringRequest request) {
    Object result;
    try {
      result = handler.run(request);
    } catch (ScoringException e) {
      throw e;
    } catch (Exception | LinkageError e) {
      throw new ScoringException(
          ScoringException.Kind.HANDLER_FAILED,
          "the scoring handler failed: "
              + (e.getMessage() == null ? e.getClass().getName() : e.getMessage()),
          e);
    }
    try {
      return result instanceof byte[] raw ? raw : mapper.writeValueAsBytes(result);
    } catch (Exception e) {
      throw new ScoringException(
          ScoringException.Kind.HANDLER_FAILED,
          "the scoring handler returned a value that cannot be written as JSON: " + e.getMessage(),
          e);
    }
  }
}
