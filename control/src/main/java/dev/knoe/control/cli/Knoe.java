package dev.knoe.control.cli;

import io.quarkus.runtime.annotations.QuarkusMain;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * The {@code knoe} entry point. {@code knoe serve ...} runs the embedded platform (Quarkus); every
 * other command is a client of its API and returns before Quarkus would boot, so it starts in a
 * fraction of a second.
 */
@QuarkusMain
public final class Knoe {

  private static final String SERVE_CLASS = "dev.knoe.control.serve.Serve";

  private Knoe() {}

  public static void main(String... args) {
    if (args.length > 0 && args[0].equals("serve")) {
      serve(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    System.exit(KnoeCommand.run(CliContext.system(), args));
  }

  /**
   * Hands {@code knoe serve}'s arguments to {@code Serve.main}, found by name so that this package
   * does not depend on the server's.
   */
  static void serve(String... args) {
    Method main;
    try {
      main = Class.forName(SERVE_CLASS).getMethod("main", String[].class);
    } catch (ReflectiveOperationException e) {
      System.err.println("knoe: error: this build has no 'knoe serve' (" + SERVE_CLASS + ")");
      System.exit(CliException.FAILED);
      return;
    }
    try {
      main.invoke(null, (Object) args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }
}
