package dev.knoe.scoring;

import dev.knoe.spi.ScoringHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.ToolProvider;

/** Compiles a handler's sources for real, into a class folder and a jar, as a user would. */
final class HandlerBuild {

  private HandlerBuild() {}

  /** Compiles every .java under {@code sources} into {@code out/classes}; returns that folder. */
  static Path classes(Path sources, Path out) throws IOException {
    Path classes = out.resolve("classes");
    Files.createDirectories(classes);
    List<String> args =
        new ArrayList<>(
            List.of(
                "-d",
                classes.toString(),
                "--release",
                "17",
                "-cp",
                Path.of(
                        ScoringHandler.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .getPath())
                    .toString()));
    try (Stream<Path> files = Files.walk(sources)) {
      files.filter(p -> p.toString().endsWith(".java")).forEach(p -> args.add(p.toString()));
    }
    int rc =
        ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(String[]::new));
    if (rc != 0) {
      throw new IllegalStateException("javac failed for " + sources);
    }
    return classes;
  }

  /** Packs a class folder into {@code out/<name>.jar}. */
  static Path jar(Path classes, Path out, String name) throws IOException {
    Path jar = out.resolve(name + ".jar");
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream j = new JarOutputStream(file);
        Stream<Path> files = Files.walk(classes)) {
      for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        j.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
        Files.copy(p, j);
        j.closeEntry();
      }
    }
    return jar;
  }
}
