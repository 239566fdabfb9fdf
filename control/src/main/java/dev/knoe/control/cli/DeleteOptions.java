package dev.knoe.control.cli;

import picocli.CommandLine.Option;

/**
 * {@code -y/--yes} and {@code --no-wait} on the delete commands: accepted so that scripts written
 * for {@code az ml} run unchanged, and ignored, since knoe never asks and a delete never waits.
 */
final class DeleteOptions {

  @Option(
      names = {"-y", "--yes"},
      description = "Accepted for the Azure CLI's sake: knoe never asks.")
  boolean yes;

  @Option(names = "--no-wait", description = "Accepted for the Azure CLI's sake.")
  boolean noWait;
}
