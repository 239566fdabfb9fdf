package dev.knoe.control.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code knoe serve}: listed here for {@code knoe --help}; {@link Knoe#main} hands it to the
 * embedded platform before picocli runs, and so does this command when reached another way.
 */
@Command(
    name = "serve",
    description = {
      "Run the embedded platform: control API and endpoints on one port (default 8500).",
      "Options: --port N, --host H (default 127.0.0.1), --data-dir DIR (default ~/.knoe/data),"
          + " --tls-cert FILE --tls-key FILE or --tls-self-signed (HTTPS only; needed beyond"
          + " loopback). Writes ~/.knoe/config.json, which the other commands read."
    })
final class ServeCommand implements Callable<Integer> {

  @Unmatched List<String> args = new ArrayList<>();

  @Override
  public Integer call() {
    Knoe.serve(args.toArray(String[]::new));
    return 0;
  }
}
