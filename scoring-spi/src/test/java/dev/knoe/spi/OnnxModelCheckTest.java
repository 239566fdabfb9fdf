package dev.knoe.spi;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.knoe.spi.onnx.Onnx.AttributeProto;
import dev.knoe.spi.onnx.Onnx.FunctionProto;
import dev.knoe.spi.onnx.Onnx.GraphProto;
import dev.knoe.spi.onnx.Onnx.ModelProto;
import dev.knoe.spi.onnx.Onnx.NodeProto;
import dev.knoe.spi.onnx.Onnx.OperatorSetIdProto;
import dev.knoe.spi.onnx.Onnx.SparseTensorProto;
import dev.knoe.spi.onnx.Onnx.StringStringEntryProto;
import dev.knoe.spi.onnx.Onnx.TensorProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Real files in a temp folder, built with the generated ONNX classes or cut from a sample. */
class OnnxModelCheckTest {

  /** model-1 of the samples: ir_version 8, producer_name, graph 'g' (W, B), opset_import 17. */
  static final Path SAMPLE =
      Path.of(System.getProperty("samples.dir", "../samples"), "models/model-1/model/model.onnx");

  @TempDir Path dir;

  /** Writes its files into the folder and answers the model file. */
  interface Setup {
    Path write(Path dir) throws IOException;
  }

