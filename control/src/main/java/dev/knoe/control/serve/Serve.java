package dev.knoe.control.serve;

import io.quarkus.runtime.Quarkus;
import java.nio.file.Path;

/** {@code knoe serve [--port N] [--data-dir DIR]}: runs the embedded platform until stopped. */
public final class Serve {

  public static final int DEFAULT_PORT = 8500;

  private Serve() {}

  public static void main(String... args) {
    int port = Integer.getInteger("quarkus.http.port", DEFAULT_PORT);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(value(args, ++i, "--port"));
        case "--data-dir" ->
            System.setProperty(
                "knoe.data-dir",
                Path.of(value(args, ++i, "--data-dir")).toAbsolutePath().toString());
        case "-h", "--help" -> {
          System.out.println(
              "Usage: knoe serve [--port N] [--data-dir DIR]\n"
                  + "Runs the control API and the endpoints' router on one port (default "
                  + DEFAULT_PORT
                  + "),\n"
                  + "with state under DIR (default ~/.knoe/data, or KNOE_DATA_DIR).");
          return;
        }
        default -> {
          System.err.println(
              "knoe: error: unknown option '" + args[i] + "' for serve (try --help)");
          System.exit(2);
        }
      }
    }
    System.setProperty("quarkus.http.port", Integer.toString(port));
    Quarkus.run();
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      System.err.println("knoe: error: " + flag + " needs a value");
      System.exit(2);
    }
    return args[i];
  }
}
