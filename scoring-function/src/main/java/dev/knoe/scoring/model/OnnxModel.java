package dev.knoe.scoring.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.knoe.scoring.ScoringException;
import dev.knoe.scoring.tensor.DType;
import dev.knoe.scoring.tensor.Tensor;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * One ONNX Runtime session, shared by all threads (ONNX Runtime allows concurrent {@code run} calls
 * on one session). Inputs are handed over as direct buffers without a copy.
 */
public final class OnnxModel implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(OnnxModel.class);

  private final OrtEnvironment env;
  private final OrtSession session;
  private final Signature signature;
  private final String provider;

  private OnnxModel(OrtEnvironment env, OrtSession session, Signature signature, String provider) {
    this.env = env;
    this.session = session;
    this.signature = signature;
    this.provider = provider;
  }

  /**
   * Loads the model on the planned provider. When CUDA was planned but cannot be used, says why in
   * one log line and runs on CPU.
   *
   * @throws IllegalStateException naming the file when ONNX Runtime cannot load it
   */
  public static OnnxModel load(
      Path file, DevicePlan plan, int cudaDevice, int intraOpThreads, Path nativeDir) {
    return load(file, plan, cudaDevice, intraOpThreads, true, nativeDir);
  }

  /**
   * @param spinning whether ONNX Runtime's idle worker threads spin (lower latency per run) or
   *     sleep (leave the cores to the HTTP side between runs)
   */
  public static OnnxModel load(
      Path file,
      DevicePlan plan,
      int cudaDevice,
      int intraOpThreads,
      boolean spinning,
      Path nativeDir) {
    NativeLibraries.prepare(nativeDir, NativeLibraries.CPU);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    if (plan.tryCuda()) {
      // The CUDA provider can load (CUDA libraries installed) and still fail at session creation
      // (no device, driver too old), so the whole session is the unit that falls back.
      try (OrtSession.SessionOptions options = options(intraOpThreads, spinning)) {
        NativeLibraries.prepare(nativeDir, NativeLibraries.CUDA);
        options.addCUDA(cudaDevice);
        return open(env, file, options, "CUDA:" + cudaDevice, plan.reason());
      } catch (OrtException | RuntimeException | LinkageError e) {
        LOG.warnf(
            "CUDA execution provider unavailable (%s): %s; falling back to CPU",
            plan.reason(), firstLine(e));
      }
    }
    try (OrtSession.SessionOptions options = options(intraOpThreads, spinning)) {
      return open(
          env,
          file,
          options,
          "CPU",
          plan.tryCuda() ? "CUDA unavailable, see the warning above" : plan.reason());
    } catch (OrtException e) {
      throw new IllegalStateException("cannot load ONNX model " + file + ": " + firstLine(e), e);
    }
  }

  private static OnnxModel open(
      OrtEnvironment env, Path file, OrtSession.SessionOptions options, String provider, String why)
      throws OrtException {
    OrtSession session = env.createSession(file.toString(), options);
    Signature signature =
        new Signature(specs(session.getInputInfo()), specs(session.getOutputInfo()));
    LOG.infof(
        "Model %s runs on the %s execution provider (%s); inputs %s, outputs %s",
        file, provider, why, signature.inputs(), signature.outputs());
    return new OnnxModel(env, session, signature, provider);
  }

  private static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl > 0 ? m.substring(0, nl) : m;
  }

  private static OrtSession.SessionOptions options(int intraOpThreads, boolean spinning) {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    try {
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.setIntraOpNumThreads(
          intraOpThreads > 0 ? intraOpThreads : Runtime.getRuntime().availableProcessors());
      options.setInterOpNumThreads(1);
      options.addConfigEntry("session.intra_op.allow_spinning", spinning ? "1" : "0");
    } catch (OrtException e) {
      throw new IllegalStateException(e);
    }
    return options;
  }

  private static List<TensorSpec> specs(Map<String, NodeInfo> nodes) {
    List<TensorSpec> specs = new ArrayList<>();
    for (NodeInfo node : nodes.values()) {
      if (!(node.getInfo() instanceof TensorInfo info)) {
        throw new IllegalStateException(
            "model value '"
                + node.getName()
                + "' is a "
                + node.getInfo()
                + ", not a tensor; Knoe serves tensor inputs and outputs");
      }
      DType type =
          DType.ofOnnx(info.onnxType)
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "model value '"
                              + node.getName()
                              + "' has unsupported type "
                              + info.onnxType));
      specs.add(new TensorSpec(node.getName(), type, info.getShape()));
    }
    return specs;
  }

  public Signature signature() {
    return signature;
  }

  /** "CPU" or "CUDA:n". */
  public String provider() {
    return provider;
  }

  /**
   * Runs the model on checked inputs and returns every output, copied out of ONNX Runtime.
   *
   * @throws ScoringException 400 when ONNX Runtime rejects the values
   */
  public Map<String, Tensor> run(Map<String, Tensor> inputs) {
    Map<String, OnnxTensor> feed = new LinkedHashMap<>();
    try {
      for (var e : inputs.entrySet()) {
        feed.put(e.getKey(), toOnnx(e.getKey(), e.getValue()));
      }
      try (OrtSession.Result result = session.run(feed)) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, OnnxValue> e : result) {
          out.put(e.getKey(), fromOnnx((OnnxTensor) e.getValue()));
        }
        return out;
      }
    } catch (OrtException e) {
      throw new ScoringException(
          ScoringException.Kind.BAD_INPUT, "ONNX Runtime rejected the input: " + e.getMessage(), e);
    } finally {
      feed.values().forEach(OnnxTensor::close);
    }
  }

  /** Runs with plain Java arrays, for custom handlers ({@code dev.knoe.spi.Model}). */
  public Map<String, Object> runArrays(Map<String, Object> inputs) throws OrtException {
    Map<String, OnnxTensor> feed = new LinkedHashMap<>();
    try {
      for (var e : inputs.entrySet()) {
        feed.put(e.getKey(), OnnxTensor.createTensor(env, e.getValue()));
      }
      try (OrtSession.Result result = session.run(feed)) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, OnnxValue> e : result) {
          out.put(e.getKey(), e.getValue().getValue());
        }
        return out;
      }
    } finally {
      feed.values().forEach(OnnxTensor::close);
    }
  }

  private OnnxTensor toOnnx(String name, Tensor t) throws OrtException {
    if (t.type().isString()) {
      return OnnxTensor.createTensor(env, t.strings(), t.shape());
    }
    var javaType =
        t.type()
            .javaType()
            .orElseThrow(
                () ->
                    ScoringException.badInput(
                        "input '%s' is %s, which ONNX Runtime's Java API cannot carry",
                        name, t.type()));
    return OnnxTensor.createTensor(env, t.data(), t.shape(), javaType);
  }

  private static Tensor fromOnnx(OnnxTensor t) throws OrtException {
    TensorInfo info = t.getInfo();
    DType type = DType.ofOnnx(info.onnxType).orElseThrow();
    long[] shape = info.getShape();
    if (type.isString()) {
      String[] flat = new String[(int) Tensor.elements(shape)];
      flatten(t.getValue(), flat, new int[] {0});
      return new Tensor(type, shape, null, flat);
    }
    ByteBuffer bytes = t.getByteBuffer().order(ByteOrder.nativeOrder());
    return new Tensor(type, shape, bytes, null);
  }

  private static void flatten(Object value, String[] into, int[] at) {
    if (value instanceof String s) {
      into[at[0]++] = s;
    } else {
      for (int i = 0, n = Array.getLength(value); i < n; i++) {
        flatten(Array.get(value, i), into, at);
      }
    }
  }

  /**
   * Runs a batch of one with zeros, so the first real request does not pay for lazy initialisation.
   */
  public void warmUp() {
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    for (TensorSpec spec : signature.inputs()) {
      long[] shape = spec.shape().clone();
      for (int i = 0; i < shape.length; i++) {
        shape[i] = shape[i] < 0 ? 1 : shape[i];
      }
      int n = (int) Tensor.elements(shape);
      String[] empty = new String[n];
      java.util.Arrays.fill(empty, "");
      inputs.put(
          spec.name(),
          spec.type().isString()
              ? new Tensor(spec.type(), shape, null, empty)
              : new Tensor(spec.type(), shape, Tensor.allocate((long) n * spec.type().size), null));
    }
    run(inputs);
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      LOG.debug("closing the session", e);
    }
  }
}
