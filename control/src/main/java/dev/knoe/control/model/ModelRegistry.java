package dev.knoe.control.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.knoe.control.files.AtomicFiles;
import dev.knoe.control.files.DiskFullException;
import dev.knoe.control.spec.Names;
import dev.knoe.spi.InvalidModelException;
import dev.knoe.spi.ModelFolder;
import dev.knoe.spi.OnnxModelCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Models under {@code <data>/models}: metadata in {@code <name>/<version>.json}, content in {@code
 * blobs/<sha256>/model.onnx}, so the same file registered twice is stored once. Uploads stream to a
 * temp file while hashing and are checked by {@link OnnxModelCheck} before anything enters the
 * store. The temp file has a folder of its own, as the blob will: a stored model is the {@code
 * .onnx} file alone, so tensors that keep their data in other files are refused as missing.
 */
public final class ModelRegistry {

  private final Path root;
  private final long maxBytes;
  private final Clock clock;
  // File locks are per process: threads of one JVM (two registries on one folder) take this first.
  private static final java.util.concurrent.ConcurrentHashMap<Path, Object> FOLDER_LOCKS =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final ObjectMapper json =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  public ModelRegistry(Path root, long maxBytes, Clock clock) {
    this.root = root;
    this.maxBytes = maxBytes;
    this.clock = clock;
  }

  /**
   * Registers a new version of {@code name} from a stream; reuses the stored blob when the same
   * content is already there.
   *
   * @throws ModelException 400 for a bad name or content {@link OnnxModelCheck} refuses, 413 above
   *     the size limit
   */
  public synchronized ModelVersion register(
      String name, InputStream content, String description, boolean anonymous) {
    checkName(name);
    try {
      Files.createDirectories(root.resolve("blobs"));
      Path upload = Files.createTempDirectory(root.resolve("blobs"), "upload");
      Path tmp = upload.resolve(ModelFolder.PREFERRED);
      try {
        MessageDigest sha = sha256();
        long size;
        try (InputStream in = new DigestInputStream(content, sha);
            OutputStream out = Files.newOutputStream(tmp)) {
          size = copyLimited(in, out);
        }
        check(tmp);
        String hex = HexFormat.of().formatHex(sha.digest());
        Path blob = blob(hex);
        if (!Files.exists(blob)) {
          Files.createDirectories(blob.getParent());
          try (var ch =
              java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
          }
          Files.move(tmp, blob, StandardCopyOption.ATOMIC_MOVE);
        }
        // Two control-plane replicas may share this folder (a cluster's volume): numbering a
        // version
        // and writing it is one step under a file lock, so no upload takes another's number.
        synchronized (
            FOLDER_LOCKS.computeIfAbsent(root.toAbsolutePath().normalize(), k -> new Object())) {
          try (var lockFile =
                  java.nio.channels.FileChannel.open(
                      root.resolve(".versions.lock"),
                      java.nio.file.StandardOpenOption.CREATE,
                      java.nio.file.StandardOpenOption.WRITE);
              var held = lockFile.lock()) {
            int version =
                versions(name).stream().mapToInt(ModelVersion::version).max().orElse(0) + 1;
            ModelVersion v =
                new ModelVersion(name, version, hex, size, description, anonymous, clock.instant());
            AtomicFiles.write(
                root.resolve(name).resolve(version + ".json"), json.writeValueAsBytes(v));
            return v;
          }
        }
      } finally {
        Files.deleteIfExists(tmp);
        Files.deleteIfExists(upload);
      }
    } catch (IOException e) {
      throw DiskFullException.orUnchecked("cannot store model " + name, e);
    }
  }

  /**
   * The existing anonymous version with this content, or a new one, for an inline deployment model.
   */
  public synchronized ModelVersion registerInline(Path file, String name) {
    try (InputStream in = Files.newInputStream(file)) {
      String hex = HexFormat.of().formatHex(digest(file));
      Optional<ModelVersion> same =
          versions(name).stream().filter(v -> v.sha256().equals(hex)).findFirst();
      return same.orElseGet(() -> register(name, in, "registered from " + file, true));
    } catch (IOException e) {
      throw new ModelException(400, "cannot read model file " + file + ": " + e.getMessage());
    }
  }

