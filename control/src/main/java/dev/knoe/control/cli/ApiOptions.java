package dev.knoe.control.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --url} and {@code --admin-key}, on every command that calls the control API. */
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

  CliContext context() {
    return KnoeCommand.context(mixee);
  }

  /** A client of the server found from the flags, the environment or the config file. */
  ControlApi connect() {
    CliContext ctx = context();
    return new ControlApi(ServerLocator.locate(url, adminKey, ctx.env(), ctx.home()));
  }
}
