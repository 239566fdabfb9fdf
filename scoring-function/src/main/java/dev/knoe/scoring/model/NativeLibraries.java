package dev.knoe.scoring.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Puts ONNX Runtime's native libraries in a folder once and points ONNX Runtime at it ({@code
 * onnxruntime.native.path}), so a start does not unpack 32 MiB into a fresh temp folder, and the
 * CUDA provider (583 MiB) is unpacked only the first time a GPU deployment asks for it. Files are
 * written to a temp name and renamed, so concurrent starts never load a half-written one.
 */
public final class NativeLibraries {

  private static final Logger LOG = Logger.getLogger(NativeLibraries.class);
  private static final String RESOURCES = "/ai/onnxruntime/native/linux-x64/";
  static final List<String> CPU = List.of("libonnxruntime.so", "libonnxruntime4j_jni.so");
  static final List<String> CUDA =
      List.of("libonnxruntime_providers_shared.so", "libonnxruntime_providers_cuda.so");

  private NativeLibraries() {}

  /**
   * The default folder: {@code $XDG_CACHE_HOME/knoe} or {@code ~/.cache/knoe}, per ONNX Runtime
   * version.
   */
  public static Path defaultDir(String version) {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("knoe").resolve("onnxruntime-" + version);
  }

  /**
   * Makes sure the given libraries are in {@code dir} and sets {@code onnxruntime.native.path}.
   * Does nothing when that property is already set (an image with pre-extracted libraries) or when
   * the jar holds no linux-x64 libraries (ONNX Runtime then uses its own lookup).
   */
  public static void prepare(Path dir, List<String> libraries) {
    String preset = System.getProperty("onnxruntime.native.path");
    if (preset != null && !preset.equals(dir.toString())) {
      return;
    }
    if (NativeLibraries.class.getResource(RESOURCES + libraries.get(0)) == null) {
      return;
    }
    try {
      Files.createDirectories(dir);
      for (String lib : libraries) {
        extract(dir, lib);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot unpack ONNX Runtime's native libraries into " + dir, e);
    }
    System.setProperty("onnxruntime.native.path", dir.toString());
  }

  private static void extract(Path dir, String lib) throws IOException {
    Path target = dir.resolve(lib);
    long expected = resourceSize(lib);
    if (Files.exists(target) && (expected < 0 || Files.size(target) == expected)) {
      return;
    }
    long start = System.nanoTime();
    Path tmp = Files.createTempFile(dir, lib, ".part");
    try (InputStream in = NativeLibraries.class.getResourceAsStream(RESOURCES + lib)) {
      if (in == null) {
        throw new IOException("ONNX Runtime jar has no " + lib);
      }
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    LOG.infof(
        "Unpacked %s (%d MiB) into %s in %d ms; later starts reuse it",
        lib, Files.size(target) >> 20, dir, (System.nanoTime() - start) / 1_000_000);
  }

  private static long resourceSize(String lib) {
    try {
      var url = NativeLibraries.class.getResource(RESOURCES + lib);
      if (url == null) {
        return -1;
      }
      var conn = url.openConnection();
      conn.setUseCaches(false);
      return conn.getContentLengthLong();
    } catch (IOException e) {
      return -1;
    }
  }
}