  public List<String> names() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(Names.MODEL::isValid) // not blobs/, nor a folder someone else put here
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * @throws ModelException 400 for a name {@link Names#MODEL} refuses, before any path is built
   */
  public List<ModelVersion> versions(String name) {
    checkName(name);
    Path dir = root.resolve(name);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<ModelVersion> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".json"))::iterator) {
        out.add(json.readValue(f.toFile(), ModelVersion.class));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.sort(Comparator.comparingInt(ModelVersion::version));
    return out;
  }

  public Optional<ModelVersion> find(String name, int version) {
    return versions(name).stream().filter(v -> v.version() == version).findFirst();
  }

  /** The newest version of {@code name}, for a reference without a version. */
  public Optional<ModelVersion> latest(String name) {
    List<ModelVersion> all = versions(name);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /**
   * The version a deployment's {@code model: name:version} means; {@code latest} or no version is
   * the newest.
   *
   * @throws ModelException 400 naming the versions there are when it is not registered
   */
  public ModelVersion resolve(String name, String version) {
    Optional<ModelVersion> v;
    if (version == null || version.isBlank() || version.equals("latest")) {
      v = latest(name);
    } else {
      int n;
      try {
        n = Integer.parseInt(version);
      } catch (NumberFormatException e) {
        n = -1;
      }
      v = find(name, n);
    }
    return v.orElseThrow(
        () ->
            new ModelException(
                400,
                "model "
                    + name
                    + ":"
                    + version
                    + " is not registered; register it with 'knoe model create --name "
                    + name
                    + " --path <file>'"
                    + (versions(name).isEmpty()
                        ? ""
                        : " (versions: "
                            + String.join(
                                ", ", versions(name).stream().map(m -> "" + m.version()).toList())
                            + ")")));
  }

  /**
   * Deletes a version unless {@code inUse} says a deployment refers to it; the blob goes when no
   * version refers to it any more.
   */
  public synchronized void delete(String name, int version, Predicate<ModelVersion> inUse) {
    ModelVersion v =
        find(name, version)
            .orElseThrow(() -> new ModelException(404, "no model " + name + ":" + version));
    if (inUse.test(v)) {
      throw new ModelException(
          409,
          "model "
              + v.reference()
              + " is used by a deployment; delete or update the deployment first");
    }
    try {
      AtomicFiles.delete(root.resolve(name).resolve(version + ".json"));
      boolean shared =
          names().stream()
              .flatMap(n -> versions(n).stream())
              .anyMatch(o -> o.sha256().equals(v.sha256()));
      if (!shared) {
        Files.deleteIfExists(blob(v.sha256()));
        Files.deleteIfExists(blob(v.sha256()).getParent());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The stored file of a version after checking its sha256, as an instance is about to load it.
   *
   * @throws ModelException 500 when the stored bytes do not match the registered digest
   */
  public Path verifiedFile(ModelVersion v) {
    Path blob = blob(v.sha256());
    try {
      String actual = HexFormat.of().formatHex(digest(blob));
      if (!actual.equals(v.sha256())) {
        throw new ModelException(
            500,
            "model "
                + v.reference()
                + " is corrupt in storage: sha256 "
                + actual
                + ", registered "
                + v.sha256());
      }
    } catch (IOException e) {
      throw new ModelException(
          500, "model " + v.reference() + " is missing from storage: " + e.getMessage());
    }
    return blob;
  }

  private Path blob(String sha256) {
    return root.resolve("blobs").resolve(sha256).resolve("model.onnx");
  }

  private long copyLimited(InputStream in, OutputStream out) throws IOException {
    byte[] buf = new byte[1 << 16];
    long total = 0;
    for (int n; (n = in.read(buf)) > 0; ) {
      total += n;
      if (total > maxBytes) {
        throw new ModelException(
            413,
            "model is larger than the limit of " + maxBytes + " bytes (knoe.models.max-bytes)");
      }
      out.write(buf, 0, n);
    }
    return total;
  }

  /** The upload, alone in its folder as it will be in the store. */
  private static void check(Path upload) {
    try {
      OnnxModelCheck.check(upload, upload.getParent());
    } catch (InvalidModelException e) {
      throw new ModelException(400, "the upload is not a usable ONNX model: " + e.problem());
    }
  }

  private static void checkName(String name) {
    Names.MODEL
        .problem("model name", name)
        .ifPresent(
            p -> {
              throw new ModelException(400, p);
            });
  }

  /** The SHA-256 of a file, read as a stream. */
  public static byte[] digest(Path file) throws IOException {
    MessageDigest sha = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return sha.digest();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
