package dev.knoe.scoring.codec;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.knoe.scoring.ScoringException;
import dev.knoe.scoring.model.Signature;
import dev.knoe.scoring.model.TensorSpec;
import dev.knoe.scoring.tensor.DType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A property-based fuzz test of the JSON → tensor codecs: the {@code /score} body ({@link
 * ScoreCodec}), the V2 infer body with and without binary tensor data ({@link V2Codec}, {@link
 * BinaryData#split}), and a CloudEvent's data (read as Funqy reads it, then decoded as {@code
 * ScoreEvents} does). Inputs are the seed corpus in {@code src/test/resources/fuzz-corpus/<target>}
 * mutated by {@link Mutator}; each is decoded against several model signatures.
 *
 * <p>The property: a decode either succeeds or throws {@link ScoringException} of a 4xx kind with a
 * message; never another exception (NullPointerException, ClassCastException, an index out of
 * bounds), a StackOverflowError or an OutOfMemoryError, and never more than 5 s for one input.
 *
 * <p>Budget: {@code fuzz.iterations} mutated inputs per target (default 3000, a few seconds),
 * seeded by {@code fuzz.seed} (default 15); e.g. {@code ./mvnw -pl scoring-function -am test
 * -Dtest=CodecFuzzTest -Dsurefire.failIfNoSpecifiedTests=false -Dfuzz.iterations=1000000
 * -Dfuzz.seed=$RANDOM} for a longer run. A failure names the seed and iteration and writes the
 * input to {@code target/fuzz-failures/}.
 */
class CodecFuzzTest {

  static final int ITERATIONS = Integer.getInteger("fuzz.iterations", 3000);
  static final long SEED = Long.getLong("fuzz.seed", 15);

  /** Model signatures the inputs are decoded against: one input, many datatypes, a fixed shape. */
  static final List<Signature> SIGNATURES =
      List.of(
          new Signature(
              List.of(new TensorSpec("x", DType.FP32, new long[] {-1, 3})),
              List.of(new TensorSpec("y", DType.FP32, new long[] {-1, 1}))),
          new Signature(
              List.of(
                  new TensorSpec("x", DType.FP32, new long[] {-1, 3}),
                  new TensorSpec("ids", DType.INT64, new long[] {-1, 2}),
                  new TensorSpec("flags", DType.BOOL, new long[] {-1}),
                  new TensorSpec("names", DType.BYTES, new long[] {-1}),
                  new TensorSpec("half", DType.FP16, new long[] {-1, 2}),
                  new TensorSpec("raw", DType.UINT8, new long[] {-1})),
              List.of(
                  new TensorSpec("y", DType.FP32, new long[] {-1, 1}),
                  new TensorSpec("z", DType.INT64, new long[] {-1}))),
          new Signature(
              List.of(new TensorSpec("x", DType.FP32, new long[] {2, 3})),
              List.of(new TensorSpec("y", DType.FP64, new long[] {}))));

  /** Header values for the binary extension's JSON length, right and wrong. */
  static final List<String> HEADERS = List.of("", "0", "-1", "x", "99999999999999999999", " 5 ");

  private static final ObjectMapper FUNQY = new ObjectMapper();

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"score", "v2", "v2-binary", "events"})
  void decodesOrRefusesWithA4xx(String target) throws Exception {
    List<byte[]> corpus = corpus(target.startsWith("v2") ? "v2" : target);
    Random random = new Random(SEED ^ target.hashCode());
    Mutator mutator = new Mutator(random);
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < ITERATIONS && failures.size() < 5; i++) {
      byte[] seed = corpus.get(random.nextInt(corpus.size()));
      byte[] input = i < corpus.size() ? corpus.get(i) : mutator.mutate(seed);
      byte[] tail = new byte[random.nextInt(4) == 0 ? random.nextInt(64) : 12];
      random.nextBytes(tail);
      String header =
          random.nextInt(8) == 0
              ? HEADERS.get(random.nextInt(HEADERS.size()))
              : Integer.toString(input.length);
      for (Signature signature : SIGNATURES) {
        long start = System.nanoTime();
        String why = check(target, input, tail, header, signature);
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (why == null && ms > 5000) {
          why = "took " + ms + " ms";
        }
        if (why != null) {
          failures.add(report(target, i, input, signature, why));
          break;
        }
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n\n", failures));
  }

  /** Null when the codec held the property on this input, else what it did. */
  static String check(String target, byte[] input, byte[] tail, String header, Signature sig) {
    try {
      switch (target) {
        case "score" -> ScoreCodec.decode(input, sig);
        case "v2" -> V2Codec.decode(input, sig);
        case "v2-binary" -> {
          byte[] body = new byte[input.length + tail.length];
          System.arraycopy(input, 0, body, 0, input.length);
          System.arraycopy(tail, 0, body, input.length, tail.length);
          V2Codec.decode(BinaryData.split(body, 0, body.length, header), sig);
        }
        case "events" -> {
          JsonNode data;
          try {
            data = FUNQY.readTree(input);
          } catch (JsonProcessingException e) {
            return null; // not JSON: refused before ScoreEvents sees it
          }
          // ScoreEvents' rule: a V2 body has an "inputs" list, else it is a /score body.
          byte[] body = FUNQY.writeValueAsBytes(data);
          if (data != null && data.path("inputs").isArray()) {
            V2Codec.decode(body, sig);
          } else {
            ScoreCodec.decode(body, sig);
          }
        }
        default -> throw new IllegalArgumentException(target);
      }
      return null;
    } catch (ScoringException e) {
      if (e.status() < 400 || e.status() >= 500) {
        return "a ScoringException with status " + e.status() + ": " + e.getMessage();
      }
      if (e.getMessage() == null || e.getMessage().isBlank()) {
        return "a ScoringException without a message";
      }
      return null;
    } catch (StackOverflowError e) {
      return "StackOverflowError";
    } catch (Throwable e) {
      var trace = new java.io.StringWriter();
      e.printStackTrace(new java.io.PrintWriter(trace));
      return trace.toString().lines().limit(12).reduce((a, b) -> a + "\n" + b).orElse("");
    }
  }

  private static String report(String target, int i, byte[] input, Signature sig, String why)
      throws IOException {
    Path dir = Path.of("target", "fuzz-failures");
    Files.createDirectories(dir);
    Path file = dir.resolve(target + "-seed" + SEED + "-" + i + ".json");
    Files.write(file, input);
    String shown = new String(input, StandardCharsets.UTF_8);
    return target
        + " (fuzz.seed="
        + SEED
        + ", iteration "
        + i
        + ", inputs "
        + sig.inputNames()
        + ", input in "
        + file.toAbsolutePath()
        + "): "
        + (shown.length() > 300 ? shown.substring(0, 300) + "..." : shown)
        + "\n -> "
        + why;
  }

  static List<byte[]> corpus(String folder) throws IOException {
    Path dir = Path.of("src/test/resources/fuzz-corpus", folder);
    try (Stream<Path> files = Files.list(dir)) {
      List<byte[]> out = new ArrayList<>();
      for (Path f : files.sorted().toList()) {
        out.add(Files.readAllBytes(f));
      }
      assertTrue(!out.isEmpty(), "no seed inputs in " + dir);
      return out;
    }
  }
}
