package dev.knoe.control.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes a file so that a kill -9 at any moment leaves either the old or the new content: write a
 * temp file beside it, fsync it, rename it over the target, fsync the folder.
 */
public final class AtomicFiles {

  private AtomicFiles() {}

  public static void write(Path target, byte[] content) throws IOException {
    write(target, content, false);
  }

  /** Like {@link #write}, readable by the owner only (secrets, keys, the admin credential). */
  public static void writeSecret(Path target, byte[] content) throws IOException {
    write(target, content, true);
  }

  private static void write(Path target, byte[] content, boolean ownerOnly) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    try {
      if (ownerOnly) {
        restrict(tmp);
      }
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer b = ByteBuffer.wrap(content);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      syncDirectory(dir);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Deletes a file and makes the deletion durable. */
  public static void delete(Path target) throws IOException {
    if (Files.deleteIfExists(target)) {
      syncDirectory(target.toAbsolutePath().getParent());
    }
  }

  /**
   * Renames a file or folder in one step and makes the rename durable; the target must not exist.
   */
  public static void rename(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    syncDirectory(to.toAbsolutePath().getParent());
  }

  static void restrict(Path p) throws IOException {
    try {
      Files.setPosixFilePermissions(
          p,
          Set.of(
              java.nio.file.attribute.PosixFilePermission.OWNER_READ,
              java.nio.file.attribute.PosixFilePermission.OWNER_WRITE));
    } catch (UnsupportedOperationException e) {
      p.toFile().setReadable(false, false);
      p.toFile().setReadable(true, true);
    }
  }

  /** Creates a folder readable by its owner only. */
  public static void ownerOnlyDirectory(Path dir) throws IOException {
    Files.createDirectories(dir);
    try {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: nothing more to do
    }
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // some file systems cannot open a folder for sync; the rename itself is still atomic
    }
  }
}
