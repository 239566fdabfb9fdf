package dev.knoe.control.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.knoe.spi.onnx.Onnx.GraphProto;
import dev.knoe.spi.onnx.Onnx.ModelProto;
import dev.knoe.spi.onnx.Onnx.OperatorSetIdProto;
import dev.knoe.spi.onnx.Onnx.StringStringEntryProto;
import dev.knoe.spi.onnx.Onnx.TensorProto;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The registry shared by two control planes on one folder (a cluster's volume): no upload is lost;
 * an upload that is not a usable model leaves no trace in the store.
 */
public class ModelRegistryTest {

  static final Path MODEL = Path.of("../samples/models/model-1/model/model.onnx");

  @TempDir Path root;

  @Test
  void concurrentUploadsThroughTwoRegistriesGetDistinctVersions() throws Exception {
    byte[] onnx = Files.readAllBytes(MODEL);
    ModelRegistry a = new ModelRegistry(root, 1 << 20, Clock.systemUTC());
    ModelRegistry b = new ModelRegistry(root, 1 << 20, Clock.systemUTC());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<ModelVersion>> uploads = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        ModelRegistry r = i % 2 == 0 ? a : b;
        uploads.add(
            pool.submit(() -> r.register("fraud", new ByteArrayInputStream(onnx), null, false)));
      }
      List<Integer> got = new ArrayList<>();
      for (var f : uploads) {
        got.add(f.get().version());
      }
      assertEquals(IntStream.rangeClosed(1, 16).boxed().toList(), got.stream().sorted().toList());
      assertEquals(16, a.versions("fraud").size(), "every upload is listed");
    } finally {
      pool.shutdownNow();
    }
  }

  record Refused(String name, byte[] content, String error) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** A model whose initializer 'w' keeps its data in ../../etc/passwd (ControlApiTest too). */
  public static byte[] outsideItsFolder() {
    return ModelProto.newBuilder()
        .setIrVersion(8)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17))
        .setGraph(
            GraphProto.newBuilder()
                .setName("g")
                .addInitializer(
                    TensorProto.newBuilder()
                        .setName("w")
                        .addExternalData(
                            StringStringEntryProto.newBuilder()
                                .setKey("location")
                                .setValue("../../etc/passwd"))))
        .build()
        .toByteArray();
  }

  static Stream<Refused> refused() throws IOException {
    byte[] sample = Files.readAllBytes(MODEL);
    return Stream.of(
        new Refused(
            "external data outside the folder",
            outsideItsFolder(),
            "the upload is not a usable ONNX model: graph 'g' initializer 'w' keeps its data at"
                + " '../../etc/passwd', which leaves the model's folder"),
        new Refused(
            "truncated",
            Arrays.copyOf(sample, sample.length / 2),
            "the upload is not a usable ONNX model: the file does not parse as an ONNX model: While"
                + " parsing a protocol message, the input ended unexpectedly in the middle of a"
                + " field"),
        new Refused(
            "one byte",
            new byte[] {0x08},
            "the upload is not a usable ONNX model: the file does not parse as an ONNX model: While"
                + " parsing a protocol message, the input ended unexpectedly in the middle of a"
                + " field"),
        new Refused(
            "empty", new byte[0], "the upload is not a usable ONNX model: the file is empty"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void aRefusedUploadWritesNothing(Refused upload) throws IOException {
    ModelRegistry registry = new ModelRegistry(root, 1 << 20, Clock.systemUTC());
    registry.register("fraud", Files.newInputStream(MODEL), null, false);
    Map<Path, Object> before = snapshot();

    var e =
        assertThrows(
            ModelException.class,
            () ->
                registry.register(
                    "fraud", new ByteArrayInputStream(upload.content()), null, false));

    assertEquals(400, e.status());
    assertEquals(upload.error(), e.getMessage());
    assertEquals(before, snapshot(), "no blob, no version, no temp file");
    assertEquals(1, registry.versions("fraud").size());
  }

  /**
   * Every path under the store, folders included, and when each file was last written. (A folder's
   * own time changes when a temp file comes and goes in it.)
   */
  private Map<Path, Object> snapshot() throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      Map<Path, Object> out = new TreeMap<>();
      for (Path p : (Iterable<Path>) all::iterator) {
        out.put(root.relativize(p), Files.isDirectory(p) ? "folder" : Files.getLastModifiedTime(p));
      }
      return out;
    }
  }
}
