package dev.knoe.control.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --url}, {@code --admin-key} and {@code --ca-file}, on every command that calls the control
 * API.
 */
final class ApiOptions {

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(
      names = "--url",
      paramLabel = "URL",
      description =
          "The Knoe control API, e.g. http://127.0.0.1:8500. Default: KNOE_URL, then the config"
              + " 'knoe serve' writes (KNOE_CONFIG or ~/.knoe/config.json).")
  String url;

  @Option(
      names = "--admin-key",
      paramLabel = "KEY",
      description = "The control API's admin key. Default: KNOE_ADMIN_KEY, then that config.")
  String adminKey;

  @Option(
      names = "--ca-file",
      paramLabel = "FILE",
      description =
          "PEM certificates to trust for an https:// server: its CA, or its self-signed"
              + " certificate (<data>/tls/cert.pem). Default: KNOE_CA_FILE, then the CA in that"
              + " config, else the JDK's trusted CAs.")
  String caFile;

  CliContext context() {
    return KnoeCommand.context(mixee);
  }

  /** A client of the server found from the flags, the environment or the config file. */
  ControlApi connect() {
    CliContext ctx = context();
    return new ControlApi(ServerLocator.locate(url, adminKey, caFile, ctx.env(), ctx.home()));
  }
}
