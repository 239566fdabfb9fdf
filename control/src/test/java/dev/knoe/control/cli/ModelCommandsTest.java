package dev.knoe.control.cli;

import static dev.knoe.control.cli.FakeApi.Response.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.knoe.control.cli.Cli.Run;
import dev.knoe.control.cli.FakeApi.Request;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ModelCommandsTest extends CommandsTestBase {

  static final String MODEL =
      """
      {"name": "fraud", "version": 2, "id": "fraud:2", "sha256": "0123456789abcdef0123",
       "size": 300000, "description": "gradient boosted", "anonymous": false}
      """;

  /** The sample MLP: a real model (the CLI checks it before sending), 5 MB so progress shows. */
  static final Path MLP =
      Path.of(System.getProperty("samples.dir", "../samples"), "models/mlp/model/model.onnx");

  @Test
  void createUploadsTheFileWithProgress() throws IOException {
    byte[] model = Files.readAllBytes(MLP);
    Path folder = Files.createDirectories(dir.resolve("model"));
    Files.write(folder.resolve("model.onnx"), model);
    api.on("POST", "/api/v1/models/fraud/versions", json(201, MODEL));

    Run run =
        cli.run(
            "model",
            "create",
            "-n",
            "fraud",
            "-p",
            folder.toString(),
            "--description",
            "gradient boosted");

    assertEquals(0, run.code(), run.toString());
    Request upload = api.only("POST", "/api/v1/models/fraud/versions");
    assertArrayEquals(model, upload.body());
    assertEquals("application/octet-stream", upload.header("Content-Type"));
    assertEquals("description=gradient+boosted", upload.query());
    assertEquals("Bearer " + Cli.ADMIN_KEY, upload.header("Authorization"));
    String last = run.errLines().get(run.errLines().size() - 1);
    assertEquals("uploading model.onnx: 5.0 MiB of 5.0 MiB (100 %)", last);
    assertTrue(run.errLines().size() >= 2, "progress before the end: " + run.err());
    assertTrue(run.out().startsWith("name: fraud\nversion: 2\nid: fraud:2\n"), run.out());
  }

  @Test
  void aFolderWithoutOneOnnxFileIsRefused() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("empty"));

    Run run = cli.run("model", "create", "-n", "fraud", "-p", folder.toString());

    assertEquals(1, run.code());
    assertTrue(run.err().contains("holds 0 .onnx files"), run.err());
    assertTrue(api.requests().isEmpty());
  }

  /** The check the registry makes, made before the upload: nothing is sent. */
  @Test
  void aFileThatIsNotAModelIsRefusedBeforeTheUpload() throws IOException {
    Path file = Files.write(dir.resolve("model.onnx"), new byte[] {0x08});

    Run run = cli.run("model", "create", "-n", "fraud", "-p", file.toString());

    assertEquals(1, run.code());
    assertTrue(
        run.err()
            .contains(
                "model file "
                    + file
                    + " is not a usable ONNX model: the file does not parse as an ONNX model"),
        run.err());
    assertTrue(api.requests().isEmpty());
  }

  @Test
  void theRegistryAssignsVersions() {
    Run run = cli.run("model", "create", "-n", "fraud", "-p", "x.onnx", "--version", "3");

    assertEquals(2, run.code());
    assertTrue(run.err().contains("assigns the next version"), run.err());
  }

  @Test
  void listAndShow() {
    api.on("GET", "/api/v1/models", json("[" + MODEL + "]"));
    api.on("GET", "/api/v1/models/fraud/versions/2", json(MODEL));
    api.on(
        "GET",
        "/api/v1/models/fraud",
        json("[" + MODEL.replace("\"version\": 2", "\"version\": 1") + "," + MODEL + "]"));

    Run list = cli.run("model", "list");
    Run show = cli.run("model", "show", "-n", "fraud:2", "-o", "json");
    Run latest = cli.run("model", "show", "-n", "fraud");

    assertEquals(
        "NAME   VERSION  SIZE       SHA256        DESCRIPTION\n"
            + "fraud  2        293.0 KiB  0123456789ab  gradient boosted\n",
        list.out());
    assertTrue(show.out().contains("\"sha256\": \"0123456789abcdef0123\""), show.out());
    assertTrue(latest.out().contains("version: 2\n"), latest.out());
    assertEquals(0, latest.code(), latest.toString());
  }
}
