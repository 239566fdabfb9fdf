package dev.knoe.bench;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Raw in-process ONNX Runtime throughput: one thread calling {@code session.run} back to back on
 * a batch of {@code batch} rows, which is what the scoring function's batcher does with one worker
 * ({@code KNOE_BATCH_WORKERS=1}), minus HTTP, JSON and queueing.
 *
 * <p>Each call does the same work as {@code dev.knoe.scoring.model.OnnxModel#run}: wrap a direct
 * buffer as an input tensor (no copy), run, copy every output out with {@code getByteBuffer()},
 * close. Session options are the server's: {@code ALL_OPT}, intra-op threads = cores (or
 * {@code intraOpThreads}), inter-op threads 1.
 *
 * <p>The primary score is runs/s; the secondary {@code rows} score is rows/s (runs/s x batch),
 * the figure to compare with HTTP requests/s of one-row requests.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RawOnnxBenchmark {

  /** Model file; relative paths are looked up from the working directory and its parents. */
  @Param("samples/models/mlp/model/model.onnx")
  public String model;

  /** Rows per run. */
  @Param({"1", "8", "16", "32", "64"})
  public int batch;

  /** ONNX Runtime intra-op threads; 0 = one per core, as the server's KNOE_INTRA_OP_THREADS=0. */
  @Param("0")
  public int intraOpThreads;

  /**
   * ONNX Runtime's {@code session.intra_op.allow_spinning}: "1" (its default, and the server's) lets
   * idle intra-op threads spin for work; "0" makes them sleep. For diagnosis: -p allowSpinning=0,1
   */
  @Param("1")
  public String allowSpinning;

  private OrtEnvironment env;
  private OrtSession session;
  private String inputName;
  private ByteBuffer input;
  private long[] shape;

  /** Rows scored, reported by JMH as a rate (rows/s) next to the runs/s primary score. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Rows {
    public long rows;

    @Setup(Level.Iteration)
    public void reset() {
      rows = 0;
    }
  }

  @Setup(Level.Trial)
  public void setUp() throws OrtException {
    env = OrtEnvironment.getEnvironment();
    int threads = intraOpThreads > 0 ? intraOpThreads : Runtime.getRuntime().availableProcessors();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      if (!allowSpinning.equals("1")) {
        options.addConfigEntry("session.intra_op.allow_spinning", allowSpinning);
      }
      session = env.createSession(resolve(model).toString(), options);
    }
    Map.Entry<String, NodeInfo> in = session.getInputInfo().entrySet().iterator().next();
    inputName = in.getKey();
    TensorInfo info = (TensorInfo) in.getValue().getInfo();
    if (info.type != OnnxJavaType.FLOAT) {
      throw new IllegalStateException("this benchmark feeds FLOAT inputs; " + inputName + " is " + info.type);
    }
    shape = info.getShape().clone();
    shape[0] = batch;
    long elements = 1;
    for (int i = 1; i < shape.length; i++) {
      if (shape[i] < 0) {
        throw new IllegalStateException("only the first dimension may be dynamic: " + java.util.Arrays.toString(info.getShape()));
      }
      elements *= shape[i];
    }
    elements *= batch;
    input = ByteBuffer.allocateDirect((int) elements * Float.BYTES).order(ByteOrder.nativeOrder());
    SplittableRandom random = new SplittableRandom(42);
    for (long i = 0; i < elements; i++) {
      input.putFloat((float) random.nextGaussian());
    }
    input.flip();
    System.out.printf("%n# model %s, input %s %s, intra-op threads %d, inter-op 1, ALL_OPT, allow_spinning %s%n",
        model, inputName, java.util.Arrays.toString(shape), threads, allowSpinning);
  }

  @Benchmark
  public void run(Rows rows, Blackhole bh) throws OrtException {
    try (OnnxTensor tensor = OnnxTensor.createTensor(env, input.duplicate(), shape, OnnxJavaType.FLOAT);
        OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
      for (Map.Entry<String, OnnxValue> e : result) {
        bh.consume(((OnnxTensor) e.getValue()).getByteBuffer());
      }
    }
    rows.rows += batch;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws OrtException {
    session.close();
  }

  static Path resolve(String file) {
    Path p = Path.of(file);
    if (p.isAbsolute() || Files.exists(p)) {
      return p;
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve(file))) {
        return dir.resolve(file);
      }
    }
    throw new IllegalStateException("model file not found: " + file + " (run from the repository root or pass -p model=/abs/path)");
  }
}