  record Case(String name, Setup files, String refusal) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> accepted() {
    return Stream.of(
        new Case("the sample model", d -> copy(SAMPLE, d.resolve("model.onnx")), null),
        new Case(
            "a sample with 5 MB of weights",
            d -> copy(SAMPLE.resolveSibling("../../mlp/model/model.onnx"), d.resolve("m.onnx")),
            null),
        new Case(
            "external data in the folder",
            d -> {
              Files.write(d.resolve("weights.bin"), new byte[64]);
              return write(d.resolve("model.onnx"), withInitializer(external("w", "weights.bin")));
            },
            null),
        new Case(
            "external data one level up, still inside the root",
            d -> {
              Files.write(d.resolve("weights.bin"), new byte[64]);
              Files.createDirectories(d.resolve("model"));
              return write(
                  d.resolve("model/model.onnx"), withInitializer(external("w", "../weights.bin")));
            },
            null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("accepted")
  void accepts(Case c) throws IOException {
    Path model = c.files().write(dir);

    assertDoesNotThrow(() -> OnnxModelCheck.check(model, dir));
  }

  static Stream<Case> refused() {
    return Stream.of(
        new Case(
            "an empty file",
            d -> Files.write(d.resolve("model.onnx"), new byte[0]),
            "the file is empty"),
        new Case(
            "one byte, the start of ir_version",
            d -> Files.write(d.resolve("model.onnx"), new byte[] {0x08}),
            "the file does not parse as an ONNX model: While parsing a protocol message, the input"
                + " ended unexpectedly in the middle of a field"),
        new Case(
            "the sample cut in half",
            d -> {
              byte[] all = Files.readAllBytes(SAMPLE);
              return Files.write(d.resolve("model.onnx"), Arrays.copyOf(all, all.length / 2));
            },
            "the file does not parse as an ONNX model: While parsing a protocol message, the input"
                + " ended unexpectedly in the middle of a field"),
        new Case(
            "the sample cut after its graph, a field boundary",
            d -> Files.write(d.resolve("model.onnx"), cutAfterField(SAMPLE, 7)),
            "the model has no opset_import (field 8), which every ONNX model has; the file is cut"
                + " short or not an ONNX model"),
        new Case(
            "no graph",
            d -> write(d.resolve("model.onnx"), model().clearGraph()),
            "the model has no graph (field 7), which every ONNX model has; the file is cut short"
                + " or not an ONNX model"),
        new Case(
            "no ir_version",
            d -> write(d.resolve("model.onnx"), model().clearIrVersion()),
            "the model has no ir_version (field 1), which every ONNX model has; the file is cut"
                + " short or not an ONNX model"),
        new Case(
            "external data at an absolute path",
            d -> write(d.resolve("model.onnx"), withInitializer(external("w", "/etc/passwd"))),
            "graph 'g' initializer 'w' keeps its data at '/etc/passwd', an absolute path; external"
                + " data must be a relative path inside the model's folder"),
        new Case(
            "external data up and out of the folder",
            d -> write(d.resolve("model.onnx"), withInitializer(external("w", "../../x"))),
            "graph 'g' initializer 'w' keeps its data at '../../x', which leaves the model's"
                + " folder"),
        new Case(
            "external data up from a subfolder, past the root",
            d -> {
              Files.createDirectories(d.resolve("a"));
              return write(
                  d.resolve("a/model.onnx"), withInitializer(external("w", "../../x.bin")));
            },
            "graph 'g' initializer 'w' keeps its data at '../../x.bin', which leaves the"
                + " model's folder"),
        new Case(
            "an external file that does not exist",
            d -> write(d.resolve("model.onnx"), withInitializer(external("w", "weights.bin"))),
            "graph 'g' initializer 'w' keeps its data in 'weights.bin', which does not exist in"
                + " the model's folder"),
        new Case(
            "a symbolic link out of the folder",
            d -> {
              Path outside = Files.createTempFile("outside", ".bin");
              outside.toFile().deleteOnExit();
              Files.createSymbolicLink(d.resolve("weights.bin"), outside);
              return write(d.resolve("model.onnx"), withInitializer(external("w", "weights.bin")));
            },
            "graph 'g' initializer 'w' keeps its data in 'weights.bin', which leads by a symbolic"
                + " link out of the model's folder"),
        new Case(
            "a folder as the external file",
            d -> {
              Files.createDirectories(d.resolve("sub"));
              return write(d.resolve("model.onnx"), withInitializer(external("w", "sub")));
            },
            "graph 'g' initializer 'w' keeps its data in 'sub', which is not a file"),
        new Case(
            "external_data without a location",
            d ->
                write(
                    d.resolve("model.onnx"),
                    withInitializer(
                        TensorProto.newBuilder()
                            .setName("w")
                            .addExternalData(entry("offset", "0")))),
            "graph 'g' initializer 'w' has external_data without a location"),
        new Case(
            "in a sparse initializer's indices",
            d ->
                write(
                    d.resolve("model.onnx"),
                    model()
                        .setGraph(
                            graph()
                                .addSparseInitializer(
                                    SparseTensorProto.newBuilder()
                                        .setValues(TensorProto.newBuilder().setName("s"))
                                        .setIndices(external("", "/etc/shadow"))))),
            "graph 'g' sparse_initializer 's' indices keeps its data at '/etc/shadow', an absolute"
                + " path; external data must be a relative path inside the model's folder"),
        new Case(
            "in a node attribute (a Constant's value)",
            d ->
                write(
                    d.resolve("model.onnx"),
                    model()
                        .setGraph(
                            graph()
                                .addNode(
                                    node("c", attribute("value").setT(external("", "../x")))))),
            "graph 'g' > node 'c' attribute 'value' keeps its data at '../x', which leaves the"
                + " model's folder"),
        new Case(
            "in a list of tensors of an attribute",
            d ->
                write(
                    d.resolve("model.onnx"),
                    model()
                        .setGraph(
                            graph()
                                .addNode(
                                    node(
                                        "c",
                                        attribute("ts")
                                            .addTensors(TensorProto.newBuilder().setName("ok"))
                                            .addTensors(external("t2", "/x")))))),
            "graph 'g' > node 'c' attribute 'ts' tensor 't2' keeps its data at '/x', an absolute path;"
                + " external data must be a relative path inside the model's folder"),
        new Case(
            "in a subgraph (an If's then_branch)",
            d ->
                write(
                    d.resolve("model.onnx"),
                    model()
                        .setGraph(
                            graph()
                                .addNode(
                                    node(
                                        "if",
                                        attribute("then_branch")
                                            .setG(
                                                GraphProto.newBuilder()
                                                    .setName("then")
                                                    .addInitializer(
                                                        external("w", "../../etc/passwd"))))))),
            "graph 'g' > node 'if' attribute 'then_branch' > graph 'then' initializer 'w' keeps"
                + " its data at '../../etc/passwd', which leaves the model's folder"),
        new Case(
            "in a subgraph two levels down (a Loop's body in a Scan's graphs)",
            d ->
                write(
                    d.resolve("model.onnx"),
                    model()
                        .setGraph(
                            graph()
                                .addNode(
                                    node(
                                        "scan",
                                        attribute("bodies")
                                            .addGraphs(
                                                GraphProto.newBuilder()
                                                    .setName("b")
                                                    .addNode(
                                                        node(
                                                            "k",
                                                            attribute("value")
                                                                .setSparseTensor(
                                                                    SparseTensorProto.newBuilder()
                                                                        .setValues(
                                                                            external(
                                                                                "v",
                                                                                "missing.bin")))))))))),
            "graph 'g' > node 'scan' attribute 'bodies' > graph 'b' > node 'k' attribute 'value'"
                + " sparse tensor 'v' values keeps its data in 'missing.bin', which does not exist in the model's"
                + " folder"),
        new Case(
            "in a model-local function's node",
            d ->
                write(
                    d.resolve("model.onnx"),
                    model()
                        .addFunctions(
                            FunctionProto.newBuilder()
                                .setName("f")
                                .addNode(
                                    node(
                                        "c",
                                        attribute("value").setT(external("", "/proc/self")))))),
            "function 'f' node 'c' attribute 'value' keeps its data at '/proc/self', an absolute"
                + " path; external data must be a relative path inside the model's folder"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refuses(Case c) throws IOException {
    Path model = c.files().write(dir);

    var e = assertThrows(InvalidModelException.class, () -> OnnxModelCheck.check(model, dir));
    assertEquals(c.refusal(), e.getMessage());
  }

  @Test
  void randomBytesAreRefused() throws IOException {
    byte[] noise = new byte[4096];
    for (long seed = 0; seed < 20; seed++) {
      new Random(seed).nextBytes(noise);
      Path file = Files.write(dir.resolve("model.onnx"), noise);

      var e = assertThrows(InvalidModelException.class, () -> OnnxModelCheck.check(file, dir));
      assertTrue(
          e.getMessage().startsWith("the file does not parse as an ONNX model")
              || e.getMessage().startsWith("the model has no"),
          "seed " + seed + ": " + e.getMessage());
    }
  }

  /**
   * "link/../secret.bin" stays in the folder when read as text, but the system follows the link
   * first and its ".." then climbs from where the link points.
   */
  @Test
  void aLinkedFolderFollowedByDotDotIsFollowedAsTheRuntimeWould() throws IOException {
    Path root = Files.createDirectories(dir.resolve("root"));
    Path inner = Files.createDirectories(dir.resolve("elsewhere/inner"));
    Files.write(dir.resolve("elsewhere/secret.bin"), new byte[64]);
    Files.createSymbolicLink(root.resolve("link"), inner);
    Path model =
        write(root.resolve("model.onnx"), withInitializer(external("w", "link/../secret.bin")));

    var e = assertThrows(InvalidModelException.class, () -> OnnxModelCheck.check(model, root));
    assertEquals(
        "graph 'g' initializer 'w' keeps its data in 'link/../secret.bin', which leads by a"
            + " symbolic link out of the model's folder",
        e.getMessage());
  }

  @Test
  void theFolderRuleNamesTheFile() throws IOException {
    Path model = write(dir.resolve("model.onnx"), withInitializer(external("w", "/etc/passwd")));

    var e =
        assertThrows(
            InvalidModelException.class, () -> ModelFolder.checkedOnnxFile(dir, "model.path"));
    assertEquals(
        "model file "
            + model
            + " is not a usable ONNX model: graph 'g' initializer 'w' keeps its data at"
            + " '/etc/passwd', an absolute path; external data must be a relative path inside the"
            + " model's folder",
        e.getMessage());
    assertEquals(Optional.of(model), e.file());
    assertTrue(e.problem().startsWith("graph 'g' initializer 'w'"), e.problem());
  }

  /** A file given alone is its own root: its external data stays beside it. */
  @Test
  void aFileGivenAloneKeepsItsDataBesideIt() throws IOException {
    Files.createDirectories(dir.resolve("model"));
    Files.write(dir.resolve("weights.bin"), new byte[64]);
    Path model =
        write(dir.resolve("model/model.onnx"), withInitializer(external("w", "../weights.bin")));

    assertEquals(model, ModelFolder.checkedOnnxFile(dir, "model.path"));
    var e =
        assertThrows(
            InvalidModelException.class, () -> ModelFolder.checkedOnnxFile(model, "model.path"));
    assertTrue(e.getMessage().endsWith("which leaves the model's folder"), e.getMessage());
  }

  // ---- models built with the generated classes ----

  static ModelProto.Builder model() {
    return ModelProto.newBuilder()
        .setIrVersion(8)
        .setGraph(graph())
        .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17));
  }

  static GraphProto.Builder graph() {
    return GraphProto.newBuilder().setName("g");
  }

  static ModelProto.Builder withInitializer(TensorProto.Builder tensor) {
    return model().setGraph(graph().addInitializer(tensor));
  }

  /** A tensor whose data is {@code location}, as onnx.save(..., save_as_external_data=True). */
  static TensorProto.Builder external(String name, String location) {
    return TensorProto.newBuilder()
        .setName(name)
        .addExternalData(entry("location", location))
        .addExternalData(entry("offset", "0"))
        .addExternalData(entry("length", "64"));
  }

  static StringStringEntryProto entry(String key, String value) {
    return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
  }

  static NodeProto.Builder node(String name, AttributeProto.Builder attribute) {
    return NodeProto.newBuilder().setName(name).setOpType("Op").addAttribute(attribute);
  }

  static AttributeProto.Builder attribute(String name) {
    return AttributeProto.newBuilder().setName(name);
  }

  static Path write(Path file, ModelProto.Builder model) throws IOException {
    return Files.write(file, model.build().toByteArray());
  }

  static Path copy(Path from, Path to) {
    try {
      return Files.copy(from, to);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The file up to the end of the first top-level field numbered {@code field}. */
  static byte[] cutAfterField(Path file, int field) throws IOException {
    byte[] all = Files.readAllBytes(file);
    CodedInputStream in = CodedInputStream.newInstance(all);
    for (int tag; (tag = in.readTag()) != 0; ) {
      in.skipField(tag);
      if (WireFormat.getTagFieldNumber(tag) == field) {
        return Arrays.copyOf(all, in.getTotalBytesRead());
      }
    }
    throw new IllegalArgumentException(file + " has no field " + field);
  }
}
