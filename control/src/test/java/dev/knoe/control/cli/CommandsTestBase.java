package dev.knoe.control.cli;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each test runs the CLI ({@link #cli}, its home in {@link #dir}) against a fresh {@link FakeApi}
 * ({@link #api}), stopped after the test.
 */
abstract class CommandsTestBase {

  @TempDir Path dir;
  FakeApi api;
  Cli cli;

  @BeforeEach
  void startApi() {
    api = new FakeApi();
    cli = Cli.against(api, dir);
  }

  @AfterEach
  void stopApi() {
    api.close();
  }
}
