package dev.knoe.control.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/** {@code knoe render}: a placeholder until the Knative backend renders its manifests. */
@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    description = "Render Knative manifests for an endpoint (not available yet).")
final class RenderCommand implements Callable<Integer> {

  @Unmatched List<String> args = new ArrayList<>();

  @Override
  public Integer call() {
    throw CliException.usage("render is not available yet: comes with the Knative backend");
  }
}
