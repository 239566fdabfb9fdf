package dev.knoe.control.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry shared by two control planes on one folder (a cluster's volume): no upload is lost.
 */
class ModelRegistryTest {

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
}
