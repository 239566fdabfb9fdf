package dev.knoe.scoring.handler;

import dev.knoe.spi.ScoringHandler;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Loads a handler class from a jar, a folder of jars, or a class folder. */
public final class Handlers {

  private Handlers() {}

  /**
   * @throws IllegalStateException naming the path and class when the handler cannot be created
   */
  public static ScoringHandler load(Path path, String className) {
    if (!Files.exists(path)) {
      throw new IllegalStateException(
          "handler path " + path + " (KNOE_HANDLER_PATH) does not exist");
    }
    try {
      URLClassLoader loader =
          new URLClassLoader("knoe-handler", urls(path), ScoringHandler.class.getClassLoader());
      Class<?> type = Class.forName(className, true, loader);
      if (!ScoringHandler.class.isAssignableFrom(type)) {
        throw new IllegalStateException(
            "handler class " + className + " does not implement " + ScoringHandler.class.getName());
      }
      return (ScoringHandler) type.getDeclaredConstructor().newInstance();
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(
          "handler class " + className + " (KNOE_HANDLER_CLASS) is not in " + path, e);
    } catch (ReflectiveOperationException | IOException e) {
      throw new IllegalStateException(
          "cannot create handler " + className + " from " + path + ": " + e, e);
    }
  }

  private static URL[] urls(Path path) throws IOException {
    List<URL> urls = new ArrayList<>();
    if (Files.isDirectory(path)) {
      urls.add(url(path));
      try (Stream<Path> jars = Files.list(path)) {
        for (Path jar :
            (Iterable<Path>) jars.filter(p -> p.toString().endsWith(".jar")).sorted()::iterator) {
          urls.add(url(jar));
        }
      }
    } else {
      urls.add(url(path));
    }
    return urls.toArray(URL[]::new);
  }

  private static URL url(Path p) throws MalformedURLException {
    return p.toUri().toURL();
  }
}
